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
from torchport.advisor.state import Budget
from torchport.advisor.sources import parse_text
from torchport.advisor.summary_model import layer_rows, nesting
from torchport.advisor.values import TensorValue

_ids = itertools.count()


def interpret(source: str, cls_name: str, inputs: list[tuple[Any, ...]], kwargs: dict | None = None,
              training: bool | None = None) -> Trace:
    module = parse_text(textwrap.dedent(source), f"interp_case_{next(_ids)}")
    cls = next(c for c in module.body if getattr(c, "name", None) == cls_name)
    return trace_model(cls, [], dict(kwargs or {}), [TensorValue(tuple(s)) for s in inputs], training=training)


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

    # `self.training` is unknown here (either mode): a known operand still decides `and` / `or` (GoogLeNet's
    # `if self.training and self.aux_logits:` with aux_logits False)
    Case("short-circuit-conditions-decided-by-a-known-operand", HEADER + """
class Net(nn.Module):
    def __init__(self, aux=False, always=True):
        super().__init__()
        self.aux = aux
        self.always = always
        self.fc = nn.Linear(4, 6)
        self.aux_head = nn.Linear(6, 2)
    def forward(self, x):
        x = self.fc(x)
        if self.training and self.aux:
            return self.aux_head(x)
        if not (self.training or self.always):
            return self.aux_head(x)
        y = self.aux_head(x) if self.aux and self.training else x
        return [v for v in (x, y) if self.training and self.aux or self.always]
""", "Net", [(3, 4)], {"": [[3, 6], [3, 6]], "fc": [3, 6], "aux_head": None}),

    # plain configuration classes (MobileNetV3's InvertedResidualConfig), dataclasses with a subclass
    # __init__ (EfficientNet's MBConvConfig) and copy.copy of them
    Case("configuration-objects-dataclasses-and-copies", HEADER + """
import copy
from dataclasses import dataclass

class Config:
    def __init__(self, i, o, width=1.0):
        self.i = self.scale(i, width)
        self.o = self.scale(o, width)
    @staticmethod
    def scale(c, width):
        return int(c * width)

@dataclass
class _Base:
    i: int
    o: int
    repeat: int = 1

class StageConfig(_Base):
    def __init__(self, i, o, repeat, block=None):
        super().__init__(i, o, repeat)
        self.block = block or nn.Linear

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        settings = [Config(2, 8, 2.0), Config(16, 6)]
        if not all([isinstance(s, Config) for s in settings]) or isinstance(settings[0], _Base):
            raise TypeError("settings")
        self.layers = nn.ModuleList([nn.Linear(s.i, s.o) for s in settings])
        stages = []
        cnf = StageConfig(6, 5, 3)
        for _ in range(cnf.repeat):
            c = copy.copy(cnf)
            if stages:
                c.i = c.o
            stages.append(c.block(c.i, c.o))
        self.stages = nn.Sequential(*stages)
        self.head = nn.Linear(cnf.o, cnf.i - 5 * _Base(2, 2).repeat)  # cnf unchanged by its copies' changes
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return self.head(self.stages(x) + 1)
""", "Net", [(3, 4)], {
        "": [3, 1], "layers": None, "layers.0": [3, 16], "layers.1": [3, 6], "stages": [3, 5],
        "stages.0": [3, 5], "stages.1": [3, 5], "stages.2": [3, 5], "head": [3, 1],
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

CASES += [
    Case("tensor-operations-sizes-views-cat-indexing", HEADER + """
import torch.nn.functional as F

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 4 * 4 + 8, 6)
    def forward(self, x):
        b, c, h, w = x.shape
        y = F.max_pool2d(F.relu(self.conv(x)), 2)
        y = F.interpolate(y, size=(h // 2, w // 2)) + y
        pooled = y.mean(dim=(2, 3))
        flat = torch.flatten(y, 1) if y.size(1) == 8 else y.view(b, -1)
        z = torch.cat([flat, pooled], dim=1)
        out = self.fc(z)
        first, second = out.chunk(2, dim=1)
        stacked = torch.stack([first, second], 0)
        return stacked[:, :, -1], out.view(b, 2, -1).permute(0, 2, 1)[..., 0]
""", "Net", [(2, 3, 8, 8)], {"": [[2, 2], [2, 3]], "conv": [2, 8, 8, 8], "fc": [2, 6]}),

    Case("attention-residuals-and-in-place-sums", HEADER + """
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        out = (att.softmax(dim=-1) @ v).transpose(1, 2).reshape(n, t, d)
        return self.proj(out)

class Net(nn.Module):
    def __init__(self, dim=16, heads=4, depth=2):
        super().__init__()
        self.blocks = nn.ModuleList([Attention(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
    def forward(self, x):
        for block in self.blocks:
            x = x + block(self.norm(x))
        out = x[:, 0]
        out += x.sum(1)
        return out
""", "Net", [(2, 5, 16)], {
        "": [2, 16], "blocks": None, "blocks.0": [2, 5, 16], "blocks.0.qkv": [2, 5, 48], "blocks.0.proj": [2, 5, 16],
        "blocks.1": [2, 5, 16], "blocks.1.qkv": [2, 5, 48], "blocks.1.proj": [2, 5, 16], "norm": [2, 5, 16],
    }),

    # torchvision's DenseNet: overloaded forward (the last def wins), isinstance against Tensor, is_scripting()
    Case("overloaded-forward-isinstance-tensor-and-is-scripting", HEADER + """
from torch import Tensor

class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, 4, 1)

    @torch.jit._overload_method  # noqa: F811
    def forward(self, input: list[Tensor]) -> Tensor:  # noqa: F811
        pass

    def forward(self, input):  # noqa: F811
        prev = [input] if isinstance(input, Tensor) else input
        if torch.jit.is_scripting():
            return prev[0]
        return self.conv(torch.cat(prev, 1))

class Net(nn.ModuleDict):
    def __init__(self):
        super().__init__()
        for i in range(2):
            self.add_module("layer%d" % (i + 1), Layer(3 + 4 * i))
    def forward(self, x):
        features = [x]
        for name, layer in self.items():
            features.append(layer(features))
        return torch.cat(features + [self.layer1(x)], 1)
""", "Net", [(2, 3, 8, 8)], {
        "": [2, 15, 8, 8], "layer1": [2, 4, 8, 8], "layer1.conv": [2, 4, 8, 8], "layer2": [2, 4, 8, 8],
        "layer2.conv": [2, 4, 8, 8],
    }),
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


def test_in_place_changes_of_shape_and_deletions() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 6))
        del self.seq[-1]
        self.extra = nn.Linear(4, 4)
        del self.extra
        self.conv = nn.Conv1d(1, 2, 3)
    def forward(self, x):
        x = self.seq(x)
        x.unsqueeze_(1)
        y = x.relu_()
        return self.conv(x), y
""", "Net", [(2, 4)])
    assert [name for name, _ in trace.root.named_modules()] == ["", "seq", "seq.0", "seq.1", "conv"]
    assert outputs(trace)["seq"] == [2, 4]
    assert nesting(trace.output) == ["?", "?"]  # x changed shape in place: not followed, never wrong


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


# ------------------------------------------------------------------------------------- the zoo

def _zoo() -> list[Any]:
    from tests.advisor.zoo.manifest import ZOO

    return list(ZOO)


def _summary_json(model: Any, path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """`torchport summary --format json` of a zoo entry's class in `path`, with its arguments and inputs."""
    import json

    from torchport.advisor import cli

    arguments = ", ".join(f"{k}={v!r}" for k, v in model.kwargs.items())
    shapes = [arg for shape in model.inputs for arg in ("--input-shape", ",".join(map(str, shape)))]
    assert cli.main(["summary", f"{path}::{model.cls}({arguments})", *shapes, "--format", "json"]) == 0
    (summary,) = json.loads(capsys.readouterr().out)["models"]
    return summary


@pytest.mark.parametrize("model", _zoo(), ids=[f"{m.id}{m.kwargs or ''}" for m in _zoo()])
def test_zoo_model_summary_equals_torch(model: Any, capsys: pytest.CaptureFixture[str],
                                       ) -> None:
    """`torchport summary --format json` on each zoo model: output, every submodule's output and every
    parameter count equal torch's on the meta device."""
    pytest.importorskip("torch")
    from tests.support.torch_oracle import compare_summary, run_model

    summary = _summary_json(model, model.path, capsys)

    comparison = compare_summary(run_model(model.path, model.cls, model.kwargs, model.inputs, model.dtypes), summary)
    assert comparison.ok, comparison
    assert (comparison.output, comparison.total_params, comparison.unresolved) == ("match", "match", [])
    assert summary["findings"] == []
    assert not any("stopped" in note for note in summary["notes"])


def test_zoo_symbolic_shapes_agree_with_torch_once_the_symbols_are_known() -> None:
    """Without --input-shape, each zoo model's input comes from its first layer with symbols (N, H, W...).
    Giving the symbols the manifest's sizes must turn every inferred output into one torch computes."""
    pytest.importorskip("torch")
    from tests.support.torch_oracle import run_model
    from torchport.advisor.inputs import tensor_parameters
    from torchport.advisor.sources import parse_file
    from torchport.advisor.summarize import choose_inputs
    from torchport.analysis.model import find_method

    checked, resolved_outputs = [], 0
    for model in _zoo():
        module = parse_file(str(model.path), model.path.stem)
        cls = next(c for c in module.body if getattr(c, "name", None) == model.cls)
        forward = find_method(cls, "forward")
        required, optional = tensor_parameters(forward)
        chosen = choose_inputs(model.path, cls, forward, required, optional, [], [], [], dict(model.kwargs))
        values = _assignment(chosen.values, model.inputs)
        if values is None:  # no first-layer shape, or one of another rank than the manifest's input
            continue
        trace = trace_model(cls, [], dict(model.kwargs), list(chosen.values))
        result = run_model(model.path, model.cls, model.kwargs, model.inputs, model.dtypes)
        names = {id(m): n for n, m in trace.root.named_modules()}
        for call in trace.module_calls:
            name = names.get(id(call.module))
            if name is None or name not in result.layers:
                continue
            got = _substituted(nesting_of(call.output), values)
            torch_calls = result.layers[name].calls or (None,)
            assert any(_agrees(expected, got) for expected in torch_calls), (model.id, name, got, torch_calls)
            resolved_outputs += _fully_known(got)
        checked.append(model.id)
    assert len(checked) >= 25, checked
    assert resolved_outputs >= 400


def nesting_of(value: Any) -> Any:
    if isinstance(value, TensorValue):
        return value.shape if not isinstance(value.shape, dims.Unknown) else dims.UNKNOWN
    if isinstance(value, (tuple, list)):
        return [nesting_of(v) for v in value]
    if isinstance(value, dict):
        return {k: nesting_of(v) for k, v in value.items()}
    return value if value is None else dims.UNKNOWN


def _assignment(symbolic: tuple[TensorValue, ...], concrete: tuple[tuple[int, ...], ...]) -> dict[str, int] | None:
    values: dict[str, int] = {}
    for tensor, shape in zip(symbolic, concrete):
        if isinstance(tensor.shape, dims.Unknown) or len(tensor.shape) != len(shape):
            return None
        for dim, size in zip(tensor.shape, shape):
            if isinstance(dim, int):
                assert dim == size, (tensor, shape)  # the first layer's argument is the real input's size
            elif isinstance(dim, dims.Expr):
                (name,) = dim.symbols
                assert values.setdefault(name, size) == size
    return values


def _substituted(value: Any, values: dict[str, int]) -> Any:
    if isinstance(value, tuple):
        return tuple(dims.substitute(d, values) for d in value)
    if isinstance(value, list):
        return [_substituted(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _substituted(v, values) for k, v in value.items()}
    return value


def _agrees(expected: Any, got: Any) -> bool:
    """Equal where torchport knows; a dim or value it does not know agrees with anything."""
    if isinstance(got, dims.Unknown):
        return True
    if isinstance(expected, tuple):
        return isinstance(got, tuple) and len(got) == len(expected) and all(
            not isinstance(g, int) or g == e for e, g in zip(expected, got))
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(_agrees, expected, got))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(_agrees(expected[k], got[k]) for k in got)
    return got is None


def _fully_known(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(isinstance(d, int) for d in value)
    if isinstance(value, list):
        return all(_fully_known(v) for v in value)
    return False


def test_mutated_zoo_models_are_never_misjudged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Zoo models with one or two numbers changed (kernel sizes, widths, strides): where torch runs them,
    torchport reports no error and no shape torch does not compute; where torchport reports an error, torch
    raises (on the CPU: the meta device skips some checks, e.g. ConvTranspose's input channels)."""
    pytest.importorskip("torch")
    import random
    import re

    import torch

    from tests.support.torch_oracle import compare_summary, load_namespace, run_model

    rng = random.Random(20261126)
    number = re.compile(r"(?<![\w.])\d+(?![\w.])")
    models = _zoo()
    reported = confirmed = agreed = 0
    for index in range(30):
        model = rng.choice(models)
        lines = model.path.read_text().splitlines()
        candidates = [i for i, line in enumerate(lines) if number.search(line) and not line.lstrip().startswith("#")]
        line = rng.choice(candidates)
        found = rng.choice(list(number.finditer(lines[line])))
        value = int(found.group(0))
        lines[line] = lines[line][:found.start()] + str(rng.choice([value + 1, max(value - 1, 1), value * 2])) \
            + lines[line][found.end():]
        path = tmp_path / f"mutant{index}.py"
        path.write_text("\n".join(lines) + "\n")

        summary = _summary_json(model, path, capsys)
        errors = [f for f in summary["findings"] if f["kind"] == "error"]
        try:
            result = run_model(path, model.cls, model.kwargs, model.inputs, model.dtypes)
        except Exception:  # noqa: BLE001 - torch rejects the mutant: any claim torchport makes is not checked here
            reported += bool(errors)
            continue
        if errors:  # torch on meta runs it: the CPU must reject it
            namespace = load_namespace(path)
            inputs = [torch.zeros(s, dtype=getattr(torch, d)) for s, d in
                      zip(model.inputs, model.dtypes or ["float32"] * len(model.inputs))]
            with pytest.raises(Exception):  # noqa: B017 - any error torch raises confirms the finding
                with torch.no_grad():
                    namespace[model.cls](**model.kwargs).eval()(*inputs)
            confirmed += 1
            continue
        comparison = compare_summary(result, summary)
        assert not comparison.mismatches and comparison.output != "mismatch", (path.read_text(), comparison)
        assert comparison.total_params == "match" or summary["total_params"] is None
        assert all(ours is None for _, _, ours in comparison.param_mismatches), comparison.param_mismatches
        agreed += 1
    assert reported + confirmed >= 5 and agreed >= 5, (reported, confirmed, agreed)  # both kinds of mutant occur


def test_builtins_such_as_isinstance_leave_parameter_counts_known() -> None:
    """`for m in self.modules(): if isinstance(m, nn.Conv2d): init...(m.weight)` (torchvision's init loops):
    isinstance on a Module is unknown, but a builtin never registers or replaces submodules."""
    from torchport.advisor.summary_model import param_count

    trace = interpret(HEADER + """
from torch.nn import init

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    init.constant_(m.bias, 0)
    def forward(self, x):
        return self.features(x)
""", "Net", [(1, 3, 8, 8)])
    assert trace.root is not None and param_count(trace.root) == 3 * 8 * 9 + 8
    assert not any("isinstance" in text for _, text in trace.notes)


def test_a_keyword_after_an_unknown_double_star_mapping_makes_the_call_unknown() -> None:
    """`f(**unknown, key=value)` (timm's cspnet) used to stop the trace with a TypeError."""
    trace = interpret(HEADER + """
def make(**kwargs):
    return nn.Linear(4, 4)

class Net(nn.Module):
    def __init__(self, cfg=None):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.extra = [make(**cfg, bias=True)]
    def forward(self, x):
        return self.fc(x)
""", "Net", [(3, 4)])
    assert trace.stopped is None
    assert outputs(trace) == {"": [3, 2], "fc": [3, 2]}


def test_isinstance_with_torch_classes_is_known_only_when_certain() -> None:
    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.is_module = isinstance(self.fc, nn.Module)
        self.is_linear = isinstance(self.fc, nn.Linear)
        self.maybe = isinstance(self.fc, nn.Conv2d)  # unknown: needs torch's class hierarchy
        self.not_tensor = isinstance(3, torch.Tensor)
    def forward(self, x):
        return self.fc(x), isinstance(x, torch.Tensor), isinstance(x, (int, float))
""", "Net", [(3, 4)])
    attrs = trace.root.attrs
    assert (attrs["is_module"], attrs["is_linear"], attrs["not_tensor"]) == (True, True, False)
    assert isinstance(attrs["maybe"], dims.Unknown)
    assert trace.output[1:] == (True, False)


def test_a_sequential_whose_children_are_not_known_has_an_unknown_output() -> None:
    """`nn.Sequential(*layers)` of objects the interpreter cannot build (torchvision's MobileNetV2 when
    Conv2dNormActivation is not parsed) must not pass its input through unchanged."""
    trace = interpret(HEADER + """
from elsewhere import Block

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*[Block(3, 8), Block(8, 16)])
    def forward(self, x):
        return self.features(x)
""", "Net", [(1, 3, 8, 8)])
    assert outputs(trace)[""] == "?"


_TRAINING_ONLY_HEAD = HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 6)
        self.aux = nn.Linear(6, 2) if self.training else None  # a new Module is in training mode
    def forward(self, x):
        x = self.fc(x)
        if self.aux is not None and self.training:  # Inception v3's AuxLogits
            return x, self.aux(x)
        return x
"""


def test_eval_mode_skips_training_only_branches_as_torch_does(tmp_path: Path) -> None:
    from torchport.advisor.summary_model import param_count

    evaluated = interpret(_TRAINING_ONLY_HEAD, "Net", [(3, 4)], training=False)
    assert outputs(evaluated) == {"": [3, 6], "fc": [3, 6], "aux": None}
    assert param_count(evaluated.root) == 4 * 6 + 6 + 6 * 2 + 2  # built while training: aux exists
    trained = interpret(_TRAINING_ONLY_HEAD, "Net", [(3, 4)], training=True)
    assert outputs(trained) == {"": [[3, 6], [3, 2]], "fc": [3, 6], "aux": [3, 2]}
    either = interpret(_TRAINING_ONLY_HEAD, "Net", [(3, 4)])
    assert outputs(either)[""] == "?"  # a tuple in one mode, a tensor in the other

    pytest.importorskip("torch")
    from tests.support.torch_oracle import run_model

    path = tmp_path / "model.py"
    path.write_text(_TRAINING_ONLY_HEAD)
    result = run_model(path, "Net", {}, [(3, 4)])  # torch's oracle runs in eval mode
    assert (result.output, result.layers["aux"].calls, result.total_params) == ((3, 6), (), 44)


_CROSS_FILE = {
    "__init__.py": "from .helpers import conv_bn as make_block\n",
    "helpers.py": """
import torch.nn as nn

def log_usage(obj):  # torchvision's _log_api_usage_once(self): reads the object, changes nothing
    name = obj.__class__.__name__
    if not obj.__module__.startswith("torchvision"):
        name = "internal." + name
    return None

def conv_bn(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())

def registered(fn):
    return fn

@registered
def add_extra(module):  # an unknown decorator: not followed
    module.extra = nn.Linear(2, 2)
""",
    "model.py": """
import torch.nn as nn
from . import make_block
from .helpers import log_usage, add_extra
from . import helpers

class Net(nn.Module):
    def __init__(self, extra=False):
        super().__init__()
        log_usage(self)
        self.features = make_block(3, 8)
        self.more = helpers.conv_bn(8, 4)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(4, 5)
        if extra:
            add_extra(self)
    def forward(self, x):
        return self.head(self.pool(self.more(self.features(x))).flatten(1))
""",
}


def test_functions_of_other_project_files_are_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision's models call `_log_api_usage_once(self)` (torchvision/utils.py) and build blocks with
    helpers of other files: followed like same-file functions, so parameter counts stay known."""
    from torchport.advisor.sources import parse_file
    from torchport.advisor.summary_model import param_count

    package = f"crossfile{next(_ids)}"
    for name, text in _CROSS_FILE.items():
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / name).write_text(textwrap.dedent(text))
    module = parse_file(str(tmp_path / package / "model.py"), f"{package}.model")
    cls = next(c for c in module.body if getattr(c, "name", None) == "Net")
    trace = trace_model(cls, [], {}, [TensorValue((2, 3, 8, 8))])
    expected = {"": [2, 5], "features": [2, 8, 8, 8], "features.0": [2, 8, 8, 8], "features.1": [2, 8, 8, 8],
                "features.2": [2, 8, 8, 8], "more": [2, 4, 8, 8], "more.0": [2, 4, 8, 8], "more.1": [2, 4, 8, 8],
                "more.2": [2, 4, 8, 8], "pool": [2, 4, 1, 1], "head": [2, 5]}
    assert outputs(trace) == expected
    params = 3 * 8 * 9 + 2 * 8 + 8 * 4 * 9 + 2 * 4 + 4 * 5 + 5
    assert param_count(trace.root) == params
    # a function that cannot be followed (an unknown decorator) still leaves the model's contents unknown
    unfollowed = trace_model(cls, [], {"extra": True}, [TensorValue((2, 3, 8, 8))])
    assert param_count(unfollowed.root) is None

    pytest.importorskip("torch")
    import importlib

    from tests.support.torch_oracle import build, meta_inputs, trace as torch_trace

    monkeypatch.syspath_prepend(str(tmp_path))
    net = importlib.import_module(f"{package}.model").Net
    result = torch_trace(build(net), meta_inputs([(2, 3, 8, 8)]))
    seen = {name: _joined(layer.calls) for name, layer in result.layers.items() if name}
    seen[""] = result.output
    assert seen == {name: _as_torch(value) for name, value in expected.items()}
    assert result.total_params == params


def test_any_and_all_are_decided_only_by_items_of_known_truth() -> None:
    """`all([isinstance(s, Config) for s in settings])` over unknown items (MobileNetV3's argument check)
    is unknown, not False: the check may pass, so the layers after it are built."""
    from torchport.advisor.summary_model import param_count

    trace = interpret(HEADER + """
class Net(nn.Module):
    def __init__(self, settings=None):
        super().__init__()
        checks = [s is not None for s in settings]
        if not all(checks) or any([s == 0 for s in settings]):
            raise ValueError("bad settings")
        self.known = (all([True, 1]), all([1, 0, settings[0]]), any([0, 2]), any([settings[0], 3]), all([]))
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc(x)
""", "Net", [(3, 4)], {"settings": [dims.UNKNOWN, 5]})
    assert trace.root.attrs["known"] == (True, False, True, True, True)
    assert outputs(trace) == {"": [3, 2], "fc": [3, 2]} and param_count(trace.root) == 10


def test_a_constructor_that_always_raises_leaves_the_model_unknown() -> None:
    """A base `__init__` that raises on every path (an argument check that fails) builds nothing: the
    parameter count is unknown, never the 0 of the layers it did not reach."""
    from torchport.advisor.summary_model import param_count

    trace = interpret(HEADER + """
class Base(nn.Module):
    def __init__(self, settings):
        super().__init__()
        if not settings:
            raise ValueError("empty settings")
        self.fc = nn.Linear(4, 2)

class Net(Base):
    def __init__(self):
        super().__init__([])
    def forward(self, x):
        return self.fc(x)
""", "Net", [(3, 4)])
    assert trace.root is not None and param_count(trace.root) is None


def test_objects_that_cannot_be_modelled_stay_unknown() -> None:
    trace = interpret(HEADER + """
from dataclasses import dataclass, field
from elsewhere import ExternalBase, external, register

class Fancy(ExternalBase):
    def __init__(self, n):
        self.n = n

@register
class Decorated:
    def __init__(self, n):
        self.n = n

@dataclass
class WithFactory:
    n: int = 1
    sizes: list = field(default_factory=list)

class Plain:
    def __init__(self, n):
        self.n = n

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        changed = Plain(3)
        external(changed)
        self.values = (Fancy(3), Decorated(3), WithFactory(), changed.n, Plain(5).n, Plain(1, 2))
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return self.fc(x)
""", "Net", [(3, 4)])
    assert trace.root.attrs["values"] == (dims.UNKNOWN,) * 4 + (5, dims.UNKNOWN)


def test_the_step_budget_stops_exactly_at_its_limit():
    """A trace that takes N evaluation steps (expressions and statements) finishes within a budget of N and
    stops within N - 1: the budget decides where an analysis stops, so its count and limit must not drift."""
    module = parse_text(textwrap.dedent("""
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, width=4):
                super().__init__()
                self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(3)])
            def forward(self, x):
                for block in self.blocks:
                    x = block(x) if x.shape[-1] == 4 else x
                return x
    """), f"interp_case_{next(_ids)}")
    cls = next(c for c in module.body if getattr(c, "name", None) == "Net")
    spent = Budget()
    assert trace_model(cls, [], {}, [TensorValue((2, 4))], spent).stopped is None
    needed = spent.steps
    assert needed > 20
    assert trace_model(cls, [], {}, [TensorValue((2, 4))], Budget(max_steps=needed)).stopped is None
    stopped = trace_model(cls, [], {}, [TensorValue((2, 4))], Budget(max_steps=needed - 1)).stopped
    assert stopped == f"stopped: more than {needed - 1} evaluation steps"
