"""Where the analysed project uses a model class: its instantiations and the calls that run it.

The project is the folder tree above the model's file up to the nearest `pyproject.toml`, `setup.py`,
`setup.cfg` or `.git` (else the file's own folder). Only files that mention the class's name are parsed.
A call's arguments are evaluated by the interpreter where they are written: a local name is followed to
its one assignment in the same function (`x = torch.randn(64, 1, 28, 28); model(x)`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astroid import nodes

from torchport.advisor.evaluator import Frame
from torchport.advisor.interpreter import Interpreter
from torchport.advisor.sources import SourceError, parse_file
from torchport.analysis.names import call_name, lookup, per_node
from torchport.analysis.node_index import descendants

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist", "venv", "env"})
MAX_FILES = 400  # files looked at (by name) in one project
MAX_FILE_BYTES = 1_000_000
# Methods that return the model itself: `Net().to(device).eval()` is still a Net.
_RETURNS_MODEL = frozenset({"to", "cuda", "cpu", "eval", "train", "float", "double", "half", "requires_grad_"})
# Model-summary functions: canonical name -> whether `input_size` includes the batch dim.
SUMMARY_FUNCTIONS = {"torchinfo.summary": True, "torchsummary.summary": False}


@dataclass(frozen=True)
class Usage:
    kind: str  # "instantiation", "forward" or one of SUMMARY_FUNCTIONS
    call: nodes.Call

    @property
    def where(self) -> str:
        path = self.call.root().file or "<source>"
        return f"{os.path.relpath(path) if os.path.isabs(path) else path}:{self.call.lineno}"


def _resolved(path: Path) -> Path:
    """The absolute path with symbolic links resolved; as named when they loop (the read then fails)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def project_root(path: Path) -> Path:
    directory = _resolved(path).parent
    for candidate in (directory, *directory.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return directory


def module_name(path: Path) -> str:
    """The dotted name a file is imported by: its package folders (those with `__init__.py`) and stem."""
    path = _resolved(path)
    parts = [path.stem] if path.stem != "__init__" else []
    directory = path.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts) or path.stem


def project_modules(path: Path, module: nodes.Module, mentions: str) -> Iterator[nodes.Module]:
    """The model's own module, then every other project file whose text contains `mentions`."""
    yield module
    own = _resolved(path)
    for count, candidate in enumerate(_python_files(project_root(path))):
        if count >= MAX_FILES:
            return
        if candidate.resolve() == own:
            continue
        try:
            if candidate.stat().st_size > MAX_FILE_BYTES or mentions not in candidate.read_text(errors="replace"):
                continue
            yield parse_file(str(candidate), module_name(candidate))
        except (OSError, SourceError):
            continue


def _python_files(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(directory) / name


def find_usages(cls: nodes.ClassDef, modules: list[nodes.Module]) -> list[Usage]:
    """Instantiations of `cls`, calls of its instances and summary calls on them, in file order."""
    found: list[Usage] = []
    qname = cls.qname()
    for module in modules:
        for call in _calls(module):
            if _constructs(call, qname):
                found.append(Usage("instantiation", call))
                continue
            func = call.func
            if _is_instance(func, qname):
                found.append(Usage("forward", call))
            elif isinstance(func, nodes.Attribute) and func.attrname == "forward" and _is_instance(func.expr, qname):
                found.append(Usage("forward", call))
            elif call_name(call) in SUMMARY_FUNCTIONS and call.args and _is_instance(call.args[0], qname):
                found.append(Usage(call_name(call) or "", call))
    return found


@per_node
def _calls(module: nodes.Module) -> tuple[nodes.Call, ...]:
    """Every call of a module, in file order (walked once, however many models it holds)."""
    return tuple(descendants(module, nodes.Call))


def _constructs(call: nodes.Call, qname: str) -> bool:
    return call_name(call) == qname


def _is_instance(expr: nodes.NodeNG, qname: str, depth: int = 0) -> bool:
    """Whether an expression certainly holds an instance of the class (`Net()`, `model` after
    `model = Net().to(device)`)."""
    if depth > 4:
        return False
    if isinstance(expr, nodes.Call):
        if _constructs(expr, qname):
            return True
        func = expr.func
        return isinstance(func, nodes.Attribute) and func.attrname in _RETURNS_MODEL \
            and _is_instance(func.expr, qname, depth + 1)
    if isinstance(expr, nodes.Name):
        value = single_assignment(expr)
        return value is not None and _is_instance(value, qname, depth + 1)
    return False


def single_assignment(name: nodes.Name) -> nodes.NodeNG | None:
    """The value of the one plain assignment `name = value` that reaches this use, if there is one."""
    _, bindings = lookup(name)
    if len(bindings) != 1 or not isinstance(bindings[0], nodes.AssignName):
        return None
    statement = bindings[0].parent
    if isinstance(statement, nodes.Assign) and len(statement.targets) == 1 and statement.targets[0] is bindings[0]:
        return statement.value
    return None


class UsageEvaluator(Interpreter):
    """Evaluates expressions where they are written, outside any running function: a local name is
    followed to its one plain assignment."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: set[int] = set()

    def lookup_static(self, node: nodes.NodeNG, name: str, frame: Frame) -> Any:
        if isinstance(node, nodes.Name) and not isinstance(node.scope(), nodes.Module):
            value = single_assignment(node)
            if value is not None and id(value) not in self._pending:
                self._pending.add(id(value))
                try:
                    return self.eval(value, Frame(value.scope()))
                finally:
                    self._pending.discard(id(value))
        return super().lookup_static(node, name, frame)

    def evaluate(self, node: nodes.NodeNG) -> Any:
        """The value of an expression written anywhere in a project file."""
        return self.eval(node, Frame(node.scope()))
