"""Render a `Comparison`: a rich side-by-side table, or JSON.

Wide terminals (>= 110 columns) get one line per aligned pair: Keras layer | output | params ‖ torch layer |
output | params | difference. Narrower ones (80 columns, a pipe) fold each pair onto two rows, Keras's
above the port's, so nothing is cut. The differences follow the table, each kind's first one with what it does and
what to change.

JSON: `{"keras": {"name", "file", "line", "style", "inputs"}, "torch": {"class", "file", "line", "inputs",
"input_source"}, "rows": [{"keras": UNIT|null, "torch": UNIT|null, "differences": [KIND, ...]}],
"differences": [{"kind", "severity", "keras", "torch", "line", "detail", "why", "change"}],
"totals": {"keras", "torch"}, "equivalent", "complete", "notes"}`, a UNIT being `{"name", "module", "type",
"line", "output", "params"}` (`module`: the torch layer's `named_modules()` name, null for a function call
and on the Keras side). Keras shapes keep Keras's `null` batch; torch shapes are the interpreter's (`"N"` for
the batch).
"""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from torchport.advisor.summary_render import count_text, shape_text
from torchport.keras.compare import Comparison, Row
from torchport.keras.compare_units import Unit

WIDE = 110
_STYLES = {"error": "red", "warning": "yellow", "info": "cyan"}


def to_json(comparison: Comparison) -> str:
    c = comparison
    data = {
        "keras": {"name": c.keras.name, "file": c.keras.file, "line": c.keras.line, "style": c.keras.style,
                  "inputs": [list(i.shape) for i in c.keras.inputs]},
        "torch": {"class": c.torch_class, "file": c.torch_file, "line": c.torch_line, "inputs": c.torch_inputs,
                  "input_source": c.torch_input_source},
        "rows": [{"keras": _unit_json(r.keras), "torch": _unit_json(r.torch),
                  "differences": [d.kind for d in r.differences]} for r in c.rows],
        "differences": [{"kind": d.kind, "severity": d.info.severity, "keras": d.keras, "torch": d.torch,
                         "line": d.line, "detail": d.detail, "why": d.info.why, "change": d.info.change}
                        for d in c.differences],
        "totals": {"keras": c.keras_total, "torch": c.torch_total},
        "equivalent": c.equivalent,
        "complete": c.complete,
        "notes": c.notes,
    }
    return json.dumps(data, indent=2)


def _unit_json(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    output = list(unit.output) if isinstance(unit.output, tuple) else unit.output
    return {"name": unit.label, "module": unit.module or None, "type": unit.type, "line": unit.line,
            "output": output, "params": unit.params}


def render_rich(comparison: Comparison, console: Console) -> None:
    c = comparison
    keras_inputs = ", ".join(_shape(i.shape) for i in c.keras.inputs) or "(none)"
    torch_inputs = ", ".join(shape_text(i) for i in c.torch_inputs) or "(none)"
    lines: list[Any] = [
        Text.assemble((f"{c.keras.name}", "bold"), f"  {c.keras.file}:{c.keras.line}  ↔  ",
                      (c.torch_class, "bold"), f"  {c.torch_file}:{c.torch_line}"),
        Text(f"Input: Keras {keras_inputs} ↔ port {torch_inputs} — {c.torch_input_source}", overflow="fold"),
        _wide_table(c.rows) if console.width >= WIDE else _folded_table(c.rows),
        Text(f"Total params: Keras {count_text(c.keras_total)}, port {count_text(c.torch_total)}"),
    ]
    explained: set[str] = set()  # a kind's explanation is given at its first difference only
    for number, d in enumerate(c.differences, 1):
        where = " ↔ ".join(label for label in (d.keras, d.torch) if label)
        line = f", line {d.line}" if d.line and f"(line {d.line})" not in (d.torch or "") else ""
        why = "" if d.kind in explained else f" {_sentence(d.info.why)} {_sentence(d.info.change)}"
        explained.add(d.kind)
        lines.append(Text.assemble(f"[{number}] ", (f"{d.kind} ({d.info.severity})", _STYLES[d.info.severity]),
                                   f" {where}{line}: {d.detail}.{why}", overflow="fold"))
    for note in c.notes:
        lines.append(Text(f"note: {note}", style="dim", overflow="fold"))
    lines.append(_verdict(c))
    console.print(Group(*lines))


def _verdict(c: Comparison) -> Text:
    counts: dict[str, int] = {}
    for d in c.differences:
        counts[d.info.severity] = counts.get(d.info.severity, 0) + 1
    notes = counts.pop("info", 0)
    noted = f" ({notes} convention note{'s' if notes != 1 else ''})" if notes else ""
    if not counts and not c.complete:
        return Text(f"No difference in what could be followed{noted}: see the notes.", style="bold yellow")
    if not counts:
        return Text(f"Equivalent up to framework conventions{noted}.", style="bold green")
    parts = ", ".join(f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in counts.items())
    return Text(f"Different: {parts}{noted}.", style="bold red")


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _wide_table(rows: list[Row]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for title, justify in (("Keras layer", "left"), ("Output", "left"), ("Params", "right"),
                           ("‖ torch layer", "left"), ("Output", "left"), ("Params", "right"),
                           ("Difference", "left")):
        table.add_column(title, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*_cells(row.keras, keras=True), *_cells(row.torch, keras=False), _kinds(row))
    return table


def _folded_table(rows: list[Row]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Keras layer ‖ torch layer", overflow="fold", ratio=3)
    table.add_column("Output", overflow="fold", ratio=2)
    table.add_column("Params", justify="right", no_wrap=True)
    table.add_column("Diff.", no_wrap=True)
    number = 0
    for index, row in enumerate(rows):
        keras_cells, torch_cells = _cells(row.keras, keras=True), _cells(row.torch, keras=False)
        references = Text()
        for d in row.differences:
            number += 1
            references.append(f"{' ' if len(references) else ''}[{number}]", style=_STYLES[d.info.severity])
        table.add_row(*keras_cells, references)
        table.add_row(f"‖ {torch_cells[0]}", *torch_cells[1:], "", end_section=index < len(rows) - 1)
    return table


def _cells(unit: Unit | None, keras: bool) -> tuple[str, str, str]:
    if unit is None:
        return ("—", "", "")
    output = _shape(unit.output) if keras else shape_text(unit.output)
    label = f"↳ {unit.label.partition(' ')[2]}" if keras and unit.type == "activation" else unit.label
    return (label, output, count_text(unit.params) if unit.params else "0" if unit.params == 0 else "?")


def _kinds(row: Row) -> Text:
    text = Text()
    for index, d in enumerate(row.differences):
        text.append(("\n" if index else "") + d.kind, style=_STYLES[d.info.severity])
    return text


def _shape(shape: Any) -> str:
    """A Keras shape as Keras prints it: `(None, 26, 26, 32)`."""
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if isinstance(shape, tuple):
        return "[" + ", ".join(_shape(s) for s in shape) + "]"
    return "?" if shape is None else str(shape)
