"""`--format rich` (the default): one line per finding, for people at a terminal.

    model.py:12:5: E7101 module-super-init-missing Net defines __init__ but never calls super().__init__()

Columns are 1-based here, as editors and terminals expect for `path:line:col` links. Colours only
when the output is a terminal (rich decides; NO_COLOR and FORCE_COLOR are honoured).
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.text import Text

from torchport.advisor.checking import CheckResult, Diagnostic

_STYLES = {"fatal": "bold red", "error": "red", "warning": "yellow"}


def write(result: CheckResult, out: TextIO) -> None:
    console = Console(file=out, highlight=False, soft_wrap=True)
    for diagnostic in result.diagnostics:
        console.print(_line(diagnostic))
    for error in result.errors:
        console.print(Text.assemble((error.path.as_posix(), "bold"), ": ", ("cannot analyse", "bold red"),
                                    f": {error.message}"))
    console.print(_summary(result))


def _line(d: Diagnostic) -> Text:
    return Text.assemble(
        (f"{d.path}:{d.line}:{d.column + 1}:", "bold"), " ",
        (d.msgid, _STYLES.get(d.severity, "cyan")), " ",
        (d.symbol, "dim"), " ",
        d.message,
    )


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
