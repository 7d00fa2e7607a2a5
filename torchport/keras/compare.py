"""Compare a Keras model with its PyTorch port, layer by layer, without running either.

1. Both models become graphs of comparable units (`compare_units`), each listed in a canonical order
   (post-order from the outputs, operations that commute in one order), so a branch written first in one
   program and second in the other, or relu written after max pooling, still lines up.
2. The torch model is traced by the shape interpreter with the Keras input shape translated to torch's
   layout (channels-first for a convolutional input, time-major for an RNN without batch_first), so both
   sides' shapes are concrete where Keras's are.
3. The two unit lists are aligned by their keys (the most pairs, then the most pairs whose arguments
   agree); an unpaired unit is a missing or an extra layer (an unpaired activation a different activation).
4. Each pair's arguments are compared in one vocabulary; then, where the pair's inputs agree and its own
   differences do not explain them, the translated output shapes and the parameter counts (after the
   conventions of `compare_kinds.CONVENTION_TEXTS`). The torch file's loss findings (72xx) tell whether a
   softmax or a sigmoid kept from Keras meets a loss that expects logits, and torch's shape errors on the
   Keras input (73xx) are differences too.
5. The rows are shown in the order the user reads the models (`display_order`): the Keras model's data order
   (its layers as listed or called, each `activation=` step right after its layer), a row of the port alone
   right after the row of the port's unit before it. The canonical order is for alignment only.

Every difference has a kind from `compare_kinds.KINDS`. Nothing is claimed where something is unknown.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.advisor.shape_findings import shape_findings
from torchport.advisor.summarize import Analysis, SummaryError, analyse
from torchport.advisor.summary_model import nesting, param_count
from torchport.advisor.summary_model import notes as trace_notes
from torchport.advisor.target import Target
from torchport.keras.compare_kinds import CONVENTION_TEXTS, KINDS, Kind, is_difference
from torchport.keras.compare_units import (
    PERMUTES,
    Graph,
    Unit,
    channels_first_key,
    keras_graph,
    tensors,
    torch_graph,
    wired_units,
)
from torchport.keras.layouts import BATCH_MAJOR, CHANNELS_FIRST, TIME_MAJOR, to_torch
from torchport.keras.model import KerasModel
from torchport.rules import run_family


class CompareError(ValueError):
    """The two models cannot be compared (e.g. different numbers of inputs); the message is one line."""


@dataclass(frozen=True)
class Difference:
    kind: str
    detail: str  # one sentence: the two values
    keras: str | None = None  # the Keras unit's label
    torch: str | None = None  # the torch unit's label
    line: int | None = None  # where in the torch file

    @property
    def info(self) -> Kind:
        return KINDS[self.kind]


@dataclass
class Row:
    keras: Unit | None
    torch: Unit | None
    differences: list[Difference] = field(default_factory=list)


@dataclass
class Comparison:
    keras: KerasModel
    torch_class: str
    torch_file: str
    torch_line: int
    torch_inputs: list[Any]  # nestings, as the interpreter ran forward
    torch_input_source: str
    rows: list[Row]
    keras_total: int | None
    torch_total: int | None
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # both models read and followed entirely (else missing/extra layers are not claimed)

    @property
    def differences(self) -> list[Difference]:
        return [difference for row in self.rows for difference in row.differences]

    @property
    def equivalent(self) -> bool:
        """Equal up to the framework conventions (only info notes)."""
        return not any(is_difference(d.kind) for d in self.differences)


# --------------------------------------------------------------------------------- entry point

def compare(keras: KerasModel, path: Path, module: nodes.Module, cls: nodes.ClassDef, target: Target) -> Comparison:
    """Compare a Keras model with the torch Module class `cls` of `module` (read from `path`)."""
    keras_side = keras_graph(keras)
    analysis, layouts = _trace_with_keras_inputs(keras, keras_side, path, module, cls, target)
    torch_side = torch_graph(analysis.trace)
    rows = align(keras_side.units, torch_side.units)
    logits_losses = _logits_losses(module)
    unpaired = {id(unit) for row in rows if row.keras is None or row.torch is None
                for unit in (row.keras, row.torch) if unit is not None}
    for row in rows:
        row.differences = pair_differences(row, keras_side, torch_side, unpaired, logits_losses)
    _port_errors(rows, analysis)
    _derived_differences(rows, keras_side, torch_side, shapes=not keras_side.channels_first)
    notes = [f"Keras: {note}" for note in keras_side.notes]
    notes += [f"the port: {note}" for note in trace_notes(analysis.trace)]
    if not keras_side.complete:
        notes.append(f"the Keras model was not read entirely: {_NOT_CLAIMED}")
    if not torch_side.complete:
        notes.append(f"the port's forward was not followed to the end: {_NOT_CLAIMED}")
    else:
        notes += [f"the port: {note}" for note in _unused_layers(analysis)]
    if not (keras_side.complete and torch_side.complete):  # an unpaired unit may be what was not read
        for row in rows:
            if row.keras is None or row.torch is None:
                row.differences = [d for d in row.differences if d.kind not in UNPAIRED]
    rows = display_order(rows, keras_data_order(keras), torch_side.data_order)
    root = analysis.trace.root
    source = f"the Keras input{'s' if len(layouts) > 1 else ''}, {', '.join(dict.fromkeys(layouts))}" if layouts \
        else analysis.inputs.source
    return Comparison(
        keras=keras, torch_class=cls.name, torch_file=str(path), torch_line=cls.lineno or 0,
        torch_inputs=[nesting(v) for v in analysis.inputs.values], torch_input_source=source,
        rows=rows, keras_total=keras.total_params,
        torch_total=param_count(root) if root is not None else None, notes=notes,
        complete=keras_side.complete and torch_side.complete,
    )


def _trace_with_keras_inputs(keras: KerasModel, keras_side: Graph, path: Path, module: nodes.Module,
                             cls: nodes.ClassDef, target: Target) -> tuple[Analysis, list[str]]:
    """The port traced on the Keras input shapes in torch's layout, and those layouts; on torchport's own
    input choice (and no layouts) when Keras's shapes are unknown. Each input's layout is guessed from the
    Keras layer that reads it, then checked against the torch layer that reads it (`input_layout`): a
    wrong guess costs a second trace."""
    try:
        if not keras.inputs or any(not keras_input.shape for keras_input in keras.inputs):
            return analyse(path, module, cls, target, []), []
        if keras_side.channels_first:  # Keras holds its images as torch does: the shapes are taken as they are
            shapes = [torch_input_shape(keras_input.shape, BATCH_MAJOR) for keras_input in keras.inputs]
            return analyse(path, module, cls, target, shapes), ["as Keras holds it"] * len(shapes)
        layouts = [_guess_layout(keras_side, i) for i in range(len(keras.inputs))]
        for _ in range(2):
            shapes = [torch_input_shape(keras_input.shape, layout)
                      for keras_input, layout in zip(keras.inputs, layouts)]
            analysis = analyse(path, module, cls, target, shapes)
            graph = torch_graph(analysis.trace)
            found = [input_layout(graph, analysis, i, len(keras_input.shape))
                     for i, keras_input in enumerate(keras.inputs)]
            if found == layouts:
                break
            layouts = found
        return analysis, layouts
    except SummaryError as error:
        raise CompareError(f"{error} (the Keras model has {len(keras.inputs)} input"
                           f"{'s' if len(keras.inputs) != 1 else ''})") from None


def _guess_layout(keras_side: Graph, index: int) -> str:
    reader = next((unit for unit in keras_side.units if -1 - index in unit.sources), None)
    return CHANNELS_FIRST if reader is not None and channels_first_key(reader.key) else BATCH_MAJOR


def input_layout(graph: Graph, analysis: Analysis, index: int, rank: int) -> str:
    """The layout the port expects input `index` in: channels-first when a convolution or pooling reads
    it, time-major for an RNN without batch_first, Keras's own when forward permutes it first."""
    value = analysis.trace.inputs[index] if index < len(analysis.trace.inputs) else None
    ids = {id(t) for t in tensors(value)}
    if any(op.name in PERMUTES and any(id(t) in ids for t in tensors(list(op.inputs)))
           for op in analysis.trace.op_calls):
        return BATCH_MAJOR
    reader = next((unit for unit in graph.units if -1 - index in unit.sources), None)
    if reader is None:
        return BATCH_MAJOR
    if channels_first_key(reader.key) or (reader.key == "batchnorm" and rank >= 3):
        return CHANNELS_FIRST
    return reader.layout if reader.key in ("lstm", "gru", "rnn") else BATCH_MAJOR


