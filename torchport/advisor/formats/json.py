"""`--format json`: one JSON object, for scripts.

    {"version": "<torchport version>", "files": <files analysed>,
     "findings": [{"path", "line", "column", "end_line", "end_column", "symbol", "id", "severity", "message"}],
     "errors": [{"path", "message"}]}

Paths are as found (relative to the working folder when below it, `/`-separated); `line` is 1-based
and `column` 0-based, as pylint reports them; `end_line` / `end_column` may be null. `severity` is
error, warning, refactor, convention or info after `[tool.torchport.severity]` (fatal for
torchport-analysis-error, a bug in torchport). Findings come file by file (command-line order,
folders sorted), by line within a file; `errors` are files that could not be read or parsed, one line of text each.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from torchport.advisor.checking import CheckResult
from torchport.advisor.formats.common import torchport_version


def to_data(result: CheckResult) -> dict[str, Any]:
    return {
        "version": torchport_version(),
        "files": len(result.files) + len(result.errors),
        "findings": [
            {"path": d.path, "line": d.line, "column": d.column, "end_line": d.end_line,
             "end_column": d.end_column, "symbol": d.symbol, "id": d.msgid, "severity": d.severity,
             "message": d.message}
            for d in result.diagnostics
        ],
        "errors": [{"path": e.path.as_posix(), "message": e.message} for e in result.errors],
    }


def write(result: CheckResult, out: TextIO) -> None:
    json.dump(to_data(result), out, indent=2)
    out.write("\n")
