"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=model.py,line=12,col=5,endLine=12,endColumn=30,title=E7101 module-super-init-missing::<message>

Columns are 1-based as GitHub expects. error and fatal findings are `::error`, warnings `::warning`,
the others `::notice`. A file that could not be read or parsed is an `::error` on that file.
"""

from __future__ import annotations

from typing import TextIO

from torchport.advisor.checking import CheckResult, Diagnostic
from torchport.advisor.formats.common import LEVELS


def write(result: CheckResult, out: TextIO) -> None:
    for diagnostic in result.diagnostics:
        out.write(_annotation(diagnostic) + "\n")
    for error in result.errors:
        properties = {"file": error.path.as_posix(), "title": "torchport cannot analyse this file"}
        out.write(f"::error {_properties(properties)}::{_escape_data(error.message)}\n")


def _annotation(d: Diagnostic) -> str:
    properties = {"file": d.path, "line": str(d.line), "col": str(d.column + 1)}
    if d.end_line is not None and d.end_column is not None:
        properties |= {"endLine": str(d.end_line), "endColumn": str(d.end_column + 1)}
    properties["title"] = f"{d.msgid} {d.symbol}"
    return f"::{LEVELS[d.severity][1]} {_properties(properties)}::{_escape_data(d.message)}"


def _properties(properties: dict[str, str]) -> str:
    return ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())


# GitHub's escaping (actions/toolkit, core/src/command.ts)
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
