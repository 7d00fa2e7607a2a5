"""Parse the analysed files into astroid trees without any inference.

astroid's builder, after parsing, infers the object of every `self.x = ...` to record instance
attributes (`delayed_assattr`), and resolves `from m import *`; for a Module subclass the former infers
its bases and so parses torch itself (seconds), the latter imports the named module. torchport needs
neither: this builder skips both, so that a file costs only its own parse.
"""

from __future__ import annotations

from collections.abc import Collection

import astroid
from astroid import nodes
from astroid.builder import AstroidBuilder


class SourceError(Exception):
    """A file that cannot be read or parsed; the message is one line."""


class _PlainBuilder(AstroidBuilder):
    def delayed_assattr(self, node: nodes.AssignAttr) -> None:
        """Instance attributes are not needed; inferring them would parse torch."""

    def add_from_names_to_locals(self, node: nodes.ImportFrom, global_name: Collection[str]) -> None:
        if any(name == "*" for name, _ in node.names):
            return  # a star import would import the module; its names stay unknown
        super().add_from_names_to_locals(node, global_name)


def parse_file(path: str, module_name: str) -> nodes.Module:
    """The syntax tree of a Python file; SourceError when it cannot be read or is not valid Python."""
    try:
        return _PlainBuilder(astroid.MANAGER, apply_transforms=False).file_build(path, module_name)
    except astroid.AstroidSyntaxError as error:
        cause = error.error if isinstance(getattr(error, "error", None), SyntaxError) else None
        where = f" (line {cause.lineno})" if cause is not None and cause.lineno else ""
        raise SourceError(f"{path}: not valid Python{where}: {cause.msg if cause else error}") from None
    except astroid.AstroidBuildingError as error:
        raise SourceError(f"{path}: cannot read the file: {str(error).splitlines()[-1]}") from None


def parse_text(text: str, module_name: str = "snippet", path: str | None = None) -> nodes.Module:
    """The syntax tree of source text (tests and examples); SourceError when it is not valid Python."""
    try:
        return _PlainBuilder(astroid.MANAGER, apply_transforms=False).string_build(text, module_name, path)
    except astroid.AstroidSyntaxError as error:
        raise SourceError(f"not valid Python: {getattr(error, 'error', error)}") from None
