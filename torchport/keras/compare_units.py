"""The two models of `torchport compare` as graphs of comparable units.

A unit is one step both frameworks have a name for: a layer with weights, an activation (Keras's
`activation=` argument becomes a unit of its own, after its layer), dropout, pooling, flatten, a merge.
Its `key` is what alignment matches on; its `attrs` are the arguments compared, in one vocabulary for both
sides (units, kernel, stride, padding, ...). Everything else on the torch side (indexing, permutes,
unsqueeze, `out[:, -1]`) is glue: data passes through it.

The Keras side comes from the reader's records; the torch side from the shape interpreter's trace
(module calls and tensor operations, linked by the identity of the abstract tensors they pass), reusing
the interpreter's bound layer arguments and the catalogue's op signatures.
"""

from __future__ import annotations

from collections.abc import Iterator
import math
from dataclasses import dataclass, field, replace
from typing import Any

from torchport.advisor.catalogue import op_spec
from torchport.advisor.catalogue.signature import BindError, bind
from torchport.advisor.dims import Unknown
from torchport.advisor.interpreter import Trace
from torchport.advisor.summary_model import nesting, param_count
from torchport.advisor.values import ModuleInstance, TensorValue
from torchport.keras.layouts import BATCH_MAJOR, CHANNELS_FIRST, TIME_MAJOR
from torchport.keras.model import KerasLayer, KerasModel



@dataclass
class Unit:
    key: str  # what alignment matches: "dense", "conv2d", "pool2d", "activation", ...
    label: str  # "dense_1 (Dense)", "fc1 (Linear)", "F.relu"
    type: str  # Keras or torch class name, or the function
    line: int
    attrs: dict[str, Any] = field(default_factory=dict)  # compared arguments; absent when unknown
    spelled: dict[str, str] = field(default_factory=dict)  # attr -> the argument's name on this side
    output: Any = None  # Keras shape tuple, or the torch nesting (summary_model.nesting)
    params: int | None = 0
    sources: tuple[int, ...] = ()  # producing units (indices), -1 - i for the model's input i
    layout: str = BATCH_MAJOR  # torch side: the layout of the output tensor
    lines: tuple[int, ...] = ()  # torch side: every line the unit stands for (construction and call)
    module: str = ""  # torch side: the layer's name in named_modules() ("" for a function call)
    permuted: bool = False  # torch side: a permute or transpose lies between the unit and what it reads
    input: Any = None  # Keras side: the shape of the (first) tensor the unit reads, when known


@dataclass
class Graph:
    units: list[Unit]  # in canonical order (see `_canonical`)
    outputs: tuple[int, ...]
    complete: bool = True  # False: part of the data flow was not followed; missing/extra are not claimed
    channels_first: bool = False  # Keras side: a layer with data_format="channels_first" (shapes not translated)
    notes: list[str] = field(default_factory=list)
    data_order: list[Unit] = field(default_factory=list)  # the units before `_commuted`: in data order


def as_tuple(value: Any, rank: int) -> Any:
    """An int or a sequence as a tuple of `rank` ints; other values unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return (value,) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank:
        return tuple(value)
    return value


# ------------------------------------------------------------------------------- vocabulary

ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu", "selu", "silu", "softplus",
               "relu6", "leaky_relu", "hard_sigmoid", "mish", "softsign")
KERAS_ACTIVATION_NAMES = {**{name: name for name in ACTIVATIONS}, "swish": "silu", "linear": None}
TORCH_ACTIVATION_MODULES = {
    "ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax", "LogSoftmax": "log_softmax",
    "GELU": "gelu", "ELU": "elu", "SELU": "selu", "SiLU": "silu", "Softplus": "softplus", "ReLU6": "relu6",
    "LeakyReLU": "leaky_relu", "Hardsigmoid": "hard_sigmoid", "Mish": "mish", "Softsign": "softsign",
}
_TORCH_FUNCTION_NAMES = {**{name: name for name in ACTIVATIONS}, "hardsigmoid": "hard_sigmoid"}
TORCH_ACTIVATION_FUNCTIONS = {
    f"{prefix}{name}{suffix}": activation
    for name, activation in _TORCH_FUNCTION_NAMES.items()
    for prefix in ("torch.nn.functional.", "torch.", "torch.Tensor.", "torch.special.")
    for suffix in ("", "_")
}
DROPOUT_FUNCTIONS = {"torch.nn.functional.dropout", "torch.dropout"}
MERGE_FUNCTIONS = {"torch.cat": "concat", "torch.concat": "concat", "torch.concatenate": "concat",
                   "operator.add": "add", "torch.add": "add", "torch.Tensor.add": "add",
                   "operator.mul": "multiply", "torch.mul": "multiply", "torch.Tensor.mul": "multiply",
                   "operator.sub": "subtract", "torch.sub": "subtract", "torch.Tensor.sub": "subtract",
                   "torch.maximum": "maximum", "torch.Tensor.maximum": "maximum",
                   "torch.minimum": "minimum", "torch.Tensor.minimum": "minimum"}
RESHAPE_FUNCTIONS = {"torch.flatten", "torch.Tensor.flatten", "torch.Tensor.view", "torch.Tensor.reshape",
                     "torch.reshape"}
REDUCTIONS = {"torch.mean": "avg", "torch.Tensor.mean": "avg", "torch.amax": "max", "torch.Tensor.amax": "max"}
PERMUTES = {"torch.Tensor.permute", "torch.permute", "torch.Tensor.transpose", "torch.transpose",
            "torch.movedim", "torch.Tensor.movedim", "torch.swapaxes", "torch.Tensor.swapaxes"}
_COMMUTATIVE = {"add", "multiply", "maximum", "minimum"}
# merges torch writes as a chain of binary operations (`a + b + c`): a Keras merge of n inputs is n - 1 units
# (Average: the sum, the division is glue)
_CHAINED = frozenset({"add", "multiply", "maximum", "minimum"})
# the layout a unit's output has in torch (None: the layout of its first input)
# (a global pooling that keeps its dims, keepdim=True: its input's)
_LAYOUT_OF_KEY = {"dense": BATCH_MAJOR, "embedding": BATCH_MAJOR, "flatten": BATCH_MAJOR, "reshape": BATCH_MAJOR,
                  "attention": BATCH_MAJOR, "globalpool1d": BATCH_MAJOR, "globalpool2d": BATCH_MAJOR,
                  "globalpool3d": BATCH_MAJOR, "spatial_dropout": CHANNELS_FIRST}


def _nd(name: str) -> int:
    """1, 2 or 3 from a class or function name such as Conv2d, MaxPooling1D, max_pool2d."""
    return next((int(c) for c in reversed(name) if c in "123"), 2)


# ------------------------------------------------------------------------------ Keras side

@dataclass(frozen=True)
class UnitSpec:
    """How a layer type becomes a unit: its key and which of its arguments are the unit's attributes."""

    key: str
    arguments: tuple[tuple[str, str], ...] = ()  # (unit attribute, the argument on this side)
    rank: int = 0  # > 0: kernel, stride, dilation (and a torch conv's padding) are tuples of this many dims
    fixed: tuple[tuple[str, Any], ...] = ()  # attributes of the type itself: (attribute, value)
    stride_is_kernel: bool = False  # pooling: a stride of None (Keras) is the window

    def attrs(self, arguments: dict[str, Any], side: str) -> dict[str, tuple[str, Any]]:
        """attribute -> (argument, value) for the arguments known (`arguments`: name -> value)."""
        found: dict[str, tuple[str, Any]] = {attr: (side, value) for attr, value in self.fixed}
        for attr, argument in self.arguments:
            value = arguments.get(argument, _ABSENT)
            if value is _ABSENT or isinstance(value, Unknown):
                continue
            if value is None and self.stride_is_kernel and attr == "stride":
                value = arguments.get("pool_size", _ABSENT)
                if value is _ABSENT:
                    continue
            if self.rank and (attr in _PER_DIM or (attr == "padding" and not isinstance(value, str))):
                value = as_tuple(value, self.rank)
            found[attr] = (argument, value)
        return found


