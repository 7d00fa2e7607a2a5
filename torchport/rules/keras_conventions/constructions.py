"""Keras habits in the calls that build torch layers: a Keras momentum on batch norms (W7401),
Keras argument names and padding modes (E7404), a recurrent layer followed by another layer in
`nn.Sequential` (E7406). Each rule reads one constructor call; what torch accepts is in the tables,
which tests/rules/test_keras_oracle.py checks against torch's signatures and errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from astroid import nodes

from torchport.analysis import dataflow
from torchport.analysis.layers import LAYERS, LayerKind
from torchport.analysis.names import call_name
from torchport.rules.finding import Finding
from torchport.rules.keras_conventions.calls import Calls
from torchport.rules.keras_conventions.common import (
    ABSENT,
    argument,
    constant,
    expression_values,
    is_number,
    shown,
)


def _dims(template: str) -> tuple[str, ...]:
    return tuple(f"torch.nn.{template.format(n)}" for n in (1, 2, 3))


# --- W7401: momentum ------------------------------------------------------------------------------


class Norm(NamedTuple):
    """Where a normalisation layer takes `momentum` and `track_running_stats` (positions among the
    positional arguments, self excluded), and whether it keeps running statistics by default."""

    momentum: int
    track: int
    tracks_by_default: bool


RUNNING_STAT_NORMS: dict[str, Norm] = {
    **dict.fromkeys(_dims("BatchNorm{}d"), Norm(2, 4, True)),
    "torch.nn.SyncBatchNorm": Norm(2, 4, True),
    **dict.fromkeys(_dims("LazyBatchNorm{}d"), Norm(1, 3, True)),
    **dict.fromkeys(_dims("InstanceNorm{}d"), Norm(2, 4, False)),
    **dict.fromkeys(_dims("LazyInstanceNorm{}d"), Norm(1, 3, True)),
}
# Keras' momentum is the weight of the running average (0.99 by default), torch's that of the new
# batch (0.1): a value this high is a Keras value.
KERAS_MOMENTUM_FROM = 0.5


def _momentum(call: nodes.Call, name: str) -> Finding | None:
    norm = RUNNING_STAT_NORMS[name]
    tracks = argument(call, "track_running_stats", norm.track)
    tracking = norm.tracks_by_default if tracks is ABSENT else constant(tracks)
    if tracking is not True:
        return None
    value = constant(argument(call, "momentum", norm.momentum))
    if not is_number(value) or not KERAS_MOMENTUM_FROM <= value <= 1:  # type: ignore[operator]
        return None
    return Finding("keras-batchnorm-momentum", call, (shown(name), _number(value), _number(1 - value)))


def _number(value: object) -> str:
    return f"{value:.10g}"


# --- E7404: Keras arguments -----------------------------------------------------------------------

_NORMS = tuple(RUNNING_STAT_NORMS)
_RECURRENT = tuple(f"torch.nn.{name}" for name in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"))
# Layer families whose torch spelling of a Keras argument is the same.
FAMILIES: dict[str, str] = {
    **dict.fromkeys(("torch.nn.Linear", "torch.nn.LazyLinear"), "dense"),
    **dict.fromkeys(_dims("Conv{}d") + _dims("LazyConv{}d"), "conv"),
    **dict.fromkeys(_dims("ConvTranspose{}d") + _dims("LazyConvTranspose{}d"), "conv-transpose"),
    **dict.fromkeys(_RECURRENT, "recurrent"),
    **dict.fromkeys(("torch.nn.Embedding", "torch.nn.EmbeddingBag"), "embedding"),
    **dict.fromkeys(_dims("MaxPool{}d") + _dims("AvgPool{}d"), "pooling"),
    **dict.fromkeys(("torch.nn.Dropout", *_dims("Dropout{}d"), "torch.nn.AlphaDropout", "torch.nn.FeatureAlphaDropout"),
                    "dropout"),
    **dict.fromkeys(_NORMS, "batchnorm"),
    **dict.fromkeys(("torch.nn.LayerNorm", "torch.nn.GroupNorm", "torch.nn.RMSNorm"), "norm"),
    **dict.fromkeys(("torch.nn.Softmax", "torch.nn.LogSoftmax", "torch.nn.Softmin"), "softmax"),
}


def _renamed(torch_name: str, *families: str) -> dict[str | None, str]:
    """A Keras argument that the layers of `families` spell `torch_name`; other layers have no such
    setting."""
    return {**dict.fromkeys(families, f"write {torch_name}={{value}}"), None: _NO_SUCH_SETTING}


_NO_SUCH_SETTING = "remove it: this torch layer has no such setting"
_INITIALISE = "initialise the weights after building the layer with torch.nn.init, e.g. "
_REGULARISE = "pass weight_decay= to the optimizer, or add the penalty to the loss yourself"
# Keras argument -> {torch layer, else its family, else None (any other layer) -> what to write in
# torch}; `{value}` is the argument's value as written, `{function}` and `{layer}` the torch
# spellings of a Keras activation (ACTIVATIONS).
KERAS_ARGUMENTS: dict[str, dict[str | None, str]] = {
    "activation": {None: "apply {function} in forward, or put {layer} after this layer in nn.Sequential"},
    "units": _renamed("out_features", "dense") | _renamed("hidden_size", "recurrent"),
    "filters": _renamed("out_channels", "conv", "conv-transpose"),
    "input_shape": {None: "remove it: torch layers take no input shape; give the input size as the first "
                          "argument (in_features, in_channels, input_size)"},
    "input_dim": {"torch.nn.LazyLinear": "remove it: nn.LazyLinear infers the input size on its first call",
                  **_renamed("in_features", "dense"), **_renamed("num_embeddings", "embedding"),
                  **_renamed("input_size", "recurrent")},
    "output_dim": _renamed("out_features", "dense") | _renamed("embedding_dim", "embedding"),
    "kernel_initializer": {None: _INITIALISE + "nn.init.xavier_uniform_(layer.weight) for Keras' glorot_uniform"},
    "bias_initializer": {None: _INITIALISE + "nn.init.zeros_(layer.bias)"},
    "embeddings_initializer": {None: _INITIALISE + "nn.init.uniform_(layer.weight, -0.05, 0.05) for Keras' "
                                     "default"},
    "kernel_regularizer": {None: _REGULARISE},
    "bias_regularizer": {None: _REGULARISE},
    "use_bias": _renamed("bias", "dense", "conv", "conv-transpose", "recurrent"),
    "rate": _renamed("p", "dropout"),
    "strides": _renamed("stride", "conv", "conv-transpose", "pooling"),
    "dilation_rate": _renamed("dilation", "conv", "conv-transpose"),
    "pool_size": _renamed("kernel_size", "pooling"),
    "epsilon": _renamed("eps", "batchnorm", "norm"),
    "axis": {"softmax": "write dim={value}",
             "batchnorm": "remove it: torch's batch norms normalise dim 1, the channels of (N, C, ...) input",
             None: "remove it: torch layers work on fixed dimensions (channels first)"},
    "data_format": {None: "remove it: torch layers are channels-first, (N, C, H, W); permute channels-last "
                          "input with x.permute(0, 3, 1, 2)"},
    "return_sequences": {None: "remove it: torch's RNNs always return every step; take output[:, -1] "
                               "(with batch_first=True) for the last one"},
    "return_state": {None: "remove it: torch's RNNs always return their final state, as (output, h_n)"},
    "recurrent_dropout": {None: "remove it: torch's RNNs have no recurrent dropout (dropout= acts between "
                                "stacked layers)"},
    "recurrent_activation": {None: "remove it: the gates of torch's LSTM and GRU always use sigmoid"},
    "mask_zero": {None: "remove it: write padding_idx=0 to keep index 0 a zero vector, and mask padded "
                        "steps yourself (pack_padded_sequence, or a mask in the loss)"},
}


def advice_for(keyword: str, layer: str) -> str:
    """What to write in torch instead of a Keras argument of a layer (not yet formatted)."""
    translations = KERAS_ARGUMENTS[keyword]
    return translations.get(layer) or translations.get(FAMILIES.get(layer)) or translations[None]


# Keras activation names -> (function, layer) that apply them in torch.
ACTIVATIONS: dict[str, tuple[str, str]] = {
    "relu": ("F.relu(...)", "nn.ReLU()"),
    "sigmoid": ("torch.sigmoid(...)", "nn.Sigmoid()"),
    "tanh": ("torch.tanh(...)", "nn.Tanh()"),
    "softmax": ("F.softmax(..., dim=-1)", "nn.Softmax(dim=-1)"),
    "log_softmax": ("F.log_softmax(..., dim=-1)", "nn.LogSoftmax(dim=-1)"),
    "gelu": ("F.gelu(...)", "nn.GELU()"),
    "elu": ("F.elu(...)", "nn.ELU()"),
    "selu": ("F.selu(...)", "nn.SELU()"),
    "swish": ("F.silu(...)", "nn.SiLU()"),
    "silu": ("F.silu(...)", "nn.SiLU()"),
    "leaky_relu": ("F.leaky_relu(...)", "nn.LeakyReLU()"),
    "softplus": ("F.softplus(...)", "nn.Softplus()"),
    "softsign": ("F.softsign(...)", "nn.Softsign()"),
    "hard_sigmoid": ("F.hardsigmoid(...)", "nn.Hardsigmoid()"),
    "mish": ("F.mish(...)", "nn.Mish()"),
}
_ANY_ACTIVATION = ("the activation (e.g. F.relu(...))", "its layer (e.g. nn.ReLU())")
# torch layers that do take an argument of KERAS_ARGUMENTS, under the same name.
ACCEPTED: dict[str, frozenset[str]] = {
    "activation": frozenset({"torch.nn.Transformer", "torch.nn.TransformerEncoderLayer",
                             "torch.nn.TransformerDecoderLayer"}),
}
# Layers that take any keyword: Identity ignores them, the deprecated Container adds them as submodules.
_LENIENT = frozenset({"torch.nn.Identity", "torch.nn.Container"})


class Geometry(NamedTuple):
    """Positions of a layer's kernel_size, stride, padding and dilation (self excluded)."""

    kernel: int
    stride: int
    padding: int
    dilation: int | None


