"""Start a measured run in a fresh process: wall time, CPU time and peak memory of its process tree.

Every run goes through bench/pylint_runner.py with the same interpreter, working directory (an
empty folder, so no pylintrc of the checkout is picked up) and environment (a private PYLINTHOME,
so crash reports land where the caller can find them and nothing is read from the user's cache; a
fixed PYTHONHASHSEED).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RUNNER = Path(__file__).resolve().parent / "pylint_runner.py"


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and every child it waited for (pylint -j workers)
    max_rss_mb: float  # largest resident set of any single process of the tree
    stderr: str


def run_tool(
    tool_args: list[str], workdir: Path, *, hide_torch: bool = False, pythonpath: Path | None = None
) -> RunResult:
    """Run `pylint_runner.py [--hide-torch] TOOL_ARGS...` in `workdir` and measure it; `pythonpath`
    is imported first (a torchport exported from a commit)."""
    command = [sys.executable, str(RUNNER)] + (["--hide-torch"] if hide_torch else []) + tool_args
    # a fixed hash seed: pylint's set and dict orders (the import cycles it reports) repeat run to run
    environment = dict(os.environ, PYLINTHOME=str(workdir / "pylint-home"), PYTHONHASHSEED="0")
    if pythonpath is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), os.environ.get("PYTHONPATH")]))
    return run_command(command, workdir, environment)


def run_command(command: list[str], workdir: Path, environment: dict[str, str] | None = None) -> RunResult:
    """Run any command in `workdir`, its output discarded but for stderr, and measure its process tree."""
    stderr_path = workdir / "stderr.txt"
    with open(stderr_path, "w", encoding="utf-8") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): leave no process running behind
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    return RunResult(
        exit_code=process.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        stderr=stderr_path.read_text(encoding="utf-8", errors="replace"),
    )


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` blocks kill the measured run and remove temp folders."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
