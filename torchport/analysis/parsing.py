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
