"""`--format rich` (the default): one entry per finding, for people at a terminal.

    model.py:12:5: E7101 module-super-init-missing Net defines __init__ but never calls
        super().__init__(): nn.Module is left uninitialised, so assigning a layer raises ...

Columns are 1-based here, as editors and terminals expect for `path:line:col` links. At a terminal an
entry is wrapped at spaces to the terminal's width, later lines indented (a word longer than a line
is folded); elsewhere (a pipe, a file, pre-commit's captured output) each entry is one line, for grep
and editors' problem matchers. Colours only when the output is a terminal (rich decides; NO_COLOR
and FORCE_COLOR are honoured).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from torchport.advisor.checking import CheckResult, Diagnostic, FileError

_STYLES = {"fatal": "bold red", "error": "red", "warning": "yellow"}
INDENT = 4  # cells before the second and later lines of a wrapped entry
_MIN_WIDTH = 20  # narrower terminals get the entry folded at 20 cells


def write(result: CheckResult, out: TextIO) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True)
    render(result, console)


def render(result: CheckResult, console: Console) -> None:
    """The findings, the files that could not be analysed and the summary line, on `console`."""
    entries = [*map(_line, result.diagnostics), *map(_error, result.errors), _summary(result)]
    if console.is_terminal:
        console.print(Hanging(entries), soft_wrap=False)
    else:
        for entry in entries:
            console.print(entry, soft_wrap=True)


class Hanging:
    """Entries wrapped at words to the console's width, each continuation line indented by INDENT."""

    def __init__(self, entries: Iterable[Text]) -> None:
        self.entries = list(entries)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, _MIN_WIDTH)
        for entry in self.entries:
            yield from _hanging(entry, console, width)


def _hanging(entry: Text, console: Console, width: int) -> list[Text]:
    first, *_ = entry.wrap(console, width, overflow="fold")
    lines = [first]
    rest = entry[len(first.plain):]  # wrap() divides the text without dropping characters
    rest = rest[len(rest.plain) - len(rest.plain.lstrip(" ")):]
    if rest.plain:
        for line in rest.wrap(console, width - INDENT, overflow="fold"):
            lines.append(Text.assemble(" " * INDENT, line))
    for line in lines:
        line.rstrip()
    return lines


def _line(d: Diagnostic) -> Text:
    return Text.assemble(
        (f"{d.path}:{d.line}:{d.column + 1}:", "bold"), " ",
        (d.msgid, _STYLES.get(d.severity, "cyan")), " ",
        (d.symbol, "dim"), " ",
        d.message,
    )


def _error(error: FileError) -> Text:
    return Text.assemble((error.path.as_posix(), "bold"), ": ", ("cannot analyse", "bold red"), f": {error.message}")


def _summary(result: CheckResult) -> Text:
    checked = len(result.files) + len(result.errors)
    files = f"{checked} file{'s' if checked != 1 else ''}"
    count = len(result.diagnostics)
    parts: list[tuple[str, str] | str] = []
    if count:
        affected = len({d.path for d in result.diagnostics})
        parts.append((f"Found {count} finding{'s' if count != 1 else ''} in {affected} of {files}", "bold"))
    else:
        parts.append((f"No findings in {files}", "bold green"))
    if result.errors:
        unreadable = len(result.errors)
        parts += ["; ", (f"{unreadable} file{'s' if unreadable != 1 else ''} could not be analysed", "bold red")]
    return Text.assemble(*parts, ".")