_ABSENT = object()
_PER_DIM = frozenset({"kernel", "stride", "dilation"})
_CONV = (("units", "filters"), ("kernel", "kernel_size"), ("stride", "strides"), ("dilation", "dilation_rate"),
         ("bias", "use_bias"))
_KERAS_POOL = (("kernel", "pool_size"), ("stride", "strides"), ("padding", "padding"))
_TORCH_CONV = (("units", "out_channels"), ("kernel", "kernel_size"), ("stride", "stride"), ("dilation", "dilation"),
               ("bias", "bias"))
_TORCH_RNN = (("units", "hidden_size"), ("bidirectional", "bidirectional"), ("layers", "num_layers"),
              ("batch_first", "batch_first"))


def _per_rank(make: Any) -> dict[str, UnitSpec]:
    """The rows `make(nd)` gives for 1-, 2- and 3-D layers."""
    return {name: spec for nd in (1, 2, 3) for name, spec in make(nd).items()}


# Keras layer type -> its unit. Reshape, Bidirectional, SeparableConv2D and the activation layers are read by
# `_keras_layer_units` (their unit depends on their arguments).
KERAS_UNITS: dict[str, UnitSpec] = {
    "Dense": UnitSpec("dense", (("units", "units"), ("bias", "use_bias"))),
    "Flatten": UnitSpec("flatten"),
    "Dropout": UnitSpec("dropout", (("rate", "rate"),)),
    "AlphaDropout": UnitSpec("dropout", (("rate", "rate"),)),
    "BatchNormalization": UnitSpec("batchnorm", (("momentum", "momentum"), ("eps", "epsilon"), ("center", "center"),
                                                 ("scale", "scale"))),
    "LayerNormalization": UnitSpec("layernorm"),
    "Embedding": UnitSpec("embedding", (("units", "output_dim"), ("vocab", "input_dim"))),
    "LSTM": UnitSpec("lstm", (("units", "units"),), fixed=(("bidirectional", False),)),
    "GRU": UnitSpec("gru", (("units", "units"), ("reset_after", "reset_after")), fixed=(("bidirectional", False),)),
    "SimpleRNN": UnitSpec("rnn", (("units", "units"),), fixed=(("bidirectional", False),)),
    "MultiHeadAttention": UnitSpec("attention", (("units", "num_heads"),)),
    "Add": UnitSpec("add"),
    "Multiply": UnitSpec("multiply"),
    "Subtract": UnitSpec("subtract"),
    "Maximum": UnitSpec("maximum"),
    "Minimum": UnitSpec("minimum"),
    "Average": UnitSpec("add"),
    "Concatenate": UnitSpec("concat"),
    "DepthwiseConv2D": UnitSpec("conv2d", _CONV[1:] + (("padding", "padding"),), 2),  # units: `_depthwise_units`
    # layers whose data passes through on the torch side (F.pad, a slice, nn.Upsample, noise while training):
    # not compared themselves, the shapes after them are
    **{name: UnitSpec("glue") for name in ("GaussianNoise", "GaussianDropout", "UpSampling1D", "UpSampling2D",
                                           "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
                                           "Cropping1D", "Cropping2D", "Cropping3D", "RepeatVector", "Permute")},
    **_per_rank(lambda nd: {
        f"Conv{nd}D": UnitSpec(f"conv{nd}d", _CONV + (("padding", "padding"),), nd),
        f"Conv{nd}DTranspose": UnitSpec(f"conv{nd}d_transpose", _CONV, nd),
        f"MaxPooling{nd}D": UnitSpec(f"pool{nd}d", _KERAS_POOL, nd, (("op", "max"),), stride_is_kernel=True),
        f"AveragePooling{nd}D": UnitSpec(f"pool{nd}d", _KERAS_POOL, nd, (("op", "avg"),), stride_is_kernel=True),
        f"GlobalMaxPooling{nd}D": UnitSpec(f"globalpool{nd}d", fixed=(("op", "max"),)),
        f"GlobalAveragePooling{nd}D": UnitSpec(f"globalpool{nd}d", fixed=(("op", "avg"),)),
        f"SpatialDropout{nd}D": UnitSpec("spatial_dropout", (("rate", "rate"),)),
    }),
}
# torch module type -> its unit (a pooling's padding and ceil_mode: `_pool_attrs`; adaptive pooling to size 1:
# `_module_event`)
TORCH_UNITS: dict[str, UnitSpec] = {
    "Linear": UnitSpec("dense", (("units", "out_features"), ("bias", "bias"))),
    "LazyLinear": UnitSpec("dense", (("units", "out_features"), ("bias", "bias"))),
    "Flatten": UnitSpec("flatten"),
    "Unflatten": UnitSpec("reshape"),
    "Dropout": UnitSpec("dropout", (("rate", "p"),)),
    "AlphaDropout": UnitSpec("dropout", (("rate", "p"),)),
    "LayerNorm": UnitSpec("layernorm"),
    "Embedding": UnitSpec("embedding", (("units", "embedding_dim"), ("vocab", "num_embeddings"))),
    "LSTM": UnitSpec("lstm", _TORCH_RNN),
    "GRU": UnitSpec("gru", _TORCH_RNN),
    "RNN": UnitSpec("rnn", _TORCH_RNN),
    "MultiheadAttention": UnitSpec("attention", (("units", "num_heads"),)),
    "PReLU": UnitSpec("prelu"),
    **{name: UnitSpec("activation", fixed=(("name", activation),))
       for name, activation in TORCH_ACTIVATION_MODULES.items()},
    **_per_rank(lambda nd: {
        **{f"{lazy}Conv{nd}d": UnitSpec(f"conv{nd}d", _TORCH_CONV + (("padding", "padding"),), nd)
           for lazy in ("", "Lazy")},
        **{f"{lazy}ConvTranspose{nd}d": UnitSpec(f"conv{nd}d_transpose", _TORCH_CONV, nd) for lazy in ("", "Lazy")},
        f"MaxPool{nd}d": UnitSpec(f"pool{nd}d", (), nd, (("op", "max"),)),
        f"AvgPool{nd}d": UnitSpec(f"pool{nd}d", (), nd, (("op", "avg"),)),
        **{f"{lazy}BatchNorm{nd}d": UnitSpec("batchnorm", (("momentum", "momentum"), ("eps", "eps")))
           for lazy in ("", "Lazy")},
        f"Dropout{nd}d": UnitSpec("spatial_dropout", (("rate", "p"),)),
        f"AdaptiveMaxPool{nd}d": UnitSpec(f"globalpool{nd}d", fixed=(("op", "max"),)),
        f"AdaptiveAvgPool{nd}d": UnitSpec(f"globalpool{nd}d", fixed=(("op", "avg"),)),
    }),
}