_SYMBOLS = {3: ("T",), 4: ("H", "W"), 5: ("D", "H", "W")}


def torch_input_shape(shape: tuple[int | None, ...], layout: str) -> tuple[Any, ...]:
    """A Keras input shape (None batch) as the torch tensor forward receives: unknown dims become symbols."""
    names = iter(_SYMBOLS.get(len(shape), tuple(f"D{i}" for i in range(1, len(shape)))))
    symbolic = tuple(dims.symbol("N") if i == 0 else d if d is not None else dims.symbol(next(names, f"D{i}"))
                     for i, d in enumerate(shape))
    return to_torch(symbolic, layout)


# ---------------------------------------------------------------------------------- alignment

def align(left: list[Unit], right: list[Unit]) -> list[Row]:
    """Pair the units of two canonical lists, in order: the most pairs of equal keys, and among those the
    most pairs whose arguments agree (so an extra layer is the one that does not fit); the rest unpaired."""
    n, m = len(left), len(right)

    def score(i: int, j: int) -> int:
        if left[i].key != right[j].key:
            return -1
        return 3 if not any(is_difference(d.kind) for d in _matched(left[i], right[j])) else 2

    scores = [[score(i, j) for j in range(m)] for i in range(n)]
    best = [[0] * (m + 1) for _ in range(n + 1)]  # best[i][j]: the best score of left[i:] with right[j:]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            paired = best[i + 1][j + 1] + scores[i][j] if scores[i][j] > 0 else -1
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    rows: list[Row] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and scores[i][j] > 0 and best[i][j] == best[i + 1][j + 1] + scores[i][j]:
            rows.append(Row(left[i], right[j]))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i][j] == best[i + 1][j]):
            rows.append(Row(left[i], None))
            i += 1
        else:
            rows.append(Row(None, right[j]))
            j += 1
    return rows


