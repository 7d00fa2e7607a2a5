"""Parse files into astroid trees without any inference.

astroid's builder, after parsing, infers the object of every `self.x = ...` to record instance
attributes (`delayed_assattr`), applies transforms that infer base classes, and resolves
`from m import *` by importing `m`. For a Module subclass each of these parses torch itself (seconds,
and an answer that depends on torch being installed). torchport needs none of them: this builder
skips all three, so a file costs only its own parse. Names bound by a star import stay unknown.

Its trees stay out of astroid's cache of modules (`MANAGER.astroid_cache`): astroid hands a cached
tree to anyone importing that module, and inside pylint a tree without instance attributes or
transforms would make pylint's own checks wrong (`no-member` on an attribute set in `__init__`).

Expressions nested deeper than CPython's parser or astroid's recursive builder can follow (a sum of
thousands of terms) make them raise RecursionError; this builder reports such a file as one that
does not parse (AstroidSyntaxError: Python itself cannot compile it), never as an internal error.
"""

from __future__ import annotations

from collections.abc import Collection

from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.exceptions import AstroidSyntaxError
from astroid.manager import AstroidManager

_TOO_DEEP = "expressions nested too deeply for Python's parser"
_IMPLICIT_CLASS_NAMES = frozenset({"__module__", "__qualname__", "__annotations__"})  # ClassDef.implicit_locals


class _UncachingManager(AstroidManager):
    """astroid's manager (its state is shared by every instance) that keeps the modules built through it
    out of astroid's cache."""

    def cache_module(self, module: nodes.Module) -> None:
        """A plain tree is torchport's alone (see the module's docstring)."""


class PlainBuilder(AstroidBuilder):
    def __init__(self) -> None:
        super().__init__(_UncachingManager(), apply_transforms=False)

    def delayed_assattr(self, node: nodes.AssignAttr) -> None:
        """Instance attributes are not needed; inferring them would parse torch."""

    def add_from_names_to_locals(self, node: nodes.ImportFrom, global_name: Collection[str]) -> None:
        if any(name == "*" for name, _ in node.names):
            return  # a star import would import the module; its names stay unknown
        super().add_from_names_to_locals(node, global_name)

    def file_build(self, path: str, modname: str | None = None) -> nodes.Module:
        try:
            return super().file_build(path, modname)
        except RecursionError as error:
            raise AstroidSyntaxError(_TOO_DEEP, modname, error, path) from None

    def string_build(self, data: str, modname: str = "", path: str | None = None) -> nodes.Module:
        try:
            return super().string_build(data, modname, path)
        except RecursionError as error:
            raise AstroidSyntaxError(_TOO_DEEP, modname, error, path) from None


def binds_as_plain(module: nodes.Module) -> bool:
    """Whether a tree astroid built with its transforms and post-build steps binds, in its module, its
    classes and its functions, exactly the names and nodes a PlainBuilder tree of the same source binds.

    What astroid's build adds there, and this tells: names filled by a star import; `Class.x = ...` and
    `module.x = ...` recorded by `delayed_assattr` (from this file or another one astroid built); nodes a
    brain plugin makes up or moves into a scope (a dataclass's `__init__`, an enum's members, attrs
    fields, a stdlib module's extension, hypothesis's `draw` argument taken out of its function). Each
    binding must be a node of this tree reached from the module through its parents' children. What
    astroid adds elsewhere (instance attributes, inference tips, a six metaclass, lru_cache's
    attributes) torchport never reads.
    """
    children: dict[int, frozenset[int]] = {}
    reached = {id(module)}
    scopes: list[nodes.LocalsDictNodeNG] = [module]
    while scopes:
        scope = scopes.pop()
        for name, bindings in scope.locals.items():
            for binding in bindings:
                if _implicit(scope, name, binding):
                    continue
                if not _binds_as_plain(binding, reached, children):
                    return False
                if isinstance(binding, (nodes.ClassDef, nodes.FunctionDef)):
                    scopes.append(binding)
    return True


def _implicit(scope: nodes.LocalsDictNodeNG, name: str, binding: object) -> bool:
    """A class's `__module__`, `__qualname__` or `__annotations__`, which every build binds alike."""
    return name in _IMPLICIT_CLASS_NAMES and isinstance(binding, nodes.NodeNG) and binding.parent is scope


def _binds_as_plain(binding: object, reached: set[int], children: dict[int, frozenset[int]]) -> bool:
    if not isinstance(binding, nodes.NodeNG) or isinstance(binding, nodes.AssignAttr):
        return False
    if isinstance(binding, nodes.ImportFrom) and any(name == "*" for name, _ in binding.names):
        return False
    node = binding
    while id(node) not in reached:
        parent = node.parent
        if parent is None:
            return False  # the root of another tree
        if id(parent) not in children:
            children[id(parent)] = _children(parent)
        if id(node) not in children[id(parent)]:
            return False
        reached.add(id(node))
        node = parent
    return True


def _children(node: nodes.NodeNG) -> frozenset[int]:
    found = [*node.get_children()]
    if isinstance(node, nodes.Arguments):  # the nodes of `*args` and `**kwargs` are not among its children
        found += [arg for arg in (node.vararg_node, node.kwarg_node) if arg is not None]
    return frozenset(map(id, found))
