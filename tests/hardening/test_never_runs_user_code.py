"""torchport never runs the code it analyses: every front reads a project whose every module, if
imported, would write a marker file and end the interpreter, and nothing happens.

The project's model file imports the others in every style (plain, from, from a package, star), and
derives from their classes, so each front must read them to find what it reports (the evidence). Files
named like modules that torchport, pylint or Python could import on their own (sympy, tomllib, torch,
sitecustomize, ...) lie in the project's root, where pylint puts the project on sys.path while it lints.
A front is one entry of FRONTS (`report --verify` runs code by design, says so, and is tested in
tests/advisor/test_verify.py). torchport's own cache (`.torchport_cache/`, check's) is the one thing a
front may write in the project.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

BIN = Path(sys.executable).parent


class Front(NamedTuple):
    argv: Callable[[Path], list[str]]  # the command, given the project's folder (its working directory)
    evidence: tuple[str, ...]  # in its output (stdout and stderr): what only the project's files tell


FRONTS: dict[str, Front] = {
    "pylint plugin": Front(
        lambda project: [str(BIN / "pylint"), "--load-plugins=torchport.lint_rules", "--disable=all",
                         "--enable=torchport", "--persistent=n", "--score=n", "--recursive=y", "."],
        ("model.py:9:4: E7101", "model.py:16:8: E7105")),
    "torchport summary": Front(
        lambda project: [str(BIN / "torchport"), "summary", "model.py::Good", "--format", "json"],
        ('"name": "block.fc"', '"total_params": 30')),
    "torchport check": Front(
        lambda project: [str(BIN / "torchport"), "check", "."],
        ("model.py:9:5: E7101", "model.py:16:9: E7105")),
    "torchport report": Front(
        lambda project: [str(BIN / "torchport"), "report", "."],
        ("model.py:9:5", "block.fc (Linear)")),
    "torchport fix --diff": Front(
        lambda project: [str(BIN / "torchport"), "fix", "--diff", "."],
        ("+        self.blocks = nn.ModuleList([Block()])", "module-super-init-missing (proposal)")),
}

# module path -> how it ends the interpreter once its marker is written
TRAPS = {
    "evil_base.py": "os._exit(97)",
    "evil_pkg/__init__.py": "os._exit(97)",
    "evil_pkg/layers.py": "os._exit(97)",
    "evil_star.py": "raise SystemExit(98)",
    "evil_plain.py": "raise SystemExit(98)",
    "sympy.py": "os._exit(97)",
    "tomllib.py": "os._exit(97)",
    "difflib.py": "os._exit(97)",
    "rich.py": "os._exit(97)",
    "torch.py": "os._exit(97)",
    "sitecustomize.py": "os._exit(97)",
    "usercustomize.py": "os._exit(97)",
    "conftest.py": "os._exit(97)",
    "setup.py": "os._exit(97)",
}
BASE = '''

from torch import nn


class Base(nn.Module):
    """A project base class: only its file says it is a Module."""
'''
BLOCK = '''

from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)
'''
MODEL = '''\
import evil_plain
from evil_base import Base
from evil_pkg.layers import Block
from evil_star import *
from torch import nn


class Net(Base):
    def __init__(self):
        self.block = Block()


class Good(Base):
    def __init__(self):
        super().__init__()
        self.blocks = [Block()]
        self.block = Block()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.block(x))


{trap}
if __name__ == "__main__":
{indented_trap}'''


def trap(markers: Path, name: str, ending: str) -> str:
    """Code that leaves `markers/<name>` behind, then ends the interpreter."""
    return (f"import os\nfrom pathlib import Path\nPath({str(markers)!r}, {name!r}).write_text('ran')\n"
            f"{ending}\n")


def write_project(folder: Path, markers: Path) -> None:
    for name, ending in TRAPS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = BASE if name == "evil_base.py" else BLOCK if name == "evil_pkg/layers.py" else ""
        path.write_text(trap(markers, name.replace("/", "."), ending) + body)
    model_trap = trap(markers, "model.py", "os._exit(97)")
    indented = "".join(f"    {line}\n" for line in model_trap.splitlines())
    (folder / "model.py").write_text(MODEL.format(trap=model_trap, indented_trap=indented))


OWN_CACHE = ".torchport_cache"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file of the project and its hash, but torchport's own cache."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*")) if p.relative_to(folder).parts[0] != OWN_CACHE}


@pytest.mark.parametrize("front", sorted(FRONTS))
def test_no_front_runs_the_analysed_code(front: str, tmp_path: Path) -> None:
    project, markers = tmp_path / "project", tmp_path / "markers"
    project.mkdir()
    markers.mkdir()
    write_project(project, markers)
    before = snapshot(project)
    result = subprocess.run(FRONTS[front].argv(project), cwd=project, capture_output=True, text=True, timeout=300,
                            check=False)
    assert sorted(path.name for path in markers.iterdir()) == [], "imported: the file ran"
    assert result.returncode not in (97, 98), result.stderr[-2000:]
    assert snapshot(project) == before, "the project was changed (a __pycache__ means a module was imported)"
    assert "Traceback" not in result.stderr
    output = result.stdout + result.stderr
    for evidence in FRONTS[front].evidence:
        assert evidence in output, f"{front} did not read the project: {evidence!r} missing\n{output}"