# ------------------------------------------------------------------------------- display order

def keras_data_order(keras: KerasModel) -> list[str]:
    """The labels of the Keras model's units in its data order: each unit after the units it reads, among those
    ready the one constructed first (its line, then `model.layers` order), so a Sequential's units are in its
    list's order, a Functional's in the order of its calls (a helper function's layers in the order each call
    makes them), a layer's `activation=` right after it, a nested model's units in its place. Units from
    `compare_units.wired_units`, before the canonical order."""
    units = wired_units(keras)[0]
    waiting = [len({s for s in unit.sources if 0 <= s < len(units)}) for unit in units]
    readers: dict[int, list[int]] = {}
    for index, unit in enumerate(units):
        for source in {s for s in unit.sources if 0 <= s < len(units)}:
            readers.setdefault(source, []).append(index)
    ready = [(unit.line, index) for index, unit in enumerate(units) if not waiting[index]]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        for reader in readers.get(index, []):
            waiting[reader] -= 1
            if not waiting[reader]:
                heapq.heappush(ready, (units[reader].line, reader))
    order += [index for index in range(len(units)) if waiting[index]]  # a cycle (not expected): the list's order
    return [units[index].label for index in order]


def display_order(rows: list[Row], keras_order: list[str], torch_units: list[Unit]) -> list[Row]:
    """The aligned rows (the same rows) in the order the user reads the models: the rows of a Keras unit in the
    Keras model's data order (`keras_order`: unit labels, a label listed twice taken in turn); each row of a
    torch unit alone right after the row of the nearest unit before it in `torch_units` that has a row (the
    port's data order, `Graph.data_order`), first when none has. A Keras unit not in `keras_order` stays after
    the Keras row before it."""
    places: dict[str, list[int]] = {}
    for place, label in enumerate(keras_order):
        places.setdefault(label, []).append(place)
    keyed: list[tuple[tuple[int, int], Row]] = []
    key = (-1, 0)
    for row in rows:
        if row.keras is None:
            continue
        free = places.get(row.keras.label)
        key = (free.pop(0), 0) if free else (key[0], key[1] + 1)
        keyed.append((key, row))
    shown = [row for _, row in sorted(keyed, key=lambda item: item[0])]
    position = {id(unit): index for index, unit in enumerate(torch_units)}
    alone = [row for row in rows if row.keras is None and row.torch is not None]
    for row in sorted(alone, key=lambda row: position.get(id(row.torch), 0)):  # an extra after an extra: after it
        shown_at = {id(other.torch): i for i, other in enumerate(shown) if other.torch is not None}
        earlier = reversed(torch_units[:position.get(id(row.torch), 0)])
        at = next((shown_at[id(unit)] for unit in earlier if id(unit) in shown_at), -1)
        shown.insert(at + 1, row)
    return shown


