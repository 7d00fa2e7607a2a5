"""Parse the analysed files into astroid trees without any inference (see analysis.parsing)."""

from __future__ import annotations

import astroid
from astroid import nodes

from torchport.analysis.parsing import PlainBuilder


class SourceError(Exception):
    """A file that cannot be read or parsed; the message is one line, whatever its cause said."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


def parse_file(path: str, module_name: str) -> nodes.Module:
    """The syntax tree of a Python file; SourceError when it cannot be read or is not valid Python."""
    try:
        return PlainBuilder().file_build(path, module_name)
    except astroid.AstroidSyntaxError as error:
        cause = error.error if isinstance(getattr(error, "error", None), SyntaxError) else None
        where = f" (line {cause.lineno})" if cause is not None and cause.lineno else ""
        raise SourceError(f"{path}: not valid Python{where}: {cause.msg if cause else error}") from None
    except astroid.AstroidBuildingError as error:
        raise SourceError(f"{path}: cannot read the file: {str(error).splitlines()[-1]}") from None


def parse_text(text: str, module_name: str = "snippet", path: str | None = None) -> nodes.Module:
    """The syntax tree of source text (tests and examples); SourceError when it is not valid Python."""
    try:
        return PlainBuilder().string_build(text, module_name, path)
    except astroid.AstroidSyntaxError as error:
        raise SourceError(f"not valid Python: {getattr(error, 'error', error)}") from None
