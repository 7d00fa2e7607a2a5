"""Run a function over items in worker processes, results in the items' order (`torchport check -j`).

    results = map_ordered(analyse, files, jobs=2, crashed=on_crash, done=on_result, setup=init, setup_args=(config,))

`function` and `setup` must be importable module-level functions, items and results plain data (they
are pickled). With `jobs` 1 (or a single item) everything runs in this process. A worker process that
dies (a segfault, the kernel's OOM killer) breaks the whole pool: the items left are then run again one
by one, each in a fresh process, and an item whose process dies again gets `crashed(item, reason)`.
An exception that escapes `function` in a worker gets `crashed` too. Workers ignore Ctrl-C (SIGINT):
this process gets KeyboardInterrupt, ends them and lets the caller report it, with no traceback from
every worker.

Measured on timm (304 files, TORCHPORT_TIME_BUDGET=off, one run each on the shared 2-core machine at load
11-13): one process 504 s wall / 62.7 s CPU, two workers 432 s wall / 72.3 s CPU (+15%: start-up, and each
worker parses the shared project modules itself), identical output. The wall ratio (1.17x) is what the
kernel's per-session CPU share allowed under that load; idle, the CPU figures allow about 1.7x.

Workers start by "forkserver" where the platform has it (a fork of a clean server process that has
imported torchport: no fork of a process holding threads such as rich's progress bar), else "spawn".
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PRELOADED = ["torchport.advisor.checking"]  # imported once by the fork server, not by every worker
_BROKEN: Any = object()  # the outcome of an item whose worker died


# Below this many files to analyse, `-j auto` stays in one process: starting the workers (a fork
# server importing torchport, ~0.5 s CPU) and their separate caches (each parses the project files its
# files import) would cost more than the files themselves.
AUTO_MIN_ITEMS = 16


def auto_jobs(items: int) -> int:
    """The processes `-j auto` uses for `items` files: one per CPU for a long run, else this one."""
    return cpu_count() if items >= AUTO_MIN_ITEMS else 1


def cpu_count() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_ordered(function: Callable[[T], R], items: Sequence[T], jobs: int,
                crashed: Callable[[T, str], R], done: Callable[[int, R], None] | None = None,
                setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = ()) -> list[R]:
    """`[function(item) for item in items]`, over `jobs` processes; `done(index, result)` as each item
    finishes (in any order)."""
    notify = done or (lambda index, result: None)
    if jobs <= 1 or len(items) <= 1:
        if setup is not None:
            setup(*setup_args)
        results = []
        for index, item in enumerate(items):
            try:
                results.append(function(item))
            except Exception as error:  # noqa: BLE001 - reported for its item, as from a worker
                results.append(crashed(item, f"{type(error).__name__}: {error}"))
            notify(index, results[-1])
        return results
    finished: dict[int, R] = {}
    with _pool(min(jobs, len(items)), setup, setup_args) as pool:
        futures = {pool.submit(function, item): index for index, item in enumerate(items)}
        try:
            for future in as_completed(futures):
                index = futures[future]
                outcome = _outcome(future, items[index], crashed)
                if outcome is not _BROKEN:
                    finished[index] = outcome
                    notify(index, outcome)
        except KeyboardInterrupt:
            _stop(pool)
            raise
    for index, item in enumerate(items):
        if index not in finished:  # left when a worker died: alone this time
            finished[index] = _alone(function, item, crashed, setup, setup_args)
            notify(index, finished[index])
    return [finished[index] for index in range(len(items))]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the items not started and end the workers now, not after their current item (Ctrl-C)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public way before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()


def _outcome(future: Future[R], item: T, crashed: Callable[[T, str], R]) -> R:
    try:
        return future.result()
    except BrokenProcessPool:
        return _BROKEN
    except Exception as error:  # noqa: BLE001 - reported for its item
        return crashed(item, f"{type(error).__name__}: {error}")


def _alone(function: Callable[[T], R], item: T, crashed: Callable[[T, str], R],
           setup: Callable[..., None] | None, setup_args: tuple[Any, ...]) -> R:
    with _pool(1, setup, setup_args) as pool:
        outcome = _outcome(pool.submit(function, item), item, crashed)
    return crashed(item, "its worker process stopped abruptly") if outcome is _BROKEN else outcome


def _pool(workers: int, setup: Callable[..., None] | None, setup_args: tuple[Any, ...]) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_PRELOADED)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(setup, setup_args))


def _start_worker(setup: Callable[..., None] | None, setup_args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent handles it
    if setup is not None:
        setup(*setup_args)
