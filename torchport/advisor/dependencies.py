"""Which files an analysis of a file depended on, for the cache of `torchport check` (advisor.cache).

A file's findings can depend on other project files: base classes, helpers and constants that
torchport.analysis.modules looks up in other modules (and they in theirs), and the nearest
pyproject.toml, whose `[tool.torchport.input-shapes]` the shape rules read. `start_recording()`
installs an observer of every project-module lookup in this process; `of(path)` then gives the files
the analysis of `path` may have read, transitively, each with its content digest, or None for a
file that was looked for and is absent (creating it can change the answer too).

Lookups are recorded as edges "file -> files it looked for" for the whole process, so a lookup that
a memoised result skipped while analysing one file was recorded when another file first made it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from torchport.analysis import modules

_edges: dict[str, set[str]] = {}  # absolute path of a file -> absolute paths it looked for
_digests: dict[str, str | None] = {}  # this run's digests
_recording = False


def start_recording() -> None:
    """Record lookups from now on (once per process); forget the digests of an earlier run."""
    global _recording  # noqa: PLW0603 - one observer per process
    _digests.clear()
    if not _recording:
        modules.LOOKUP_OBSERVERS.append(_observe)
        _recording = True


def _observe(looking: str, candidates: list[Path]) -> None:
    _edges.setdefault(os.path.abspath(looking), set()).update(os.path.abspath(c) for c in candidates)


def of(path: Path) -> dict[str, str | None]:
    """The files the analysis of `path` may have depended on (not `path` itself) and their digests."""
    start = os.path.abspath(path)
    seen = {start}
    pending = [start]
    while pending:
        for found in _edges.get(pending.pop(), ()):
            if found not in seen:
                seen.add(found)
                pending.append(found)
    seen.discard(start)
    seen.update(_pyproject_chain(path))
    return {name: _digest_once(name) for name in sorted(seen)}


def _pyproject_chain(path: Path) -> list[str]:
    """The pyproject.toml files looked for from the file's folder up to the nearest one that exists
    (as torchport.advisor.inputs.from_pyproject looks for them)."""
    chain = []
    for directory in Path(os.path.realpath(path)).parents:
        candidate = directory / "pyproject.toml"
        chain.append(str(candidate))
        if candidate.is_file():
            break
    return chain


def _digest_once(name: str) -> str | None:
    if name not in _digests:
        _digests[name] = digest(name)
    return _digests[name]


def digest(name: str | Path) -> str | None:
    """The SHA-256 of a file's bytes; None when it is not a readable file."""
    try:
        with open(name, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None