# -------------------------------------------------------------------------------- differences

# compared attribute -> the kind of difference when the two values differ
ATTRIBUTE_KINDS: dict[str, str] = {
    "units": "different-units", "vocab": "different-units", "kernel": "different-kernel",
    "stride": "different-stride", "dilation": "different-dilation", "bias": "different-bias",
    "op": "different-pooling", "rate": "different-rate", "name": "different-activation",
    "bidirectional": "different-units",
}
# kinds after which the shapes and counts downstream differ as a consequence
CASCADES = frozenset({"different-units", "different-kernel", "different-stride", "different-padding",
                      "different-dilation", "different-shape", "port-shape-error", "missing-layer", "extra-layer"})
UNPAIRED = frozenset({"missing-layer", "extra-layer", "different-activation"})  # kinds of an unpaired unit
_NOT_CLAIMED = "missing or extra layers and activations are not claimed"
_PASS_THROUGH = frozenset({"activation", "dropout"})  # a missing or extra one changes no shape
_LOGITS_LOSSES = {"softmax-before-cross-entropy": ("softmax", "softmax-with-logits-loss"),
                  "sigmoid-before-bce-with-logits": ("sigmoid", "sigmoid-with-logits-loss")}
# losses fed logits where they expect (log-)probabilities: then a Keras softmax/sigmoid the port dropped is missed
_PROBABILITY_LOSSES = {"nll-loss-without-log-softmax": "nn.NLLLoss expects log-probabilities",
                       "bce-loss-without-sigmoid": "nn.BCELoss expects probabilities"}


def pair_differences(row: Row, keras_side: Graph, torch_side: Graph, unpaired: set[int],
                     logits_losses: dict[str, set[int]]) -> list[Difference]:
    """The differences of one aligned row (derived ones, shapes and counts, come later). An unpaired
    activation right after an unpaired layer belongs to that layer's difference."""
    k, t = row.keras, row.torch
    if t is not None and _final(t, torch_side) and t.key == "activation":
        loss_kind = _logits_loss_kind(t, logits_losses)
        if loss_kind is not None:
            text = f"the port returns {t.attrs.get('name')} output and its loss expects logits"
            return [_diff(loss_kind, text, k, t)]
    if k is not None and t is not None:
        if k.key == "activation" and _final(k, keras_side) and _final(t, torch_side) and \
                (k.attrs.get("name"), t.attrs.get("name")) == ("softmax", "log_softmax"):
            return [_diff("log-softmax-output", "Keras applies softmax last, the port log_softmax", k, t)]
        return _matched(k, t) + _time_major(k, t, torch_side)
    unit, graph = (k, keras_side) if k is not None else (t, torch_side)
    assert unit is not None
    if unit.key == "activation":
        if any(id(graph.units[s]) in unpaired for s in unit.sources[:1] if s >= 0):
            return []
        if k is not None and _final(k, keras_side) and k.attrs.get("name") in ("softmax", "sigmoid"):
            text = f"Keras applies {k.attrs['name']} last; the port returns logits"
            wrong = [_PROBABILITY_LOSSES[symbol] for symbol in logits_losses if symbol in _PROBABILITY_LOSSES]
            if wrong:
                return [_diff("different-activation", f"{text}, but {wrong[0]}", k, None)]
            return [_diff("logits-output", text, k, None)]
        text = f"Keras applies {unit.attrs.get('name')} here; the port applies none" if k is not None \
            else f"the port applies {unit.attrs.get('name')} here; Keras applies none"
        return [_diff("different-activation", text, k, t)]
    index = graph.units.index(unit)
    after = [u.attrs.get("name") for u in graph.units
             if u.key == "activation" and u.sources[:1] == (index,) and id(u) in unpaired]
    also = f", nor the {after[0]} after it" if after else ""
    if k is not None:
        return [_diff("missing-layer", f"{k.label} has no counterpart in the port{also}", k, None)]
    return [_diff("extra-layer", f"{unit.label} has no counterpart in the Keras model{also}", None, t)]


