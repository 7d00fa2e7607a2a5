"""Which torchport the benchmarks measure: the checkout as it is, or exactly one git commit.

The checkout is shared and may hold other people's uncommitted edits; `--commit REV` exports that
commit's `torchport/` with `git archive` (read-only for the repository) into a temporary folder that
the measured processes import first, so a figure can be tied to a commit.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Source:
    description: str  # for the report: which code was measured
    pythonpath: Path | None  # folder to put first on the measured processes' PYTHONPATH

    def remove(self) -> None:
        """Delete the exported copy, if any."""
        if self.pythonpath is not None:
            shutil.rmtree(self.pythonpath, ignore_errors=True)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def torchport_source(commit: str | None) -> Source:
    """The checkout (commit=None) or an export of `commit`'s torchport package."""
    if commit is None:
        try:
            head = _git("rev-parse", "--short", "HEAD")
            dirty = _git("status", "--porcelain", "--", "torchport")
        except (OSError, subprocess.CalledProcessError):
            return Source("the installed torchport (not a git checkout)", None)
        return Source(f"checkout at {head}" + (" + uncommitted changes in torchport/" if dirty else ""), None)
    sha = _git("rev-parse", "--verify", f"{commit}^{{commit}}")
    folder = Path(tempfile.mkdtemp(prefix=f"torchport-{sha[:10]}-"))
    archive = subprocess.run(["git", "archive", "--format=tar", sha, "torchport"], cwd=REPO, check=True,
                             capture_output=True).stdout
    with tempfile.TemporaryFile() as buffer:
        buffer.write(archive)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            tar.extractall(folder, filter="data")
    return Source(f"commit {sha[:10]} ({_git('log', '-1', '--format=%cs %s', sha)[:70]})", folder)