# Layers whose `padding` torch checks: convolutions accept 'same' (stride 1) and 'valid' and raise
# ValueError when built; the others take numbers only and raise TypeError when called.
CONVOLUTIONS: dict[str, Geometry] = {
    **dict.fromkeys(_dims("Conv{}d"), Geometry(2, 3, 4, 5)),
    **dict.fromkeys(_dims("LazyConv{}d"), Geometry(1, 2, 3, 4)),
}
NUMERIC_PADDING: dict[str, Geometry] = {
    **dict.fromkeys(_dims("ConvTranspose{}d"), Geometry(2, 3, 4, None)),
    **dict.fromkeys(_dims("LazyConvTranspose{}d"), Geometry(1, 2, 3, None)),
    **dict.fromkeys(_dims("MaxPool{}d"), Geometry(0, 1, 2, None)),
    **dict.fromkeys(_dims("AvgPool{}d"), Geometry(0, 1, 2, None)),
}
_KERAS_PADDINGS = frozenset({"same", "valid", "causal"})
_RAISES_WHEN_CALLED = "TypeError when the layer is called"
# (layer family, Keras padding) -> what to write, for the layers of NUMERIC_PADDING.
NUMERIC_PADDING_ADVICE: dict[tuple[str, str], str] = {
    ("conv-transpose", "valid"): "write padding=0 (the default)",
    ("conv-transpose", "same"): (
        "choose padding and output_padding so that (n - 1) * stride - 2 * padding + kernel_size + "
        "output_padding == n * stride, e.g. padding=1, output_padding=1 for kernel_size=3, stride=2"
    ),
    ("pooling", "valid"): "write padding=0 (the default)",
    ("pooling", "same"): "write ceil_mode=True, which gives Keras' 'same' output size when kernel_size equals stride",
}