def _matched(k: Unit, t: Unit) -> list[Difference]:
    found: list[Difference] = []
    for attr, kind in ATTRIBUTE_KINDS.items():
        if attr in k.attrs and attr in t.attrs and not _equal(k.attrs[attr], t.attrs[attr]):
            found.append(_diff(kind, _values_text(attr, k, t), k, t))
    if "padding" in k.attrs and "padding" in t.attrs and not same_padding(k, t):
        text = f"padding={k.attrs['padding']!r} in Keras, {_padding_text(t.attrs['padding'])} in the port"
        found.append(_diff("different-padding", text + _same_hint(k), k, t))
    if k.key == "batchnorm":
        found.extend(_batchnorm(k, t))
    return found


def _time_major(k: Unit, t: Unit, torch_side: Graph) -> list[Difference]:
    """A time-major torch RNN fed by a batch-major layer (embedding, linear) with no transpose between."""
    source = t.sources[0] if t.sources else -1
    if t.key not in ("lstm", "gru", "rnn") or t.layout != TIME_MAJOR or t.permuted or source < 0 \
            or torch_side.units[source].layout != BATCH_MAJOR:
        return []
    return [_diff("rnn-batch-first", f"{t.label} is built without batch_first=True and reads the batch-major output "
                                     f"of {torch_side.units[source].label}", k, t)]


def _values_text(attr: str, k: Unit, t: Unit) -> str:
    if attr in ("name", "op"):  # an activation or a pooling: the names say it
        return f"{k.attrs[attr]} in Keras, {t.attrs[attr]} in the port"
    return f"{k.spelled[attr]}={k.attrs[attr]!r} in Keras, {t.spelled[attr]}={t.attrs[attr]!r} in the port"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-6)
    return bool(a == b)


def same_padding(k: Unit, t: Unit) -> bool:
    """Whether the port pads as Keras's 'valid' / 'same' does (judged with the Keras kernel, so a wrong kernel
    is not also a wrong padding); True when it cannot be told."""
    keras_padding, torch_padding = k.attrs["padding"], t.attrs["padding"]
    kernel, dilation = k.attrs.get("kernel"), k.attrs.get("dilation") or t.attrs.get("dilation")
    if keras_padding not in ("valid", "same") or not isinstance(kernel, tuple):
        return True
    dilation = dilation if isinstance(dilation, tuple) else (1,) * len(kernel)
    span = tuple(d * (size - 1) for size, d in zip(kernel, dilation))  # what 'same' pads in all, per dim
    if k.key.startswith("pool"):
        mode, pads = torch_padding
        if keras_padding == "valid":
            return mode == "floor" and all(p == 0 for p in pads)
        exact = _tensorflow_pool_padding(k, pads)
        if exact is not None:
            return exact
        return (mode == "ceil" and all(p == 0 for p in pads)) or all(2 * p == s for p, s in zip(pads, span))
    if torch_padding == "same":
        return keras_padding == "same" or all(s == 0 for s in span)
    pads = (0,) * len(kernel) if torch_padding == "valid" else torch_padding
    if not isinstance(pads, tuple) or not all(isinstance(p, int) for p in pads):
        return True
    if keras_padding == "valid":
        return all(p == 0 for p in pads)
    return all(2 * p == s for p, s in zip(pads, span))


def _tensorflow_pool_padding(k: Unit, pads: tuple[int, ...]) -> bool | None:
    """For a Keras 'same' pooling of known input and output sizes: whether torch's windows start where
    TensorFlow's do (it pads P = (out - 1)·stride + pool - size, P // 2 before), whatever ceil_mode (the output
    sizes are compared on their own). None when a size is unknown."""
    kernel, stride = k.attrs.get("kernel"), k.attrs.get("stride")
    source, output = k.input, k.output
    if not (isinstance(kernel, tuple) and isinstance(stride, tuple) and isinstance(source, tuple)
            and isinstance(output, tuple) and len(source) == len(output) == len(kernel) + 2 == len(pads) + 2):
        return None
    for size, out, window, step, pad in zip(source[1:-1], output[1:-1], kernel, stride, pads):
        if not isinstance(size, int) or not isinstance(out, int):
            return None
        if pad != max((out - 1) * step + window - size, 0) // 2:
            return False
    return True