def _keras_layer_units(layer: KerasLayer) -> list[Unit] | None:
    """The units of a Keras layer (without its activation): one, or two for a SeparableConv2D (its depthwise
    and pointwise convolutions, as torch writes it); None when compare does not know its type."""
    kind = layer.type
    base = Unit("", f"{layer.name} ({kind})", kind, layer.line, output=layer.output_shape, params=layer.params)
    spec = KERAS_UNITS.get(kind)
    if spec is not None:
        base.key = spec.key
        attrs = spec.attrs(layer.config, kind)
        if kind == "DepthwiseConv2D":
            _depthwise_units(attrs, layer)
    elif kind == "Reshape":
        target = layer.config.get("target_shape")
        base.key = "flatten" if isinstance(target, (tuple, list)) and len(target) == 1 else "reshape"
        attrs = {}
    elif kind == "Bidirectional" and layer.wrapped is not None and layer.wrapped.type in _RNN_TYPES:
        inner = layer.wrapped
        base.key = KERAS_UNITS[inner.type].key
        attrs = {**KERAS_UNITS[inner.type].attrs(inner.config, inner.type), "bidirectional": (kind, True),
                 "merge": ("merge_mode", layer.config.get("merge_mode", "concat"))}
    elif kind == "SeparableConv2D":
        return _separable_units(layer, base)
    elif kind == "TimeDistributed" and layer.wrapped is not None and layer.wrapped.type == "Dense":
        base.key = "dense"  # nn.Linear acts on the last dim of any rank
        attrs = KERAS_UNITS["Dense"].attrs(layer.wrapped.config, "Dense")
    elif kind == "PReLU":  # torch's nn.PReLU has one alpha or one per channel; else the port computes it itself
        base.key = "prelu" if _channel_alpha(layer) else "glue"
        attrs = {}
    elif kind in ("Activation", "ReLU", *_KERAS_ACTIVATION_LAYERS):
        name = _keras_activation_layer(layer)
        if name is False:
            return None
        base.key = "activation" if name is not None else "glue"  # Activation('linear') passes data through
        attrs = {"name": ("activation", name)}
    else:
        return None
    _set_attrs(base, attrs)
    return [base]


_RNN_TYPES = frozenset({"LSTM", "GRU", "SimpleRNN"})


def _set_attrs(unit: Unit, attrs: dict[str, tuple[str, Any]]) -> None:
    unit.attrs = {attr: value for attr, (_, value) in attrs.items()}
    unit.spelled = {attr: argument for attr, (argument, _) in attrs.items()}


