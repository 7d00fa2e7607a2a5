"""The forward walk: each construct the interpreter follows, on small models whose shapes torch confirms.

A case states the model's output and every called submodule's output for concrete inputs; one test
checks torchport infers exactly that, another (skipped without torch) that torch on the meta device
computes the same. Symbolic inputs and the constructs that must stay unknown have tests of their own.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from torchport.advisor import dims
from torchport.advisor.interpreter import Trace, trace_model
from torchport.advisor.sources import parse_text
from torchport.advisor.summary_model import layer_rows, nesting
from torchport.advisor.values import TensorValue

_ids = itertools.count()


def interpret(source: str, cls_name: str, inputs: list[tuple[Any, ...]], kwargs: dict | None = None) -> Trace:
    module = parse_text(textwrap.dedent(source), f"interp_case_{next(_ids)}")
    cls = next(c for c in module.body if getattr(c, "name", None) == cls_name)
    return trace_model(cls, [], dict(kwargs or {}), [TensorValue(tuple(s)) for s in inputs])


def outputs(trace: Trace) -> dict[str, Any]:
    """Every submodule's output nesting (tensors as lists), the model's own under ""."""
    found = {row.name: row.output for row in layer_rows(trace)}
    found[""] = nesting(trace.output)
    return found


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    cls: str
    inputs: list[tuple[int, ...]]
    outputs: dict[str, Any]  # module name -> output nesting ([N, C] for a tensor); "" is the model
    kwargs: dict = field(default_factory=dict)


HEADER = "import torch\nimport torch.nn as nn\n"

CASES = [
    Case("sequential-and-nested-modules-with-arguments", HEADER + """
class Block(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = nn.Conv2d(i, o, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
    def forward(self, x):
        return self.pool(self.conv(x))

class Net(nn.Module):
    def __init__(self, widths=(3, 8, 16)):
        super().__init__()
        self.features = nn.Sequential(*[Block(a, b) for a, b in zip(widths, widths[1:])])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 10))
    def forward(self, x):
        return self.head(self.features(x))
""", "Net", [(2, 3, 16, 16)], {
        "": [2, 10], "features": [2, 16, 4, 4], "features.0": [2, 8, 8, 8], "features.0.conv": [2, 8, 16, 16],
        "features.0.pool": [2, 8, 8, 8], "features.1": [2, 16, 4, 4], "features.1.conv": [2, 16, 8, 8],
        "features.1.pool": [2, 16, 4, 4], "head": [2, 10], "head.0": [2, 256], "head.1": [2, 10],
    }),

    Case("tuple-unpacking-methods-and-helper-functions", HEADER + """
def head(layer, x):
    return layer(x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 6)
        self.mu = nn.Linear(6, 2)
        self.logvar = nn.Linear(6, 2)
        self.dec = nn.Linear(2, 8)
    def encode(self, x):
        h = self.fc1(x)
        return self.mu(h), self.logvar(h)
    def forward(self, x):
        mu, logvar = self.encode(x)
        (a, b), c = (mu, logvar), head(self.dec, mu)
        return c, [a, b]
""", "Net", [(3, 8)], {
        "": [[3, 8], [[3, 2], [3, 2]]], "fc1": [3, 6], "mu": [3, 2], "logvar": [3, 2], "dec": [3, 8],
    }),

    Case("loops-over-modulelist-range-enumerate-zip-and-moduledict", HEADER + """
class Net(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4 + 2 * i, 6 + 2 * i) for i in range(n)])
        self.acts = nn.ModuleList([nn.ReLU() for _ in range(n)])
        self.heads = nn.ModuleDict({"a": nn.Linear(10, 1), "b": nn.Linear(10, 2)})
    def forward(self, x):
        for i in range(len(self.layers)):
            x = self.layers[i](x)
        for i, (layer, act) in enumerate(zip(self.layers[:1], self.acts)):
            x = act(x) if i < 5 else layer(x)
        out = {}
        for name, layer in self.heads.items():
            out[name] = layer(x)
        for key in self.heads:
            out[key + "2"] = self.heads[key](x)
        return out
""", "Net", [(5, 4)], {
        "": {"a": [5, 1], "b": [5, 2], "a2": [5, 1], "b2": [5, 2]}, "layers": None, "layers.0": [5, 6],
        "layers.1": [5, 8], "layers.2": [5, 10], "acts": None, "acts.0": [5, 10], "acts.1": None, "acts.2": None,
        "heads": None, "heads.a": [5, 1], "heads.b": [5, 2],
    }),

    Case("if-on-attributes-and-arguments", HEADER + """
class Net(nn.Module):
    def __init__(self, use_extra=False, mode="fc"):
        super().__init__()
        self.use_extra = use_extra
        self.mode = mode
        self.fc = nn.Linear(4, 4)
        self.extra = nn.Linear(4, 9)
    def forward(self, x, skip=None):
        if self.use_extra:
            x = self.extra(x)
        elif self.mode == "fc" and skip is None:
            x = self.fc(x)
        return x