def _same_hint(k: Unit) -> str:
    """What torch's padding for Keras's 'same' is, for the Keras kernel and dilation (an odd window only)."""
    kernel, dilation = k.attrs.get("kernel"), k.attrs.get("dilation")
    if k.attrs.get("padding") != "same" or not isinstance(kernel, tuple) or k.key.startswith("pool"):
        return ""
    dilation = dilation if isinstance(dilation, tuple) else (1,) * len(kernel)
    spans = [d * (size - 1) for size, d in zip(kernel, dilation)]
    if any(span % 2 for span in spans):
        return ""
    pads = tuple(span // 2 for span in spans)
    return f" (Keras's 'same' here is padding={pads[0] if len(set(pads)) == 1 else pads})"


def _padding_text(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("floor", "ceil"):
        return f"padding={value[1]!r}" + (", ceil_mode=True" if value[0] == "ceil" else "")
    return f"padding={value!r}"


def _batchnorm(k: Unit, t: Unit) -> list[Difference]:
    found = []
    keras_m, torch_m = k.attrs.get("momentum"), t.attrs.get("momentum")
    if isinstance(keras_m, (int, float)) and isinstance(torch_m, (int, float)) and not _equal(torch_m, 1 - keras_m):
        copied = _equal(torch_m, keras_m) and keras_m >= 0.5
        found.append(_diff("batchnorm-momentum-copied" if copied else "batchnorm-momentum",
                           f"momentum={keras_m:g} in Keras, momentum={torch_m:g} in the port: torch's equivalent "
                           f"is momentum={1 - keras_m:g}", k, t))
    keras_eps, torch_eps = k.attrs.get("eps"), t.attrs.get("eps")
    if isinstance(keras_eps, float) and isinstance(torch_eps, float) and not _equal(keras_eps, torch_eps):
        found.append(_diff("batchnorm-eps", f"epsilon={keras_eps:g} in Keras, eps={torch_eps:g} in the port", k, t))
    return found


def _final(unit: Unit, graph: Graph) -> bool:
    return any(graph.units[o] is unit for o in graph.outputs)


def _logits_losses(module: nodes.Module) -> dict[str, set[int]]:
    """The torch file's findings of an activation before a loss that applies it, or of logits fed to a loss
    that expects probabilities: symbol -> the lines the finding names."""
    found: dict[str, set[int]] = {}
    for finding in run_family("losses", module):
        if finding.symbol in _LOGITS_LOSSES or finding.symbol in _PROBABILITY_LOSSES:
            found.setdefault(finding.symbol, set()).update(int(n) for n in re.findall(r"line (\d+)", finding.text))
    return found


def _logits_loss_kind(unit: Unit, logits_losses: dict[str, set[int]]) -> str | None:
    for symbol, lines in logits_losses.items():
        if symbol not in _LOGITS_LOSSES:
            continue
        activation, kind = _LOGITS_LOSSES[symbol]
        if unit.attrs.get("name") == activation and (not lines or lines & set(unit.lines)):
            return kind
    return None


def _diff(kind: str, detail: str, k: Unit | None, t: Unit | None) -> Difference:
    return Difference(kind, detail, k.label if k else None, t.label if t else None, t.line if t else None)


def _derived_differences(rows: list[Row], keras_side: Graph, torch_side: Graph, shapes: bool = True) -> None:
    """Output shapes (unless `shapes` is False) and parameter counts of each pair whose inputs agree (the
    same pair feeds both, with the same shape) and whose own differences do not explain them; a count that
    differs by a framework convention only is an info note."""
    partner = {id(row.keras): row.torch for row in rows if row.keras is not None and row.torch is not None}
    for row in rows:
        k, t = row.keras, row.torch
        if k is None or t is None or k.key == "activation":
            continue
        explained = any(d.kind in CASCADES or d.kind == "different-bias" for d in row.differences) \
            or not _inputs_agree(k, t, keras_side, torch_side, partner)
        counts = _count_difference(k, t)
        if counts is not None and (counts.kind == "params-convention" or not explained):
            row.differences.append(counts)
        if shapes and not explained and not any(d.kind == "different-params" for d in row.differences) \
                and not same_shape(k, t):
            row.differences.append(_diff("different-shape", f"Keras {_shape(k.output)} is "
                                         f"{_shape(to_torch(k.output, t.layout))} in torch's layout; "
                                         f"the port gives {_shape(t.output)}", k, t))


def _inputs_agree(k: Unit, t: Unit, keras_side: Graph, torch_side: Graph, partner: dict[int, Unit | None]) -> bool:
    """Whether a pair reads the same thing on both sides: the same model inputs, or paired units of the same
    shape (an activation or a dropout in between looked through, as they keep the shape)."""
    keras_sources = [_through_pass(s, keras_side) for s in k.sources]
    torch_sources = [_through_pass(s, torch_side) for s in t.sources]
    if len(keras_sources) != len(torch_sources):
        return False
    for a, b in zip(keras_sources, torch_sources):
        if a < 0 or b < 0:
            if a != b:
                return False
            continue
        keras_unit, torch_unit = keras_side.units[a], torch_side.units[b]
        if partner.get(id(keras_unit)) is not torch_unit or not same_shape(keras_unit, torch_unit):
            return False
    return True


def _through_pass(index: int, graph: Graph) -> int:
    while index >= 0 and graph.units[index].key in _PASS_THROUGH and graph.units[index].sources:
        index = graph.units[index].sources[0]
    return index


def _port_errors(rows: list[Row], analysis: Analysis) -> None:
    """Errors torch raises running the port on the Keras input, on the row of the layer they name."""
    for finding in shape_findings(analysis.trace, conditions=False):
        row = next((r for r in rows if r.torch is not None and finding.line in r.torch.lines), None) \
            or next((r for r in reversed(rows) if r.torch is not None), None)
        if row is not None:
            row.differences.append(_diff("port-shape-error", finding.text, row.keras, row.torch))


def _count_difference(k: Unit, t: Unit) -> Difference | None:
    if not isinstance(k.params, int) or not isinstance(t.params, int) or k.params == t.params:
        return None
    convention = convention_count(k)
    if convention == t.params:
        return _diff("params-convention", f"{k.params:,} params in Keras, {t.params:,} in the port: "
                                          f"{CONVENTION_TEXTS[k.key]}", k, t)
    return _diff("different-params", f"{k.params:,} params in Keras, {t.params:,} in the port", k, t)


_EXTRA_BIASES = {"lstm": 4, "rnn": 1}


def convention_count(k: Unit) -> int | None:
    """The torch parameter count of the layer equivalent to a Keras layer, when the conventions differ."""
    if k.key == "batchnorm":  # Keras: (center + scale + 2 moving) per channel; torch: the affine ones
        per_channel = 2 + bool(k.attrs.get("center", True)) + bool(k.attrs.get("scale", True))
        return k.params - 2 * (k.params // per_channel) if k.params is not None else None
    units, params = k.attrs.get("units"), k.params
    if k.key not in ("lstm", "gru", "rnn") or not isinstance(units, int) or params is None:
        return None
    gates = 0 if k.key == "gru" and k.attrs.get("reset_after", True) else _EXTRA_BIASES.get(k.key, 3)
    return params + gates * units * (2 if k.attrs.get("bidirectional") else 1) if gates else None


def same_shape(k: Unit, t: Unit) -> bool:
    """Whether the output shapes agree once Keras's is in torch's layout; True when it cannot be told (unknown
    dims, different ranks, a recurrent layer: the last dim only, as Keras may return the last step only)."""
    keras_shape = k.output
    torch_shape = t.output[0] if isinstance(t.output, list) and t.output and isinstance(t.output[0], list) \
        else t.output
    if not isinstance(keras_shape, tuple) or not isinstance(torch_shape, list) or not keras_shape:
        return True
    if k.key in ("lstm", "gru", "rnn"):
        if k.attrs.get("merge", "concat") != "concat":  # a Bidirectional's sum/mul/ave: torch merges after
            return True
        a, b = keras_shape[-1], torch_shape[-1]
        return not (isinstance(a, int) and isinstance(b, int) and a != b)
    translated = to_torch(keras_shape, t.layout)
    if len(translated) != len(torch_shape):
        return True
    batch = 1 if t.layout == TIME_MAJOR else 0
    return all(not (isinstance(a, int) and isinstance(b, int) and a != b)
               for i, (a, b) in enumerate(zip(translated, torch_shape)) if i != batch)


def _shape(value: Any) -> str:
    if isinstance(value, (tuple, list)) and all(isinstance(d, (int, str)) or d is None for d in value):
        return "(" + ", ".join("None" if d is None else str(d) for d in value) + ")"
    return str(value)


def _unused_layers(analysis: Analysis) -> list[str]:
    """Torch layers built in __init__ but never called in forward (asked only of a fully followed forward)."""
    root = analysis.trace.root
    if root is None:
        return []
    called = {id(call.module) for call in analysis.trace.module_calls}
    return [f"{name} ({module.short_type}) is built but never called in forward"
            for name, module in root.named_modules()
            if module.layer is not None and module.classdef is None and id(module) not in called]