def _depthwise_units(attrs: dict[str, tuple[str, Any]], layer: KerasLayer) -> None:
    """A depthwise convolution's output channels (torch's out_channels), from its count: k·C·m (+ C·m biases)."""
    kernel = attrs.get("kernel", ("", None))[1]
    if isinstance(kernel, tuple) and isinstance(layer.params, int):
        per_channel = math.prod(kernel) + bool(layer.config.get("use_bias", True))
        if layer.params % per_channel == 0:
            attrs["units"] = ("depth_multiplier", layer.params // per_channel)


def _separable_units(layer: KerasLayer, base: Unit) -> list[Unit] | None:
    """SeparableConv2D: a depthwise convolution (no bias) then a 1x1 pointwise one, each with its own count
    (k·M and M·F + F, M = C·depth_multiplier, told from the layer's count)."""
    config = layer.config
    attrs = KERAS_UNITS["Conv2D"].attrs(config, layer.type)
    kernel, filters, params = attrs.get("kernel", ("", None))[1], config.get("filters"), layer.params
    if not isinstance(kernel, tuple) or not isinstance(filters, int):
        return None
    bias = filters if config.get("use_bias", True) else 0
    middle = (params - bias) // (math.prod(kernel) + filters) if isinstance(params, int) else None
    depthwise = replace(base, key="conv2d", label=f"{layer.name} (SeparableConv2D, depthwise)",
                        output=_with_channels(layer.output_shape, middle),
                        params=None if middle is None else math.prod(kernel) * middle)
    _set_attrs(depthwise, {**{a: v for a, v in attrs.items() if a != "units"}, "bias": ("depthwise", False),
                           **({"units": ("depth_multiplier", middle)} if middle is not None else {})})
    pointwise = replace(base, key="conv2d", label=f"{layer.name} (SeparableConv2D, pointwise)",
                        params=None if middle is None else middle * filters + bias)
    _set_attrs(pointwise, {"units": ("filters", filters), "kernel": ("pointwise", (1, 1)),
                           "stride": ("pointwise", (1, 1)), "bias": ("use_bias", bool(bias)),
                           "padding": ("pointwise", "valid")})
    return [depthwise, pointwise]


def _channel_alpha(layer: KerasLayer) -> bool:
    """Whether a PReLU's alpha is one number per channel (every axis but the last shared)."""
    shape, shared = layer.output_shape, layer.config.get("shared_axes")
    shared = {shared} if isinstance(shared, int) else set(shared) if isinstance(shared, (tuple, list)) else set()
    return isinstance(shape, tuple) and all(isinstance(d, int) or d is None for d in shape) \
        and set(range(1, len(shape) - 1)) <= shared


def _with_channels(shape: Any, channels: int | None) -> Any:
    """The output shape of a separable convolution's depthwise step: the layer's with `channels` channels."""
    if not isinstance(shape, tuple) or not shape or isinstance(shape[0], tuple):
        return None
    return (*shape[:-1], channels)


_KERAS_ACTIVATION_LAYERS = {"Softmax": "softmax", "LeakyReLU": "leaky_relu", "ELU": "elu"}


def _keras_activation_layer(layer: KerasLayer) -> str | None | bool:
    """The activation an activation layer applies (None: linear); False when it is not a plain one."""
    if layer.type in _KERAS_ACTIVATION_LAYERS:
        return _KERAS_ACTIVATION_LAYERS[layer.type]
    if layer.type == "ReLU":
        config = layer.config
        if config.get("max_value") == 6 and not config.get("negative_slope") and not config.get("threshold"):
            return "relu6"
        plain = config.get("max_value") is None and not config.get("threshold")
        if plain and not config.get("negative_slope"):
            return "relu"
        return "leaky_relu" if plain else False
    value = layer.config.get("activation", False)
    return KERAS_ACTIVATION_NAMES.get(value, False) if isinstance(value, str) or value is None else False


def keras_graph(model: KerasModel) -> Graph:
    """The Keras model's units (a layer's `activation=` a unit of its own) in canonical order. A layer
    compare does not know passes its data through, and makes the graph incomplete: its torch counterpart
    would look like an extra layer."""
    units, outputs, notes = wired_units(model)
    units, outputs = _drop_glue(units, outputs)
    complete = not any(isinstance(note, str) or note.structural for note in notes)
    graph = _commuted(_canonical(Graph(units, outputs, complete=complete, notes=[str(note) for note in notes])))
    _absorb_flatten_after_global_pool(graph)  # GlobalMaxPooling1D(keepdims=True) + Flatten, as torch's
    graph.channels_first = any(layer.config.get("data_format") == "channels_first" for layer in model.layers)
    return graph


def wired_units(model: KerasModel) -> tuple[list[Unit], tuple[int, ...], list[Any]]:
    """The units of the model's layers in its order, each reading the units (or inputs, -1 - i) it reads; a
    model used as a layer contributes its own units. Also the output units, and the notes: the reader's
    (model.Note) and, as text, the layers compare does not know."""
    units: list[Unit] = []
    wiring: list[tuple[str | int, ...] | None] = []  # per unit: the layer names (or unit indices) it reads;
    # None: the unit before it (Sequential)
    last_of: dict[str, int] = {}
    notes: list[Any] = list(model.notes)
    inputs = {keras_input.name: -1 - i for i, keras_input in enumerate(model.inputs)}
    chain = model.style == "sequential" or not any(layer.inputs for layer in model.layers)
    for layer in model.layers:
        if layer.model is not None:
            last_of[layer.name] = _inline(layer, units, wiring, notes, chain)
            continue
        found = _keras_layer_units(layer)
        if found is None:
            notes.append(f"{layer.name} ({layer.type}) is not compared")
            found = [Unit("glue", layer.name, layer.type, layer.line)]
        if found[0].key == "glue" and chain:
            continue
        if found[0].key in _CHAINED and len(layer.inputs) > 2 and not chain:  # a + b + c: two additions
            found = [replace(found[0], params=0) for _ in layer.inputs[1:]]
        for step, unit in enumerate(found):  # the steps of one layer read each other
            units.append(unit)
            if chain:
                wiring.append(None)
            elif unit.key in _CHAINED and len(found) > 1:
                wiring.append(layer.inputs[:2] if not step else (len(units) - 2, layer.inputs[step + 1]))
            else:
                wiring.append(layer.inputs if not step else (len(units) - 2,))
        activation = layer.config.get("activation") if unit.key in _EXPANDS_ACTIVATION else None
        if isinstance(activation, str) and KERAS_ACTIVATION_NAMES.get(activation) is not None:
            units.append(Unit("activation", f"{layer.name} activation={activation!r}", "activation", layer.line,
                              attrs={"name": KERAS_ACTIVATION_NAMES[activation]}, spelled={"name": "activation"},
                              output=layer.output_shape))
            wiring.append((len(units) - 2,))
        last_of[layer.name] = len(units) - 1
    for index, (unit, names) in enumerate(zip(units, wiring)):
        if names is None:
            unit.sources = (index - 1,) if index else (-1,)
        else:
            unit.sources = tuple(n if isinstance(n, int) else last_of.get(n, inputs.get(n, -1)) for n in names)
        source = unit.sources[0] if unit.sources else None
        if source is not None and -len(model.inputs) <= source < index:
            unit.input = units[source].output if source >= 0 else model.inputs[-1 - source].shape
    if chain:
        outputs: tuple[int, ...] = (len(units) - 1,) if units else ()
    else:
        outputs = tuple(last_of[name] for name in model.outputs if name in last_of)
    return units, outputs, notes


def _inline(layer: KerasLayer, units: list[Unit], wiring: list[tuple[str | int, ...] | None], notes: list[Any],
            chain: bool) -> int:
    """A model used as a layer: its units added in place, its inputs read from what the layer reads (as the
    torch port calls its layers inside a module of its own). The unit of its output."""
    inner, outputs, inner_notes = wired_units(layer.model)  # type: ignore[arg-type]
    notes.extend(inner_notes)
    offset = len(units)
    outer: tuple[str | int, ...] = (offset - 1 if offset else -1,) if chain else layer.inputs
    count = len(layer.model.inputs) if layer.model is not None else 1
    for unit in inner:
        reads: list[str | int] = []
        for source in unit.sources:
            if source >= 0:
                reads.append(source + offset)
            else:
                reads.extend(outer if count == 1 or chain else outer[-1 - source:][:1])
        units.append(unit)
        wiring.append(tuple(reads))
    if outputs and outputs[0] >= 0 and (not chain or outputs[0] + offset == len(units) - 1):
        return outputs[0] + offset
    # the model returns an input, or (in a chain) not its last unit: a glue unit passes its output on
    units.append(Unit("glue", layer.name, layer.type, layer.line))
    wiring.append((outputs[0] + offset,) if outputs and outputs[0] >= 0 else outer)
    return len(units) - 1


_EXPANDS_ACTIVATION = {"dense", "conv1d", "conv2d", "conv3d", "conv1d_transpose", "conv2d_transpose",
                       "conv3d_transpose"}


def _merges_of_one_call_to_glue(units: list[Unit]) -> None:
    """A merge of parts of one call's output (`out[..., 0, :] + out[..., 1, :]`, `cat((h[-2], h[-1]))`: how a
    port writes a Bidirectional's merge) is that layer's doing, not a Keras Add or Concatenate of two layers."""
    for unit in units:
        if unit.key in ("add", "multiply", "concat") and len(set(unit.sources)) == 1 and unit.sources[0] >= 0:
            unit.key = "glue"


def _shared_calls_to_glue(units: list[Unit]) -> None:
    """A layer called several times is one unit, reading what each call reads, as Keras records a shared
    layer: its later calls pass through to the first."""
    first: dict[str, int] = {}
    for index, unit in enumerate(units):
        if not unit.module or unit.key == "glue":
            continue
        if unit.module not in first:
            first[unit.module] = index
            continue
        shared = units[first[unit.module]]
        shared.sources = tuple(dict.fromkeys((*shared.sources, *(s for s in unit.sources if s != first[unit.module]))))
        unit.key, unit.sources = "glue", (first[unit.module],)


def _stacked_layers(units: list[Unit]) -> None:
    """An RNN with num_layers=k is k units, as Keras stacks k recurrent layers: the first k-1 are appended and
    read in turn, the original stays the last (what reads it still does). Their counts are unknown: torch
    counts the stack as one layer."""
    for index in range(len(units)):
        unit = units[index]
        layers = unit.attrs.get("layers", 1)
        if unit.key not in ("lstm", "gru", "rnn") or not isinstance(layers, int) or layers < 2:
            continue
        sources = unit.sources
        for layer in range(1, layers):
            copy = replace(unit, label=f"{unit.label} layer {layer}/{layers}", sources=sources, params=None,
                           output=None, module="")
            units.append(copy)
            sources = (len(units) - 1,)
        unit.label, unit.sources, unit.params = f"{unit.label} layer {layers}/{layers}", sources, None


def _repeats_to_glue(units: list[Unit]) -> None:
    """A function applied again to the same unit's output (the relu after each call of a shared layer) is one
    step, as the activation of a shared Keras layer is."""
    seen: dict[tuple[Any, ...], int] = {}
    for index, unit in enumerate(units):
        if unit.module or unit.key == "glue":
            continue
        signature = (unit.key, repr(sorted(unit.attrs.items())), unit.sources)
        if signature in seen:
            unit.key, unit.sources = "glue", (seen[signature],)
        else:
            seen[signature] = index


def _drop_glue(units: list[Unit], outputs: tuple[int, ...]) -> tuple[list[Unit], tuple[int, ...]]:
    """Units whose sources pass through glue units read the glue's sources instead."""
    def through(index: int) -> tuple[int, ...]:
        if index >= 0 and units[index].key == "glue":
            return tuple(s for source in units[index].sources for s in through(source))
        return (index,)
    for unit in units:
        unit.sources = tuple(s for source in unit.sources for s in through(source))
    outputs = tuple(o for output in outputs for o in through(output))
    return units, outputs


# ------------------------------------------------------------------------------ torch side

def tensors(value: Any) -> Iterator[TensorValue]:
    """The abstract tensors inside a value (tuples, lists, dicts), in order."""
    if isinstance(value, TensorValue):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from tensors(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from tensors(item)


@dataclass
class _Event:
    unit: Unit | None  # None: glue
    inputs: tuple[Any, ...]
    output: Any
    name: str  # the op or the layer type


def torch_graph(trace: Trace) -> Graph:
    """The port's units from the interpreter's trace, in canonical order."""
    names = {id(module): name for name, module in trace.root.named_modules()} if trace.root is not None else {}
    events = [_module_event(call.module, names.get(id(call.module), ""), call.inputs, call.output,
                            call.node.lineno or 0)
              for call in trace.module_calls if _is_leaf(call.module)]
    events += [_op_event(call) for call in trace.op_calls]
    ends_at = {id(event): _end(call.node) for event, call in zip(
        events, [c for c in trace.module_calls if _is_leaf(c.module)] + list(trace.op_calls))}
    producer = {id(t): i for i, event in enumerate(events) for t in tensors(event.output)}
    model_inputs = {id(t): -1 - i for i, value in enumerate(trace.inputs) for t in tensors(value)}
    complete = trace.stopped is None and not any(isinstance(v, Unknown) for v in _flat(trace.output))
    resolved: dict[int, tuple[int, ...]] = {}
    unfollowed: list[int] = []  # events that received a value the interpreter could not follow

    def sources_of(index: int) -> tuple[int, ...]:
        """The non-glue events (or model inputs) an event reads, through glue."""
        if index in resolved:
            return resolved[index]
        resolved[index] = ()
        found: list[int] = []
        if any(isinstance(v, Unknown) for v in _flat(list(events[index].inputs))):
            unfollowed.append(index)
        for value in events[index].inputs:
            for tensor in tensors(value):
                found.extend(_producer(id(tensor)))
        resolved[index] = tuple(dict.fromkeys(found))
        return resolved[index]

    def _producer(key: int) -> tuple[int, ...]:
        if key in producer:
            source = producer[key]
            return sources_of(source) if events[source].unit is None else (source,)
        return (model_inputs[key],) if key in model_inputs else ()

    glue_seen: dict[int, set[str]] = {}

    def glue_between(index: int) -> set[str]:
        """The operations of the glue between an event and the units it reads."""
        if index not in glue_seen:
            glue_seen[index] = set()
            for tensor in tensors(list(events[index].inputs)):
                source = producer.get(id(tensor))
                if source is not None and events[source].unit is None:
                    glue_seen[index] |= {events[source].name} | glue_between(source)
        return glue_seen[index]

    units: list[Unit] = []
    unit_events: list[_Event] = []
    position: dict[int, int] = {}
    for index, event in enumerate(events):
        if event.unit is not None:
            position[index] = len(units)
            units.append(event.unit)
            unit_events.append(event)
    for index, event in enumerate(events):
        if event.unit is not None:
            event.unit.sources = tuple(position.get(s, s) if s >= 0 else s for s in sources_of(index))
            event.unit.permuted = bool(glue_between(index) & PERMUTES)
    outputs = tuple(position[s] if s >= 0 else s for t in tensors(trace.output) for s in _producer(id(t))
                    if s < 0 or s in position)
    _merges_of_one_call_to_glue(units)
    _shared_calls_to_glue(units)
    units, outputs = _drop_glue(units, outputs)
    _repeats_to_glue(units)
    units, outputs = _drop_glue(units, outputs)
    complete = complete and not unfollowed
    ends = tuple(o for o in outputs if o >= 0)
    if not complete:  # the output is not known to come from these units: start from every unit nobody reads
        read = {s for unit in units for s in unit.sources}
        ends = tuple(sorted((i for i in range(len(units)) if i not in read), key=lambda i: ends_at[id(unit_events[i])]))
    _stacked_layers(units)
    graph = _commuted(_canonical(Graph(units, ends, complete=complete)))
    _absorb_flatten_after_global_pool(graph)
    _set_layouts(graph)
    return graph


def _end(node: Any) -> tuple[int, int]:
    """Where a call ends in its file: of two calls in one expression, the inner one ends (and runs) first."""
    return (getattr(node, "end_lineno", None) or 0, getattr(node, "end_col_offset", None) or 0)


def _flat(value: Any) -> Iterator[Any]:
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _flat(item)
    else:
        yield value


def _is_leaf(module: ModuleInstance) -> bool:
    return module.classdef is None and module.layer is not None


def _module_event(module: ModuleInstance, name: str, inputs: tuple[Any, ...], output: Any, call_line: int) -> _Event:
    kind, args = module.short_type, module.args
    built = getattr(module.node, "lineno", None) or call_line
    unit = Unit("", "", kind, built, output=nesting(output), params=param_count(module), lines=(built, call_line))
    spec = TORCH_UNITS.get(kind)
    if spec is None or (spec.key.startswith("globalpool") and not _all_ones(args, "output_size")):
        return _Event(None, inputs, output, kind)  # Identity and layers compare does not know: glue
    unit.key = spec.key
    attrs = spec.attrs(args, kind)
    if spec.key.startswith("pool"):
        _pool_attrs(attrs, args, spec.rank)
    unit.label, unit.module = f"{name or kind} ({kind})", name
    _set_attrs(unit, attrs)
    return _Event(unit, inputs, output, kind)


def _pool_attrs(attrs: dict[str, tuple[str, Any]], args: dict[str, Any], nd: int) -> None:
    kernel = args.get("kernel_size")
    stride = args.get("stride")
    if kernel is not None and not isinstance(kernel, Unknown):
        attrs["kernel"] = ("kernel_size", as_tuple(kernel, nd))
        if not isinstance(stride, Unknown):
            attrs["stride"] = ("stride", as_tuple(stride if stride is not None else kernel, nd))
    padding, ceil = args.get("padding", 0), args.get("ceil_mode", False)
    if not isinstance(padding, Unknown) and isinstance(ceil, bool):
        attrs["padding"] = ("padding", ("ceil" if ceil else "floor", as_tuple(padding, nd)))


def _op_event(call: Any) -> _Event:
    name, output = call.name, call.output
    line = call.node.lineno if call.node is not None else 0
    unit = Unit("", f"{_op_label(name)} (line {line})", name, line, output=nesting(output), lines=(line,))
    tensor_inputs = [t for t in tensors(list(call.inputs))]
    if name in TORCH_ACTIVATION_FUNCTIONS:
        unit.key = "activation"
        unit.attrs, unit.spelled = {"name": TORCH_ACTIVATION_FUNCTIONS[name]}, {"name": _op_label(name)}
    elif name in DROPOUT_FUNCTIONS:
        unit.key = "dropout"
        bound = _bind(call)
        if bound is not None and isinstance(bound.get("p"), float):
            unit.attrs, unit.spelled = {"rate": bound["p"]}, {"rate": "p"}
    elif name in MERGE_FUNCTIONS and (name in ("torch.cat", "torch.concat", "torch.concatenate")
                                      or len(tensor_inputs) >= 2):
        unit.key = MERGE_FUNCTIONS[name]
    elif "_pool" in name and "adaptive" not in name and name.rpartition(".")[2].startswith(("max_pool", "avg_pool")):
        nd = _nd(name)
        bound = _bind(call)
        unit.key = f"pool{nd}d"
        attrs: dict[str, tuple[str, Any]] = {"op": (name, "max" if "max_pool" in name else "avg")}
        if bound is not None:
            _pool_attrs(attrs, bound, nd)
        unit.attrs = {attr: value for attr, (_, value) in attrs.items()}
        unit.spelled = {attr: argument for attr, (argument, _) in attrs.items()}
    elif name.startswith("torch.nn.functional.adaptive_") and _all_ones(_bind(call), "output_size"):
        unit.key = f"globalpool{_nd(name)}d"
        unit.attrs, unit.spelled = {"op": "max" if "max" in name else "avg"}, {"op": name}
    elif name in RESHAPE_FUNCTIONS or name in REDUCTIONS:
        unit.key = _reshape_key(name, tensor_inputs[0] if tensor_inputs else None, output)
        if unit.key.startswith("globalpool"):
            unit.attrs, unit.spelled = {"op": REDUCTIONS[name]}, {"op": name}
        if not unit.key:
            return _Event(None, call.inputs, output, name)
    else:
        return _Event(None, call.inputs, output, name)
    return _Event(unit, call.inputs, output, name)


def _op_label(name: str) -> str:
    for prefix, short in (("torch.nn.functional.", "F."), ("torch.Tensor.", "Tensor."), ("operator.add", "+"),
                          ("operator.mul", "*")):
        if name.startswith(prefix):
            return short + name[len(prefix):]
    return name


def _bind(call: Any) -> dict[str, Any] | None:
    """An op call's arguments by name (the catalogue's signature), None when they cannot be told apart."""
    node = call.node
    keywords = list(getattr(node, "keywords", None) or ())
    if node is None or any(k.arg is None for k in keywords) or any(
            type(a).__name__ == "Starred" for a in getattr(node, "args", ())):
        return None
    names = [k.arg for k in keywords]
    values = list(call.inputs)  # a method's receiver first: the signature's first parameter
    positional, named = values[:len(values) - len(names)], dict(zip(names, values[len(values) - len(names):]))
    try:
        return bind(op_spec(call.name).signature, positional, named)
    except (BindError, KeyError, AttributeError):
        return None


def _all_ones(bound: dict[str, Any] | None, name: str) -> bool:
    value = bound.get(name) if bound else None
    return value == 1 or (isinstance(value, tuple) and all(v == 1 for v in value))


def _reshape_key(name: str, source: TensorValue | None, output: Any) -> str:
    """flatten (to (N, features)), reshape, a global pool (a mean/amax over all dims but batch and one), or
    '' for glue (a reshape that keeps the shape, or a reduction compare does not know)."""
    if source is None or not isinstance(output, TensorValue) or source.rank is None or output.rank is None:
        return ""
    if name in REDUCTIONS:
        return f"globalpool{source.rank - 2}d" if _global_reduction(source.shape, output.shape) else ""
    if output.shape == source.shape:
        return ""
    return "flatten" if output.rank == 2 and source.rank > 2 else "reshape"


def _global_reduction(source: tuple[Any, ...], output: tuple[Any, ...]) -> bool:
    """Whether a reduction of `source` to `output` pools all dims but batch and channels (dim 1 or the last):
    to (N, C), or keeping the pooled dims as 1s (keepdim=True)."""
    if len(source) < 3 or source[0] != output[0]:
        return False
    if len(output) == 2:
        return output[1] in (source[1], source[-1])
    kept = [d for d in output[1:] if d != 1]
    return len(output) == len(source) and (output[1] == source[1] and all(d == 1 for d in output[2:])
                                           or output[-1] == source[-1] and all(d == 1 for d in output[1:-1])) \
        and len(kept) <= 1


def _absorb_flatten_after_global_pool(graph: Graph) -> None:
    """torch's `AdaptiveAvgPool2d(1)` + flatten is Keras's one GlobalAveragePooling2D: the flatten is glue (on
    both sides: Keras's global pooling with keepdims=True may be flattened too)."""
    keep: list[int] = []
    for index, unit in enumerate(graph.units):
        source = graph.units[unit.sources[0]] if len(unit.sources) == 1 and unit.sources[0] >= 0 else None
        if unit.key == "flatten" and source is not None and source.key.startswith("globalpool"):
            continue
        keep.append(index)
    if len(keep) == len(graph.units):
        return
    renumber: dict[int, int] = {}
    for index, unit in enumerate(graph.units):
        renumber[index] = renumber[unit.sources[0]] if index not in keep else keep.index(index)
    graph.units = [graph.units[i] for i in keep]
    for unit in graph.units:
        unit.sources = tuple(renumber[s] if s >= 0 else s for s in unit.sources)
    graph.outputs = tuple(renumber[o] for o in graph.outputs)


def _rank(output: Any) -> int:
    """The rank of a torch unit's output (a nesting: a list of dims), 0 when it is not one tensor."""
    return len(output) if isinstance(output, list) and not any(isinstance(d, list) for d in output) else 0


def channels_first_key(key: str) -> bool:
    """Whether torch's layer of this unit reads channels first (convolutions, pooling, spatial dropout)."""
    return key.startswith(("conv", "pool")) or key == "spatial_dropout"


def _set_layouts(graph: Graph) -> None:
    for unit in graph.units:
        if channels_first_key(unit.key):
            unit.layout = CHANNELS_FIRST
        elif unit.key in ("lstm", "gru", "rnn"):
            unit.layout = BATCH_MAJOR if unit.attrs.get("batch_first") else TIME_MAJOR
        elif unit.key in _LAYOUT_OF_KEY and not (unit.key.startswith("globalpool") and _rank(unit.output) > 2):
            unit.layout = _LAYOUT_OF_KEY[unit.key]
        elif unit.sources and unit.sources[0] >= 0:
            unit.layout = graph.units[unit.sources[0]].layout


# -------------------------------------------------------------------------- canonical order

def _canonical(graph: Graph) -> Graph:
    """Units reachable from the outputs, in post-order: each unit after its sources, the sources of a
    commutative merge (add, multiply) shallowest first. Two graphs of the same model list their units in
    the same order whichever branch each program writes first."""
    depth: dict[int, int] = {}

    def depth_of(index: int) -> int:
        if index < 0:
            return 0
        if index not in depth:
            depth[index] = 0
            depth[index] = 1 + max((depth_of(s) for s in graph.units[index].sources), default=0)
        return depth[index]

    order: list[int] = []
    seen: set[int] = set()

    def visit(index: int) -> None:
        if index < 0 or index in seen:
            return
        seen.add(index)
        sources = list(graph.units[index].sources)
        if graph.units[index].key in _COMMUTATIVE:
            sources.sort(key=depth_of)
        for source in sources:
            visit(source)
        order.append(index)

    for output in graph.outputs:
        visit(output)
    renumber = {old: new for new, old in enumerate(order)}
    units = [graph.units[i] for i in order]
    for unit in units:
        unit.sources = tuple(renumber.get(s, s) if s >= 0 else s for s in unit.sources)
    return Graph(units, tuple(renumber[o] for o in graph.outputs), graph.complete, notes=graph.notes)


# Operations that give the same result in either order, so Keras's `Conv2D(activation='relu')` +
# `MaxPooling2D` matches torch's `F.relu(F.max_pool2d(conv(x), 2))`: a monotone activation commutes with max
# pooling, a positively homogeneous one with (inverted) dropout, any element-wise one with flatten/reshape.
MONOTONE = frozenset({"relu", "leaky_relu", "relu6", "sigmoid", "tanh", "elu", "selu", "softplus", "hard_sigmoid",
                      "softsign"})
HOMOGENEOUS = frozenset({"relu", "leaky_relu"})
_ELEMENTWISE_RANK = {"activation": 1, "dropout": 2}  # the order commuting units are put in, after the others


def _commute(first: Unit, second: Unit) -> bool:
    """Whether `second` applied after `first` equals `first` applied after `second`."""
    names = {u.attrs.get("name") for u in (first, second) if u.key == "activation"}
    structural = next((u for u in (first, second) if u.key not in _ELEMENTWISE_RANK), None)
    if structural is None:
        return {first.key, second.key} == {"activation", "dropout"} and names <= HOMOGENEOUS
    elementwise = second if structural is first else first
    if elementwise.key not in _ELEMENTWISE_RANK:
        return False
    if structural.key in ("flatten", "reshape"):
        return True
    return elementwise.key == "activation" and names <= MONOTONE and structural.attrs.get("op") == "max" \
        and structural.key.startswith(("pool", "globalpool"))


def _commuted(graph: Graph) -> Graph:
    """Commuting units of a chain in one order (structural ones first, then activations, then dropout)."""
    units = graph.units
    graph.data_order = list(units)
    changed = True
    while changed:
        changed = False
        readers: dict[int, list[int]] = {}
        for index, unit in enumerate(units):
            for source in unit.sources:
                readers.setdefault(source, []).append(index)
        for index, unit in enumerate(units):
            after = readers.get(index, [])
            if len(after) != 1 or index in graph.outputs or len(unit.sources) != 1:
                continue
            follower = units[after[0]]
            if _ELEMENTWISE_RANK.get(unit.key, 0) > _ELEMENTWISE_RANK.get(follower.key, 0) and \
                    follower.sources == (index,) and _commute(unit, follower):
                _swap(graph, index, after[0])
                changed = True
                break
    return graph


def _swap(graph: Graph, first: int, second: int) -> None:
    """`first -> second` becomes `second -> first`: the list's places stay, so whatever read the chain's end
    (at `second`) still does."""
    units = graph.units
    a, b = units[first], units[second]
    b.sources, a.sources = a.sources, (first,)
    units[first], units[second] = b, a
