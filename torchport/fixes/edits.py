"""Fixes as text edits on the original source, so every byte outside an edit is kept as it was.

Positions come from astroid nodes: lines are 1-based and columns are UTF-8 byte offsets into the
line (as in Python's `ast`), converted here to character offsets into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from astroid import nodes


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the characters in [start, end) of the source text with `text` (start == end inserts)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A fix for one finding. `safe` fixes only remove the bug and are applied by `torchport fix`;
    the others change behaviour beyond it (or need a decision) and are only proposed."""

    symbol: str
    line: int
    description: str
    safe: bool
    edits: tuple[Edit, ...] = field(default=())


# a line as Python counts them: ended by \r\n, \r or \n only (str.splitlines also breaks at \f, \v, \x1c-\x1e,
# \x85 and \u2028/9, which would shift every line number after a form feed in a comment)
_PYTHON_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class Source:
    """The text of a parsed file and its astroid tree, with node positions as text offsets."""

    def __init__(self, text: str, module: nodes.Module) -> None:
        self.text = text
        self.module = module
        self.lines = _PYTHON_LINE.findall(text)
        self._line_starts = [0]
        for line in self.lines:
            self._line_starts.append(self._line_starts[-1] + len(line))

    def offset(self, line: int, byte_column: int) -> int:
        """Text offset of a (1-based line, UTF-8 byte column) position."""
        if line - 1 >= len(self.lines):
            return len(self.text)
        raw = self.lines[line - 1].encode("utf-8")[:byte_column]
        return self._line_starts[line - 1] + len(raw.decode("utf-8", errors="ignore"))

    def line_start(self, line: int) -> int:
        return self._line_starts[min(line - 1, len(self.lines))]

    def start(self, node: nodes.NodeNG) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: nodes.NodeNG) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: nodes.NodeNG) -> str:
        return self.text[self.start(node):self.end(node)]

    def replace(self, node: nodes.NodeNG, text: str) -> Edit:
        return Edit(self.start(node), self.end(node), text)

    def indentation(self, statement: nodes.NodeNG) -> str:
        line = self.lines[statement.lineno - 1]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def alone_on_lines(self, statement: nodes.NodeNG) -> bool:
        """Whether a statement has its lines to itself (nothing before it, only a comment after)."""
        before = self.text[self.line_start(statement.lineno):self.start(statement)]
        rest = self.text[self.end(statement):self.line_start(statement.end_lineno + 1)]
        return not before.strip() and (not rest.strip() or rest.strip().startswith("#"))

    def whole_lines(self, statement: nodes.NodeNG) -> tuple[int, int]:
        """The text span of the lines a statement occupies, newline included."""
        return self.line_start(statement.lineno), self.line_start(statement.end_lineno + 1)

    def insert_before(self, statement: nodes.NodeNG, code: str) -> Edit:
        """Insert one line of code above a statement, at its indentation."""
        at = self.line_start(first_line(statement))
        return Edit(at, at, f"{self.indentation(statement)}{code}\n")

    def insert_after(self, statement: nodes.NodeNG, code: str, indentation: str | None = None) -> Edit:
        """Insert one line of code below a statement, at its indentation (or the one given)."""
        at = self.line_start(statement.end_lineno + 1)
        prefix = "" if self.text[:at].endswith("\n") else "\n"
        indent = self.indentation(statement) if indentation is None else indentation
        return Edit(at, at, f"{prefix}{indent}{code}\n")


def first_line(statement: nodes.NodeNG) -> int:
    """The first line of a statement, decorators included."""
    decorators = getattr(statement, "decorators", None)
    return decorators.fromlineno if decorators is not None else statement.fromlineno


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with non-overlapping edits applied."""
    for edit in sorted(edits, reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def overlaps(edit: Edit, others: list[Edit]) -> bool:
    """Whether an edit touches text another edit changes (equal edits do not conflict)."""
    for other in others:
        if edit == other:
            continue
        if edit.start < other.end and other.start < edit.end:
            return True
        if edit.start == edit.end == other.start == other.end or (
            edit.start == edit.end and other.start < edit.start < other.end
        ) or (other.start == other.end and edit.start < other.start < edit.end):
            return True
    return False