def _keras_keywords(call: nodes.Call, name: str) -> Iterator[Finding]:
    for keyword in call.keywords or ():
        if keyword.arg not in KERAS_ARGUMENTS or name in ACCEPTED.get(keyword.arg, ()):
            continue
        value = _source(keyword.value)
        activation = constant(keyword.value)
        function, layer = ACTIVATIONS.get(activation, _ANY_ACTIVATION) if isinstance(activation, str) \
            else _ANY_ACTIVATION
        advice = advice_for(keyword.arg, name).format(value=value, function=function, layer=layer)
        yield Finding("keras-argument", keyword, (shown(name), f"{keyword.arg}={value}", "TypeError", advice))


def _padding(call: nodes.Call, name: str) -> Finding | None:
    geometry = CONVOLUTIONS.get(name) or NUMERIC_PADDING.get(name)
    if geometry is None:
        return None
    given = argument(call, "padding", geometry.padding)
    padding = constant(given)
    if not isinstance(padding, str) or padding.lower() not in _KERAS_PADDINGS:
        return None
    written = f"padding={padding!r}"
    where = given if isinstance(given, nodes.NodeNG) else call
    if name in NUMERIC_PADDING:
        advice = NUMERIC_PADDING_ADVICE.get((FAMILIES[name], padding.lower()))
        return Finding("keras-argument", where, (shown(name), written, _RAISES_WHEN_CALLED, advice)) if advice else None
    kernel = constant(argument(call, "kernel_size", geometry.kernel))
    if padding.lower() == "causal":
        dilation = argument(call, "dilation", geometry.dilation)
        left = _causal_padding(kernel, 1 if dilation is ABSENT else constant(dilation))
        advice = f"write padding=0 and left-pad the input in forward: F.pad(x, ({left}, 0))"
        return Finding("keras-argument", where, (shown(name), written, "ValueError", advice))
    if padding != padding.lower():
        return Finding("keras-argument", where, (shown(name), written, "ValueError",
                                                 f"write padding={padding.lower()!r} in lower case"))
    if padding == "valid":
        return None
    stride = argument(call, "stride", geometry.stride)
    strides = constant(stride) if stride is not ABSENT else 1
    steps = strides if isinstance(strides, tuple) else (strides,)
    if not steps or not all(is_number(s) for s in steps) or max(steps) <= 1:  # type: ignore[type-var]
        return None
    advice = (f"write padding={_half(kernel)} (kernel_size // 2, Keras' output size for odd kernel sizes); "
              "TensorFlow pads 'same' asymmetrically, so at even input sizes its windows are one pixel off")
    return Finding("keras-argument", where, (shown(name), f"{written} with stride={_source(stride)}",
                                             "ValueError", advice))


