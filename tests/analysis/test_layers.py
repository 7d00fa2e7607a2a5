"""The layer table against real torch, and the statefulness of constructions and project classes."""

from __future__ import annotations

import inspect
from typing import Any

import astroid
import pytest
from astroid import nodes

from torchport.analysis.layers import (
    LAYERS,
    STATE_SWITCHES,
    LayerKind,
    class_kind,
    construction_kind,
    functional_equivalent,
    layer_kind,
)

# Typical constructor arguments, for the layers that need any; every other layer is built with none.
TYPICAL_ARGS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "AdaptiveLogSoftmaxWithLoss": ((8, 10, [4]), {}),
    "Bilinear": ((3, 4, 5), {}),
    "ChannelShuffle": ((2,), {}),
    "CrossMapLRN2d": ((3,), {}),
    "Embedding": ((10, 4), {}),
    "EmbeddingBag": ((10, 4), {}),
    "Fold": (((4, 4), 2), {}),
    "GroupNorm": ((2, 4), {}),
    "LayerNorm": ((4,), {}),
    "RMSNorm": ((4,), {}),
    "LazyLinear": ((4,), {}),
    "Linear": ((3, 4), {}),
    "LinearCrossEntropyLoss": ((3, 4), {}),
    "LocalResponseNorm": ((3,), {}),
    "MultiheadAttention": ((8, 2), {}),
    "PixelShuffle": ((2,), {}),
    "PixelUnshuffle": ((2,), {}),
    "RNN": ((3, 4), {}),
    "LSTM": ((3, 4), {}),
    "GRU": ((3, 4), {}),
    "RNNBase": (("LSTM", 3, 4), {}),
    "RNNCell": ((3, 4), {}),
    "LSTMCell": ((3, 4), {}),
    "GRUCell": ((3, 4), {}),
    "RNNCellBase": ((3, 4, True, 2), {}),
    "SyncBatchNorm": ((4,), {}),
    "Threshold": ((0.1, 0.0), {}),
    "Transformer": ((), {"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
                         "dim_feedforward": 16}),
    "TransformerEncoderLayer": ((8, 2), {"dim_feedforward": 16}),
    "TransformerDecoderLayer": ((8, 2), {"dim_feedforward": 16}),
    "Unflatten": ((1, (2, 2)), {}),
    "Unfold": ((2,), {}),
    "Softmax": ((), {"dim": 1}),
    "Softmin": ((), {"dim": 1}),
    "LogSoftmax": ((), {"dim": 1}),
    **{f"{prefix}{n}d": ((4,), {}) for n in (1, 2, 3) for prefix in ("BatchNorm", "InstanceNorm")},
    **{f"{prefix}{n}d": ((3, 4, 2), {}) for n in (1, 2, 3) for prefix in ("Conv", "ConvTranspose")},
    **{f"{prefix}{n}d": ((4, 2), {}) for n in (1, 2, 3) for prefix in ("LazyConv", "LazyConvTranspose")},
    **{f"{prefix}{n}d": ((2,), {}) for n in (1, 2, 3)
       for prefix in ("MaxPool", "AvgPool", "AdaptiveMaxPool", "AdaptiveAvgPool", "MaxUnpool")},
    **{f"LPPool{n}d": ((2, 2), {}) for n in (1, 2, 3)},
    **{f"FractionalMaxPool{n}d": ((2,), {"output_size": 2}) for n in (2, 3)},
    **{f"{prefix}{n}d": ((1,), {}) for n in (1, 2, 3)
       for prefix in ("ZeroPad", "ReflectionPad", "ReplicationPad", "CircularPad")},
    **{f"ConstantPad{n}d": ((1, 0.5), {}) for n in (1, 2, 3)},
}

# Input shapes on which the train-dependent layers are exercised.
TRAIN_DEPENDENT_INPUTS = {
    "Dropout": (64, 8), "Dropout1d": (8, 16, 8), "Dropout2d": (8, 16, 4, 4), "Dropout3d": (4, 16, 2, 2, 2),
    "AlphaDropout": (64, 8), "FeatureAlphaDropout": (8, 16, 4, 4), "RReLU": (64, 8),
}


@pytest.fixture(scope="module")
def torch() -> Any:
    return pytest.importorskip("torch")


