"""Run pylint with torchport's plugin in a child process and read back what it reported.

A child process, because the tests look at what a user sees: the messages, and whatever reaches
stderr (a traceback there is a failure even when pylint carries on).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# torchport's messages, and pylint's own answers for files it could not read or build
ENABLED = "torchport,syntax-error,astroid-error,parse-error,fatal,bad-plugin-value"
PYLINT_ARGS = ("--load-plugins=torchport.lint_rules", "--disable=all", f"--enable={ENABLED}", "--persistent=n",
               "--score=n", "--reports=n", "--output-format=json2")
COULD_NOT_READ = frozenset({"syntax-error", "parse-error", "astroid-error", "fatal"})


@dataclass(frozen=True)
class Reported:
    """One message pylint reported."""

    file: str  # the path relative to the run's root, `/`-separated
    line: int
    symbol: str
    msgid: str
    text: str

    @property
    def is_torchport(self) -> bool:
        return self.msgid[1:3] in ("71", "72", "73", "74")


@dataclass
class LintRun:
    returncode: int
    stderr: str
    messages: list[Reported]
    modules_linted: int
    family_seconds: dict[str, float] = field(default_factory=dict)  # CPU time in each rule family

    def by_file(self) -> dict[str, list[Reported]]:
        found: dict[str, list[Reported]] = defaultdict(list)
        for message in self.messages:
            found[message.file].append(message)
        return found


def run_pylint(root: Path, targets: list[str], scratch: Path, *, hide_torch: bool = False,
               env: dict[str, str] | None = None, extra: tuple[str, ...] = (), timeout: float = 600) -> LintRun:
    """pylint over `targets` (paths relative to `root`, where it runs) with torchport's plugin;
    `scratch` receives pylint's output files (and any crash report pylint writes)."""
    scratch.mkdir(parents=True, exist_ok=True)
    output, times = scratch / "pylint.json", scratch / "families.json"
    command = [sys.executable, "-m", "tests.hardening.pylint_child", f"--family-times={times}"]
    if hide_torch:
        command.append("--hide-torch")
    command += [*PYLINT_ARGS, *extra, f"--output={output}", *targets]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYLINTHOME": str(scratch / "pylint-home"), **(env or {})}
    result = subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True, timeout=timeout,
                            check=False)
    assert output.is_file(), f"pylint wrote no output (exit {result.returncode}):\n{result.stderr[-3000:]}"
    report = json.loads(output.read_text(encoding="utf-8"))
    messages = [Reported(Path(m["path"]).as_posix(), m["line"], m["symbol"], m["messageId"], m["message"])
                for m in report["messages"]]
    seconds = json.loads(times.read_text()) if times.is_file() else {}
    return LintRun(result.returncode, result.stderr, messages, report["statistics"]["modulesLinted"], seconds)
