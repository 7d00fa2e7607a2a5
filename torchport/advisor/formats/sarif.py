"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run of the `torchport` driver. Each message of the catalogue that was reported is a rule (`id` the
message id such as E7101, `name` its symbol, help from `torchport explain`); a finding is a result
with a 1-based region. Files that could not be read or parsed are `toolExecutionNotifications` of
level error with the file's location, and make `executionSuccessful` false.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from torchport.advisor.checking import CheckResult, Diagnostic
from torchport.advisor.formats.common import LEVELS, torchport_version
from torchport.messages import Message

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def to_data(result: CheckResult) -> dict[str, Any]:
    messages = sorted({d.msgid: d.definition for d in result.diagnostics}.values(),
                      key=lambda m: m.msgid)
    index = {m.msgid: i for i, m in enumerate(messages)}
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "torchport",
            "version": torchport_version(),
            "rules": [_rule(m) for m in messages],
        }},
        "results": [_result(d, index[d.msgid]) for d in result.diagnostics],
        "invocations": [{
            "executionSuccessful": not result.errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": e.message},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": e.path.as_posix()}}}]}
                for e in result.errors
            ],
        }],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def write(result: CheckResult, out: TextIO) -> None:
    json.dump(to_data(result), out, indent=2)
    out.write("\n")


def _rule(message: Message) -> dict[str, Any]:
    return {
        "id": message.msgid,
        "name": message.symbol,
        "shortDescription": {"text": message.description},
        "fullDescription": {"text": message.what},
        "help": {
            "text": f"{message.why}\n\nInstead of:\n{message.bad}\n\nWrite:\n{message.good}",
            "markdown": (f"{message.why}\n\nInstead of:\n```python\n{message.bad}\n```\n\n"
                         f"Write:\n```python\n{message.good}\n```"),
        },
        "defaultConfiguration": {"level": LEVELS[message.severity][0]},
        "properties": {"tags": ["pytorch", message.symbol]},
    }


def _result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": diagnostic.line, "startColumn": diagnostic.column + 1}
    if diagnostic.end_line is not None and diagnostic.end_column is not None:
        region |= {"endLine": diagnostic.end_line, "endColumn": diagnostic.end_column + 1}
    return {
        "ruleId": diagnostic.msgid,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity][0],
        "message": {"text": f"{diagnostic.message} ({diagnostic.symbol})"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": diagnostic.path},
            "region": region,
        }}],
    }