def _short(qname: str) -> str:
    return qname.rsplit(".", 1)[1]


def _build(torch: Any, qname: str, **overrides: Any) -> Any:
    """The layer built with typical arguments on the meta device (no memory, no initialisation)."""
    cls = getattr(torch.nn, _short(qname))
    args, kwargs = TYPICAL_ARGS.get(_short(qname), ((), {}))
    with torch.device("meta"):
        if _short(qname) in ("TransformerEncoder", "TransformerDecoder"):
            layer_cls = getattr(torch.nn, _short(qname) + "Layer")
            return cls(layer_cls(8, 2, dim_feedforward=16), 2)
        if _short(qname) == "DataParallel":
            return cls(torch.nn.Identity())
        return cls(*args, **{**kwargs, **overrides})


def _state(module: Any) -> list[str]:
    return [name for name, _ in module.named_parameters()] + [name for name, _ in module.named_buffers()]


def test_every_public_torch_module_is_in_the_table(torch: Any) -> None:
    public = {
        f"torch.nn.{name}" for name, value in vars(torch.nn).items()
        if inspect.isclass(value) and issubclass(value, torch.nn.Module) and not name.startswith("_")
    }
    assert sorted(public - set(LAYERS)) == []


def test_every_table_entry_is_a_torch_module(torch: Any) -> None:
    for qname in LAYERS:
        assert qname.startswith("torch.nn."), qname
        cls = getattr(torch.nn, _short(qname), None)
        assert inspect.isclass(cls) and issubclass(cls, torch.nn.Module), qname


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")
@pytest.mark.parametrize("qname", sorted(LAYERS))
def test_kind_matches_the_state_torch_builds(torch: Any, qname: str) -> None:
    state = _state(_build(torch, qname))
    if LAYERS[qname].kind is LayerKind.PARAMETRIC:
        assert state, f"{qname} is marked parametric but has no parameters or buffers"
    else:
        assert state == [], f"{qname} is marked {LAYERS[qname].kind.value} but holds {state}"


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_losses_are_the_stateless_torch_criteria(torch: Any) -> None:
    criteria = {q for q in LAYERS if issubclass(getattr(torch.nn, _short(q)), torch.nn.modules.loss._Loss)
                and not _state(_build(torch, q))}
    losses = {q for q, layer in LAYERS.items() if layer.kind is LayerKind.LOSS}
    assert losses == criteria