def _half(kernel: object) -> str:
    if is_number(kernel):
        return str(int(kernel) // 2)  # type: ignore[call-overload]
    if isinstance(kernel, tuple) and all(is_number(k) for k in kernel):
        return str(tuple(int(k) // 2 for k in kernel))
    return "kernel_size // 2"


def _causal_padding(kernel: object, dilation: object) -> str:
    if is_number(kernel) and is_number(dilation):
        return str((int(kernel) - 1) * int(dilation))  # type: ignore[call-overload]
    return "(kernel_size - 1) * dilation"


def _source(node: nodes.NodeNG | object) -> str:
    text = node.as_string() if isinstance(node, nodes.NodeNG) else str(node)
    return text if len(text) <= 40 else text[:37] + "..."


# --- E7406: a recurrent layer inside nn.Sequential ------------------------------------------------

# Recurrent layers and the tuple they return.
TUPLE_RETURNING: dict[str, str] = {
    "torch.nn.RNN": "(output, h_n)",
    "torch.nn.GRU": "(output, h_n)",
    "torch.nn.LSTM": "(output, (h_n, c_n))",
    "torch.nn.LSTMCell": "(h_1, c_1)",
}
_ORDERED_DICTS = frozenset({"collections.OrderedDict"})


def _rnn_in_sequential(call: nodes.Call, changed: frozenset[str]) -> Iterator[Finding]:
    items = _sequential_items(call)
    for item, following in zip(items, items[1:]):
        rnn = _built_layer(item, changed)
        after = _built_layer(following, changed)
        if rnn is None or after is None:
            continue
        rnn_name, after_name = call_name(rnn) or "", call_name(after)
        if rnn_name in TUPLE_RETURNING and after_name is not None and _fails_on_a_tuple(after_name):
            yield Finding("rnn-in-sequential", item, (shown(rnn_name), TUPLE_RETURNING[rnn_name], shown(after_name)))


def _sequential_items(call: nodes.Call) -> list[nodes.NodeNG | None]:
    """The layers of `nn.Sequential(a, b)` or `nn.Sequential(OrderedDict([("a", a), ...]))`, None
    standing for a `*layers` whose items are unknown."""
    if call.keywords:
        return []
    args = list(call.args)
    if len(args) == 1 and isinstance(args[0], nodes.Call) and call_name(args[0]) in _ORDERED_DICTS:
        pairs = args[0].args[0] if len(args[0].args) == 1 and not args[0].keywords else None
        if not isinstance(pairs, (nodes.List, nodes.Tuple)):
            return []
        return [p.elts[1] if isinstance(p, nodes.Tuple) and len(p.elts) == 2 else None for p in pairs.elts]
    return [None if isinstance(arg, nodes.Starred) else arg for arg in args]


def _built_layer(item: nodes.NodeNG | None, changed: frozenset[str]) -> nodes.Call | None:
    """The constructor call an item of nn.Sequential is, directly or through a local name."""
    if isinstance(item, nodes.Call):
        return item
    if isinstance(item, nodes.Name) and item.name not in changed:
        values = expression_values(item, changed)
        if values and len(values) == 1 and isinstance(values[0], nodes.Call):
            return values[0]
    return None


def _fails_on_a_tuple(name: str) -> bool:
    """Whether a torch layer fails when nn.Sequential hands it a tuple: every one but Identity,
    which returns it, and the containers, whose first layer receives it."""
    layer = LAYERS.get(name)
    return layer is not None and layer.kind is not LayerKind.CONTAINER and name not in _LENIENT


# --- the rules' entry ----------------------------------------------------------------------------

_SEQUENTIAL = "torch.nn.Sequential"


def check(calls: Calls) -> Iterator[Finding]:
    """Findings of the construction rules among the calls of a module."""
    for call, name in calls.named(RUNNING_STAT_NORMS):
        finding = _momentum(call, name)
        if finding is not None:
            yield finding
    for call in calls.calls:
        if any(keyword.arg in KERAS_ARGUMENTS for keyword in call.keywords or ()):
            name = calls.name(call)
            if name in LAYERS and name not in _LENIENT:
                yield from _keras_keywords(call, name)  # type: ignore[arg-type]
    for call, name in calls.named({**CONVOLUTIONS, **NUMERIC_PADDING}):
        finding = _padding(call, name)
        if finding is not None:
            yield finding
    sequentials = list(calls.named({_SEQUENTIAL}))
    if sequentials:
        changed = dataflow.changed_after_construction(calls.module)
        for call, _ in sequentials:
            yield from _rnn_in_sequential(call, changed)