""", "Net", [(2, 4)], {"": [2, 4], "fc": [2, 4], "extra": None}),

    Case("shared-layer-called-twice-and-two-inputs", HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 4), nn.Tanh())
        self.head = nn.Bilinear(4, 4, 1)
    def embed(self, x):
        return self.encoder(x)
    def forward(self, left, right):
        return self.head(self.embed(left), self.embed(right))
""", "Net", [(3, 6), (3, 6)], {"": [3, 1], "encoder": [3, 4], "encoder.0": [3, 4], "encoder.1": [3, 4],
                               "head": [3, 1]}),

    Case("lstm-outputs-and-state-unpacking", HEADER + """
class Net(nn.Module):
    def __init__(self, vocab=50, emb=8, hidden=12, layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(hidden, 3)
    def forward(self, tokens):
        out, (h, c) = self.lstm(self.emb(tokens))
        return self.fc(h), out
""", "Net", [(4, 7)], {
        "": [[4, 4, 3], [4, 7, 24]], "emb": [4, 7, 8], "lstm": [[4, 7, 24], [[4, 4, 12], [4, 4, 12]]],
        "fc": [4, 4, 3],
    }),

    Case("sequential-subclass-overriding-forward-with-super", HEADER + """
class Stack(nn.Sequential):
    def __init__(self, n):
        layers = []
        for i in range(n):
            layers += [nn.Conv1d(2, 2, 3), nn.ReLU()]
        super().__init__(*layers)
    def forward(self, x):
        return super().forward(x)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stack = Stack(2)
    def forward(self, x):
        return self.stack(x)
""", "Net", [(1, 2, 20)], {"": [1, 2, 16], "stack": [1, 2, 16], "stack.0": [1, 2, 18], "stack.1": [1, 2, 18],
                           "stack.2": [1, 2, 16], "stack.3": [1, 2, 16]}),

    Case("while-loop-with-known-condition-and-break", HEADER + """
class Net(nn.Module):
    def __init__(self, size=32):
        super().__init__()
        blocks = []
        while size > 4:
            blocks.append(nn.Conv2d(1, 1, 3, stride=2, padding=1))
            size //= 2
        self.blocks = nn.Sequential(*blocks)
    def forward(self, x):
        for i, block in enumerate(self.blocks):
            if i == 2:
                break
            x = block(x)
        return x
""", "Net", [(1, 1, 32, 32)], {"": [1, 1, 8, 8], "blocks": None, "blocks.0": [1, 1, 16, 16],
                               "blocks.1": [1, 1, 8, 8], "blocks.2": None}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_inferred_shapes(case: Case) -> None:
    trace = interpret(case.source, case.cls, case.inputs, case.kwargs)
    assert outputs(trace) == case.outputs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cases_state_what_torch_computes(case: Case, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from tests.support.torch_oracle import run_model

    path = tmp_path / "model.py"
    path.write_text(case.source)
    dtypes = ["int64" if "Embedding" in case.source else "float32"] * len(case.inputs)
    result = run_model(path, case.cls, case.kwargs, case.inputs, dtypes)

    expected = {name: _as_torch(value) for name, value in case.outputs.items()}
    seen = {name: _joined(layer.calls) for name, layer in result.layers.items()}
    seen[""] = result.output
    assert seen == expected


def _as_torch(value: Any) -> Any:
    """The oracle's nesting for a case's nesting: a tensor as a tuple of ints."""
    if isinstance(value, list) and all(isinstance(d, int) for d in value):
        return tuple(value)
    if isinstance(value, list):
        return [_as_torch(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_torch(v) for k, v in value.items()}
    return value


def _joined(calls: tuple[Any, ...]) -> Any:
    """A module's output over its calls; the cases only share layers whose calls agree."""
    if not calls:
        return None
    assert all(call == calls[0] for call in calls), calls
    return calls[0]


# ---------------------------------------------------------------------------- symbolic inputs

def test_symbolic_dims_flow_through_layers() -> None:
    n, h, w = dims.symbols("N H W")
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.pool = nn.MaxPool2d(2)
    def forward(self, x):
        return self.pool(self.conv(x))
""", "Net", [(n, 1, h, w)])
    assert outputs(trace) == {"": ["N", 8, "H//2 - 1", "W//2 - 1"], "conv": ["N", 8, "H - 2", "W - 2"],
                              "pool": ["N", 8, "H//2 - 1", "W//2 - 1"]}


def test_paths_that_disagree_keep_only_what_they_share() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.small = nn.Linear(4, 2)
        self.big = nn.Linear(4, 3)
        self.drop = nn.Dropout(0.5)
    def forward(self, x):
        if self.training:  # train() or eval(): both paths are possible
            x = self.drop(x)
        if self.training:
            return self.small(x)
        return self.big(x)
""", "Net", [(5, 4)])
    assert outputs(trace) == {"": [5, "?"], "small": [5, 2], "big": [5, 3], "drop": [5, 4]}


def test_a_loop_of_unknown_length_keeps_a_stable_shape() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.cell = nn.GRUCell(4, 4)
    def forward(self, x):
        h = x
        for _ in range(self.steps):
            h = self.cell(x, h)
        return h
""", "Net", [(2, 4)], {"steps": dims.UNKNOWN})
    assert outputs(trace) == {"": [2, 4], "cell": [2, 4]}


def test_a_loop_of_unknown_length_that_changes_shapes_forgets_them() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.pool = nn.MaxPool1d(2)
    def forward(self, x):
        for _ in range(self.steps):
            x = self.pool(x)
        return x
""", "Net", [(2, 3, 64)], {"steps": dims.UNKNOWN})
    assert nesting(trace.output) in ("?", [2, 3, "?"])


def test_construction_and_call_errors_are_recorded_with_their_layer() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(100, 10)
    def forward(self, x):
        return self.fc(self.conv(x).flatten(1) if False else self.conv(x))
""", "Net", [(2, 1, 8, 8)])
    conv_calls = [c for c in trace.module_calls if c.module.short_type == "Conv2d"]
    assert conv_calls and conv_calls[0].errors
    problem = conv_calls[0].errors[0]
    assert problem.arg == "in_channels" and problem.got == 3 and problem.expected == 1
    assert conv_calls[0].module.node.lineno == 7  # the layer's definition, for the checker's message