@pytest.mark.parametrize("name", sorted(TRAIN_DEPENDENT_INPUTS))
def test_train_dependent_layers_change_with_eval(torch: Any, name: str) -> None:
    assert LAYERS[f"torch.nn.{name}"].kind is LayerKind.TRAIN_DEPENDENT
    layer = getattr(torch.nn, name)()
    x = torch.randn(TRAIN_DEPENDENT_INPUTS[name], generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    trained = layer.train()(x)
    evaluated = layer.eval()(x)
    assert not torch.equal(trained, evaluated)
    assert torch.equal(evaluated, layer(x)), "eval() output must be deterministic"


def test_every_train_dependent_layer_is_exercised() -> None:
    marked = {_short(q) for q, layer in LAYERS.items() if layer.kind is LayerKind.TRAIN_DEPENDENT}
    assert marked == set(TRAIN_DEPENDENT_INPUTS)


@pytest.mark.parametrize("qname", sorted(STATE_SWITCHES))
def test_state_switches_match_the_signature_and_the_state(torch: Any, qname: str) -> None:
    signature = inspect.signature(getattr(torch.nn, _short(qname)).__init__)
    positional = [p for p in signature.parameters.values()
                  if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD][1:]  # without self
    switches = STATE_SWITCHES[qname]
    for switch in switches:
        assert positional[switch.position].name == switch.keyword, (qname, switch)
        assert positional[switch.position].default is switch.default, (qname, switch)
    all_off = {s.keyword: False for s in switches}
    assert _state(_build(torch, qname, **all_off)) == []
    assert layer_kind(qname, all_off) is LayerKind.STATELESS
    for switch in switches:
        assert _state(_build(torch, qname, **{**all_off, switch.keyword: True})), (qname, switch)
        assert layer_kind(qname, {**all_off, switch.keyword: True}) is LayerKind.PARAMETRIC


@pytest.mark.parametrize("qname", sorted(q for q, layer in LAYERS.items() if layer.functional))
def test_functional_equivalents_exist(torch: Any, qname: str) -> None:
    target: Any = torch
    for part in functional_equivalent(qname).split(".")[1:]:  # type: ignore[union-attr]
        target = getattr(target, part)
    assert callable(target)


def test_every_stateless_layer_but_identity_like_ones_has_a_functional_equivalent() -> None:
    missing = {_short(q) for q, layer in LAYERS.items()
               if layer.kind in (LayerKind.STATELESS, LayerKind.TRAIN_DEPENDENT, LayerKind.LOSS)
               and layer.functional is None}
    assert missing == {"Identity", "CrossMapLRN2d"}


def test_unknown_names_have_no_kind() -> None:
    assert layer_kind("torch.nn.functional.relu") is None
    assert layer_kind(None) is None
    assert functional_equivalent("mypkg.Linear") is None


def _call(source: str) -> nodes.Call:
    module = astroid.parse(source, module_name="sample")
    call = list(module.body[-1].nodes_of_class(nodes.Call))[0]
    assert isinstance(call, nodes.Call)
    return call


@pytest.mark.parametrize(("source", "kind"), [
    ("import torch.nn as nn\nnn.Linear(3, 4)", LayerKind.PARAMETRIC),
    ("from torch.nn import Dropout as D\nD(0.5)", LayerKind.TRAIN_DEPENDENT),
    ("import torch\ntorch.nn.modules.activation.ReLU()", LayerKind.STATELESS),
    ("from torch import nn\nnn.LayerNorm(4, elementwise_affine=False)", LayerKind.STATELESS),
    ("from torch import nn\nnn.LayerNorm(4, 1e-5, False)", LayerKind.STATELESS),
    ("from torch import nn\nnn.InstanceNorm2d(4)", LayerKind.STATELESS),
    ("from torch import nn\nnn.InstanceNorm2d(4, affine=True)", LayerKind.PARAMETRIC),
    ("from torch import nn\nnn.LayerNorm(4, elementwise_affine=flag)", None),
    ("from torch import nn\nnn.BatchNorm2d(4, **options)", None),
    ("from torch import nn\nnn.Sequential()", LayerKind.CONTAINER),
    ("from torch import nn\nnn.MSELoss()", LayerKind.LOSS),
    ("import keras\nkeras.layers.Dense(4)", None),
    ("make_layer()(3)", None),
])
def test_construction_kind_of_torch_layers(source: str, kind: LayerKind | None) -> None:
    assert construction_kind(_call(source)) is kind


PROJECT = """
import torch
from torch import nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self._build()

    def _build(self):
        self.fc = nn.Linear(3, 3)

class Noise(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.1)

class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.ones(1))

class Gain(nn.Module):
    def __init__(self):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(1))

class Activation(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.ReLU()

class Wrapper(Block):
    def __init__(self):
        super().__init__()

class MyConv(nn.Conv2d):
    pass

class Holder(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(Noise())

class Loop(nn.Module):
    def __init__(self):
        super().__init__()
        self.other = Loop()

class NotAModule:
    def __init__(self):
        self.fc = nn.Linear(3, 3)
"""


@pytest.mark.parametrize(("name", "kind"), [
    ("Block", LayerKind.PARAMETRIC),
    ("Noise", LayerKind.TRAIN_DEPENDENT),
    ("Scale", LayerKind.PARAMETRIC),
    ("Gain", LayerKind.PARAMETRIC),
    ("Activation", None),
    ("Wrapper", LayerKind.PARAMETRIC),
    ("MyConv", LayerKind.PARAMETRIC),
    ("Holder", LayerKind.TRAIN_DEPENDENT),
    ("Loop", None),
])
def test_class_kind_of_project_classes(name: str, kind: LayerKind | None) -> None:
    module = astroid.parse(PROJECT, module_name="project")
    cls = module.locals[name][0]
    assert class_kind(cls) is kind


def test_construction_kind_of_project_classes() -> None:
    module = astroid.parse(PROJECT + "\nBlock()\nActivation()\nNotAModule()\n", module_name="project")
    block, activation, plain = (stmt.value for stmt in module.body[-3:])
    assert construction_kind(block) is LayerKind.PARAMETRIC
    assert construction_kind(activation) is None
    assert construction_kind(plain) is None
