"""A cooperative time budget: a pathological file stops a rule family with a note, never hangs pylint.

`torchport.rules.run_family` runs each family on each module `within(seconds)`; the shared walkers and
evaluators (name resolution, binding and value lookups, the memoised value queries, method lookups,
the losses evaluator) call `tick()` at their checkpoints, and every family goes through them. Once
the thread's CPU time inside the budget passes it, the next checkpoint raises `BudgetExceeded`, which
`run_family` turns into a `torchport-budget-exceeded` note: that family's findings on that module are
unknown. No signal, thread or process is involved.

The budget counts CPU time, not wall time, so a loaded machine (CI, `pylint -j`) does not change
which files finish. Reading the CPU clock costs about a microsecond, so `tick()` reads it only when
the cheap monotonic clock says `_READ_EVERY` seconds have passed since its last reading; outside a
budget (`torchport summary`, tests) a tick is one monotonic clock read. One budget is active at a time
in a process (pylint and `torchport check` analyse one module after another).

The budget of each family on each module is `DEFAULT_SECONDS` of CPU time, or the number of seconds
in the environment variable `TORCHPORT_TIME_BUDGET`; `off` or `0` there means no budget.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "TORCHPORT_TIME_BUDGET"
DEFAULT_SECONDS = 5.0  # per family and module; ordinary files need milliseconds
_NO_BUDGET = frozenset({"off", "none"})
_READ_EVERY = 0.02  # seconds of wall time between two readings of the CPU clock
_cpu_clock = time.thread_time if hasattr(time, "thread_time") else time.process_time

_deadline = math.inf  # CPU-clock time at which the active budget is spent
_next_reading = math.inf  # monotonic time from which tick() reads the CPU clock again
_warned: set[str] = set()  # invalid values of the variable already reported


class BudgetExceeded(BaseException):
    """The active budget is spent. Like KeyboardInterrupt it is no error of the analysis, so the rules'
    `except Exception` handlers (which turn odd trees into "unknown") let it through."""


def tick() -> None:
    """A checkpoint: raises BudgetExceeded once the active budget is spent."""
    global _next_reading
    if time.monotonic() < _next_reading:
        return
    if _cpu_clock() >= _deadline:
        raise BudgetExceeded
    _next_reading = time.monotonic() + _READ_EVERY


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Run the block with a budget of `seconds` of CPU time (None: no budget of its own); a budget
    opened inside another ends no later than the outer one."""
    global _deadline, _next_reading
    saved = _deadline, _next_reading
    if seconds is not None:
        _deadline = min(_deadline, _cpu_clock() + seconds)
        _next_reading = time.monotonic()
    try:
        yield
    finally:
        _deadline, _next_reading = saved


def configured() -> float | None:
    """The budget in seconds that `TORCHPORT_TIME_BUDGET` sets (None: no budget). An invalid value is
    reported once on stderr, and the default applies."""
    given = os.environ.get(VARIABLE, "").strip()
    text = given.lower()
    if not text:
        return DEFAULT_SECONDS
    if text in _NO_BUDGET:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if seconds == 0:
        return None
    if 0 < seconds < math.inf:
        return seconds
    if text not in _warned:
        _warned.add(text)
        print(f"torchport: ignoring {VARIABLE}={given!r}, which is neither a positive number of seconds nor "
              f"'off'; the time budget is {DEFAULT_SECONDS:g} s", file=sys.stderr)
    return DEFAULT_SECONDS
