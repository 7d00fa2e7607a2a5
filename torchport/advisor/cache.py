"""The results cache of `torchport check`: a second run over unchanged files reads their results.

An entry holds one file's result (findings, or why it cannot be analysed) and is used only while
  - the file's bytes (SHA-256) are unchanged,
  - every file its analysis depended on is unchanged, absent ones still absent
    (torchport.advisor.dependencies: base classes and helpers in other project files, pyproject.toml),
  - and the settings are the same: torchport's version and code, Python's, astroid's and pylint's
    versions, the enabled messages, severities, input shapes and the time budget.
Entries are JSON (never pickle: a cache folder is data that must not be able to run code), one per
file and settings, in `.torchport_cache/` beside the pyproject.toml that configures the run (else in
the working folder), a folder holding a `.gitignore` of `*` and a CACHEDIR.TAG, like ruff's. Anything
wrong with the cache (unreadable, corrupt, not writable) makes it answer "not cached"; the analysis
then runs and its entry is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import torchport
from torchport.advisor.checking import Diagnostic, FileError, FileResult
from torchport.advisor.dependencies import digest
from torchport.advisor.usages import module_name
from torchport.analysis import budget
from torchport.config import Config
from torchport.messages import CATALOGUE

FOLDER = ".torchport_cache"
FORMAT = 1  # of the entries; part of the settings
_GITIGNORE = "# Created by torchport check automatically.\n*\n"
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by torchport.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n")

Outcome = FileResult | FileError


class Cache:
    def __init__(self, folder: Path, config: Config) -> None:
        self.folder = folder
        self.settings = settings_digest(config)
        self._digests: dict[str, str | None] = {}

    @classmethod
    def for_config(cls, config: Config) -> Cache:
        """The cache of a run configured by `config` (beside its pyproject.toml, else in the working folder)."""
        return cls((config.root or Path.cwd()) / FOLDER, config)

    def get(self, path: Path) -> Outcome | None:
        """The cached result of `path`, or None when there is no valid entry."""
        try:
            entry = json.loads(self._entry(path).read_text(encoding="utf-8"))
            if entry["content"] is None or entry["content"] != self._digest(path):
                return None
            if any(self._digest(name) != state for name, state in entry["dependencies"].items()):
                return None
            return _outcome(path, entry["outcome"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # no entry, or one that cannot be what this module wrote

    def put(self, path: Path, outcome: Outcome, dependencies: dict[str, str | None]) -> None:
        """Keep `outcome` for `path`, valid while it and its `dependencies` (path -> digest) are unchanged."""
        content = digest(path)
        if content is None:
            return  # unreadable: nothing to key the entry on
        entry = {"content": content, "dependencies": dependencies, "outcome": _data(outcome)}
        try:
            self._prepare()
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, suffix=".tmp",
                                             delete=False) as file:
                json.dump(entry, file)
            os.replace(file.name, self._entry(path))
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower

    def _entry(self, path: Path) -> Path:
        key = "\0".join((self.settings, os.path.abspath(path), module_name(path)))
        return self.folder / f"{hashlib.sha256(key.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"

    def _digest(self, name: str | Path) -> str | None:
        key = str(name)
        if key not in self._digests:
            self._digests[key] = digest(name)
        return self._digests[key]

    def _prepare(self) -> None:
        if (self.folder / ".gitignore").is_file():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
        (self.folder / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")


def settings_digest(config: Config) -> str:
    """What, besides the files, decides a result."""
    settings = {
        "format": FORMAT,
        "torchport": (_version("torchport"), _code_digest()),
        "python": sys.version,
        "astroid": _version("astroid"),
        "pylint": _version("pylint"),
        "enabled": sorted(config.enabled),
        "severity": sorted(config.severity.items()),
        "input-shapes": config.input_shapes,
        "budget": os.environ.get(budget.VARIABLE),
    }
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _code_digest() -> str:
    """A digest of torchport's own source, so an edited (editable) install never reuses old results."""
    package = Path(torchport.__file__).parent
    sha = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        sha.update(file.relative_to(package).as_posix().encode())
        sha.update(file.read_bytes())
    return sha.hexdigest()


# ------------------------------------------------------------------------------ JSON form

def _data(outcome: Outcome) -> dict[str, Any]:
    if isinstance(outcome, FileError):
        return {"error": outcome.message}
    return {"skipped": outcome.skipped,
            "diagnostics": [[d.symbol, d.message, d.line, d.column, d.end_line, d.end_column, d.severity]
                            for d in outcome.diagnostics]}


def _outcome(path: Path, data: dict[str, Any]) -> Outcome:
    """The result an entry holds, for `path` as named in this run; TypeError/ValueError when malformed."""
    if "error" in data:
        return FileError(path, _typed(data["error"], str))
    diagnostics = tuple(_diagnostic(path, row) for row in data["diagnostics"])
    return FileResult(path, diagnostics, _typed(data["skipped"], bool))


def _diagnostic(path: Path, row: list[Any]) -> Diagnostic:
    symbol, message, line, column, end_line, end_column, severity = row
    if symbol not in CATALOGUE:
        raise ValueError(symbol)
    return Diagnostic(path.as_posix(), symbol, _typed(message, str), _typed(line, int), _typed(column, int),
                      _optional(end_line), _optional(end_column), _typed(severity, str))


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise TypeError(value)
    return value


def _optional(value: Any) -> int | None:
    return None if value is None else _typed(value, int)
