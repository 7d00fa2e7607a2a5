"""Resolve expressions to fully qualified names without importing or inferring anything.

`nn.Linear`, `L` (from `from torch.nn import Linear as L`) and `torch.nn.modules.linear.Linear` all
resolve to `torch.nn.Linear`. Resolution uses astroid's lexical scope lookup only: it never calls
`infer()`, so astroid never parses torch's sources and the answer is the same with or without torch
installed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TypeVar

from astroid import nodes

from torchport.analysis.budget import tick

# Aliases followed through simple assignments (`Dense = nn.Linear`); bounded against cycles.
_MAX_ALIAS_DEPTH = 8

# Private module paths that torch re-exports under a public name: (pattern, replacement).
_CANONICAL_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^torch\.nn\.modules(?:\.\w+)?\.([A-Z]\w*)$"), r"torch.nn.\1"),
    (re.compile(r"^torch\.nn\.parameter\.(\w+)$"), r"torch.nn.\1"),
    (re.compile(r"^torch\.nn\.functional\.(\w+)$"), r"torch.nn.functional.\1"),
    (re.compile(r"^torch\._tensor\.Tensor$"), "torch.Tensor"),
    (re.compile(r"^(?:pytorch_lightning|lightning\.pytorch|lightning)(?:\.core)?(?:\.module)?\.LightningModule$"),
     "lightning.LightningModule"),
)


Lookup = tuple[nodes.NodeNG | None, tuple[nodes.NodeNG, ...]]  # the binding scope, the bindings
Node = TypeVar("Node", bound=nodes.NodeNG)
Answer = TypeVar("Answer")


def per_node(function: Callable[[Node], Answer]) -> Callable[[Node], Answer]:
    """Memoise a question about one syntax-tree node. A tree does not change once parsed, and the shape
    interpreter asks about the same nodes hundreds of thousands of times on a large model zoo. The answer
    is kept on the node itself, so it goes with its tree (a weak-keyed table would keep every tree alive
    through answers that refer to nodes of the same tree)."""
    attribute = f"_torchport_{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def memoised(node: Node) -> Answer:
        answers = node.__dict__
        try:
            return answers[attribute]
        except KeyError:
            answer = answers[attribute] = function(node)
            return answer

    return memoised


@functools.lru_cache(maxsize=8192)
def canonical(qualified: str) -> str:
    """Map a private or re-exported path to the public name torch documents (memoised: the interpreter
    asks it of every attribute of a name outside the project, `torch.nn.Conv2d`, hundreds of thousands of
    times on a model zoo)."""
    for pattern, replacement in _CANONICAL_REWRITES:
        if pattern.match(qualified):
            return pattern.sub(replacement, qualified)
    return qualified


def qualified_name(node: nodes.NodeNG) -> str | None:
    """The canonical dotted name an expression refers to, or None when it is not a plain name.

    Local classes and functions resolve to `<module>.<name>`; imported names to the imported path.
    """
    tick()
    return _qualified_name(node)


@per_node
def _qualified_name(node: nodes.NodeNG) -> str | None:
    raw = _resolve(node, 0, set())
    return canonical(raw) if raw else None


@per_node
def lookup(node: nodes.Name | nodes.AssignName) -> Lookup:
    """astroid's lexical lookup of the name the node holds: the scope that binds it and the bindings
    (no scope and no bindings when astroid's lookup fails on a malformed tree)."""
    try:
        scope, bindings = node.lookup(node.name)
    except Exception:  # astroid lookup on malformed trees; an unknown name is the safe answer
        return None, ()
    return scope, tuple(bindings)


def _resolve(node: nodes.NodeNG, depth: int, tried: set[nodes.NodeNG]) -> str | None:
    """`tried` holds the bindings already followed for this name: each is followed once, so aliases
    bound in many branches (`if ...: A = B` / `elif ...: A = B`, level after level) cost linear time."""
    if depth > _MAX_ALIAS_DEPTH:
        return None
    if isinstance(node, nodes.Attribute):
        base = _resolve(node.expr, depth, tried)
        return f"{base}.{node.attrname}" if base else None
    if isinstance(node, nodes.Name):
        return _resolve_name(node, node.name, depth, tried)
    return None


def _resolve_name(node: nodes.Name, name: str, depth: int, tried: set[nodes.NodeNG]) -> str | None:
    _, assignments = lookup(node)
    for assignment in assignments:
        if assignment in tried:
            continue
        tried.add(assignment)
        resolved = _resolve_binding(assignment, name, depth, tried)
        if resolved:
            return resolved
    return None


def _resolve_binding(binding: nodes.NodeNG, name: str, depth: int, tried: set[nodes.NodeNG]) -> str | None:
    if isinstance(binding, nodes.Import):
        for modname, alias in binding.names:
            if alias == name:
                return modname
            if alias is None and modname.split(".", 1)[0] == name:
                return name
        return None
    if isinstance(binding, nodes.ImportFrom):
        for imported, alias in binding.names:
            if (alias or imported) == name:
                module = _absolute_module(binding)
                return f"{module}.{imported}" if module else None
        return None
    if isinstance(binding, (nodes.ClassDef, nodes.FunctionDef)):
        return binding.qname()
    if isinstance(binding, nodes.AssignName):
        parent = binding.parent
        if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and parent.targets[0] is binding:
            return _resolve(parent.value, depth + 1, tried)
    return None


def _absolute_module(node: nodes.ImportFrom) -> str | None:
    if not node.level:
        return node.modname
    try:
        return node.root().relative_to_absolute_name(node.modname, node.level)
    except Exception:  # a relative import above the top-level package
        return None


def call_name(call: nodes.Call) -> str | None:
    """Canonical name of the callee of a call such as `nn.Linear(...)` or `F.relu(x)`."""
    return qualified_name(call.func)
