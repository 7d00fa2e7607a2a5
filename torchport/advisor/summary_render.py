"""Render model summaries: a Keras / torchinfo-style table (rich), or JSON.

JSON: `{"models": [{"class", "file", "line", "input", "input_source", "args_source", "output",
"layers": [{"name", "type", "output", "params"}], "total_params", "trainable_params", "findings": [{"line", "symbol", "where", "kind", "message"}],
"notes"}]}`; a finding's symbol is its 73xx message (null when none describes it). A dim is an int or its expression as a string (`"N"`, `"H//2"`, `"?"` when unknown); an
output of several tensors is the same nesting of shapes (an LSTM's `[[N, T, H], [[1, N, H], [1, N, H]]]`);
an unknown count is null.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from torchport.advisor.summary_model import ModelSummary, Nesting


def to_json(summaries: list[ModelSummary]) -> str:
    """Indented JSON with each shape on one line."""
    text = json.dumps({"models": [_model_json(s) for s in summaries]}, indent=2)
    return _FLAT_ARRAY.sub(_one_line, text)


_FLAT_ARRAY = re.compile(r"\[[^\[\]{}]*\]")  # an array of scalars (a shape), as json.dumps indents it


def _one_line(match: re.Match[str]) -> str:
    try:
        return json.dumps(json.loads(match.group(0)))
    except ValueError:  # brackets inside a string: leave the text as it is
        return match.group(0)


def _model_json(s: ModelSummary) -> dict[str, Any]:
    return {
        "class": s.class_name,
        "file": s.file,
        "line": s.line,
        "input": s.inputs,
        "input_source": s.input_source,
        "args_source": s.args_source,
        "output": s.output,
        "layers": [{"name": r.name, "type": r.type, "output": r.output, "params": r.params} for r in s.layers],
        "total_params": s.total_params,
        "trainable_params": s.trainable_params,
        "findings": [{"line": f.line, "symbol": f.symbol, "where": f.where, "kind": f.kind, "message": f.message}
                     for f in s.findings],
        "notes": s.notes,
    }


def shape_text(value: Nesting) -> str:
    """`(N, 32, 14, 14)`; several outputs as `[(N, T, 64), [(1, N, 64), (1, N, 64)]]`."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shape_text(v)}" for k, v in value.items()) + "}"
    if all(isinstance(d, (int, str)) for d in value):
        return "(" + ", ".join(str(d) for d in value) + ("," if len(value) == 1 else "") + ")"
    return "[" + ", ".join(shape_text(v) for v in value) + "]"


def count_text(count: int | None) -> str:
    return "?" if count is None else f"{count:,}"


def render_rich(summaries: list[ModelSummary], console: Console) -> None:
    for index, summary in enumerate(summaries):
        if index:
            console.print()
        console.print(model_renderable(summary))


def model_renderable(s: ModelSummary) -> Group:
    title = Text.assemble((s.class_name, "bold"), f"  {s.file}:{s.line}")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("Layer (type)", overflow="fold", ratio=5)
    table.add_column("Output shape", overflow="fold", ratio=4)
    table.add_column("Params", justify="right", no_wrap=True)
    for row in s.layers:
        shapes = "\n".join(shape_text(output) for output in (row.output, *row.other_outputs))
        table.add_row(f"{row.name} ({row.type})", shapes, count_text(row.params))
    non_trainable = (s.total_params - s.trainable_params
                     if s.total_params is not None and s.trainable_params is not None else None)
    lines = [
        title,
        Text(f"Arguments: {s.args or '(none)'} — from {s.args_source}", overflow="fold"),
        Text(f"Input: {_inputs_text(s) or '(none)'} — from {s.input_source}", overflow="fold"),
        table,
        Text(f"Output: {shape_text(s.output)}", overflow="fold"),
        Text(f"Total params: {count_text(s.total_params)}"),
        Text(f"Trainable params: {count_text(s.trainable_params)}"),
        Text(f"Non-trainable params: {count_text(non_trainable)}"),
    ]
    for finding in s.findings:
        style = "red" if finding.kind == "error" else "yellow"
        symbol = f" [{finding.symbol}]" if finding.symbol else ""
        lines.append(Text(f"line {finding.line}: {finding.message}{symbol}", style=style, overflow="fold"))
    if s.notes:
        lines.append(Text("Not followed (shapes or counts there are unknown):", style="dim"))
        lines.extend(Text(f"  {note}", style="dim", overflow="fold") for note in s.notes)
    return Group(*lines)


def _inputs_text(s: ModelSummary) -> str:
    """`(N, 1, H, W)`; a dtype other than float is named: `(N, T) int64`."""
    return ", ".join(shape_text(shape) + (f" {dtype}" if dtype and dtype != "float32" else "")
                     for shape, dtype in zip(s.inputs, s.input_dtypes))
