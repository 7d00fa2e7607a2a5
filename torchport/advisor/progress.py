"""A transient progress bar on stderr for the commands that analyse many files (`check`, `report`):
shown only at a terminal and only for long runs, so pipes, CI logs and pre-commit see nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

PROGRESS_MIN_FILES = 20  # shorter runs finish before a bar would help

Result = TypeVar("Result")
OnFile = Callable[[Path], None]


def with_progress(label: str, files: list[Path], work: Callable[[OnFile | None], Result],
                  min_files: int = PROGRESS_MIN_FILES) -> Result:
    """`work(on_file)` with a bar advanced by each `on_file` call, or `work(None)` without a bar."""
    console = Console(stderr=True)
    if len(files) < min_files or not console.is_terminal:
        return work(None)
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=len(files))
        return work(lambda _: progress.advance(task))
