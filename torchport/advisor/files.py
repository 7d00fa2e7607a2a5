"""Which Python files `torchport check PATH...` analyses.

A file or folder named on the command line is analysed unless `exclude` matches it (so pre-commit's
file lists honour the config), even when .gitignore lists it. A folder contributes its `.py` files: inside a git
work tree those git would show (`git ls-files -co --exclude-standard`: tracked and untracked, without
ignored ones); elsewhere a walk. Both skip hidden folders, virtual environments and `__pycache__` (git
shows an unignored `.venv` as untracked).
`exclude` globs (torchport.config) apply to both.
"""

from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from torchport.advisor.cli import CommandError
from torchport.config import Config, ConfigError, load_config

_SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages"})


class PathError(ValueError):
    """A command-line path that does not exist; the message is one line."""


def project_files(paths: Sequence[str]) -> tuple[Config, list[Path]]:
    """The configuration of the first path's project and the files to analyse; a bad path or config is a
    CommandError (one line, exit 2)."""
    try:
        config = load_config(Path(paths[0]))
        return config, discover(paths, config)
    except (ConfigError, PathError) as error:
        raise CommandError(str(error)) from None


def discover(paths: Sequence[str], config: Config) -> list[Path]:
    """The Python files to analyse, each once, in a stable order (command-line order, then sorted)."""
    found: dict[Path, None] = {}
    for text in paths:
        path = Path(text)
        if not path.exists():
            raise PathError(f"{text}: no such file or folder")
        if path.is_dir():
            files = sorted(p for p in _folder_files(path) if not config.is_excluded(p))
        else:
            files = [] if config.is_excluded(path) else [path]
        for file in files:
            found.setdefault(_normal(file), None)
    return list(found)


def _normal(path: Path) -> Path:
    """A path as the user will read it: relative to the working folder when below it."""
    absolute = Path(os.path.abspath(path))  # symbolic links stay as named
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


def _folder_files(folder: Path) -> Iterator[Path]:
    listed = _git_files(folder)
    if listed is None or (not listed and _git_ignores(folder)):
        return _walk(folder)  # outside git, or a folder named on purpose although git ignores it
    return iter(listed)


def _git_files(folder: Path) -> list[Path] | None:
    """The `.py` files git shows below `folder` (tracked or untracked, not ignored); None outside a
    git work tree or without git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-co", "--exclude-standard", "-z", "--", "."],
            capture_output=True, check=False, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    skipped = functools.cache(_skipped)
    files = [Path(name) for name in names if name.endswith(".py")]
    return [folder / f for f in files
            if not any(skipped(folder / parent) for parent in f.parents if parent.name)
            and ((folder / f).is_file() or (folder / f).is_symlink())]  # a tracked file may be deleted


def _git_ignores(folder: Path) -> bool:
    try:
        result = subprocess.run(["git", "-C", str(folder), "check-ignore", "-q", "."],
                                capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _walk(folder: Path) -> Iterator[Path]:
    for directory, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if not _skipped(Path(directory, d)))
        for name in files:
            if name.endswith(".py"):
                yield Path(directory, name)


def _skipped(folder: Path) -> bool:
    return (folder.name.startswith(".") or folder.name in _SKIPPED_FOLDERS
            or (folder / "pyvenv.cfg").exists())
