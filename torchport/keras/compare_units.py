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
from dataclasses import dataclass, field, replace
from typing import Any

from torchport.advisor.catalogue import op_spec
from torchport.advisor.catalogue.signature import BindError, bind
from torchport.advisor.dims import Unknown
from torchport.advisor.interpreter import Trace
from torchport.advisor.summary_model import nesting, param_count
from torchport.advisor.values import ModuleInstance, TensorValue
from torchport.keras.model import KerasLayer, KerasModel

CHANNELS_FIRST, BATCH_MAJOR, TIME_MAJOR = "channels-first", "batch-major", "time-major"


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


@dataclass
class Graph:
    units: list[Unit]  # in canonical order (see `_canonical`)
    outputs: tuple[int, ...]
    complete: bool = True  # False: part of the data flow was not followed; missing/extra are not claimed
    channels_first: bool = False  # Keras side: a layer with data_format="channels_first" (shapes not translated)
    notes: list[str] = field(default_factory=list)


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
                   "operator.mul": "multiply", "torch.mul": "multiply", "torch.Tensor.mul": "multiply"}
RESHAPE_FUNCTIONS = {"torch.flatten", "torch.Tensor.flatten", "torch.Tensor.view", "torch.Tensor.reshape",
                     "torch.reshape"}
REDUCTIONS = {"torch.mean": "avg", "torch.Tensor.mean": "avg", "torch.amax": "max", "torch.Tensor.amax": "max"}
PERMUTES = {"torch.Tensor.permute", "torch.permute", "torch.Tensor.transpose", "torch.transpose",
            "torch.movedim", "torch.Tensor.movedim", "torch.swapaxes", "torch.Tensor.swapaxes"}
_COMMUTATIVE = {"add", "multiply"}
# the layout a unit's output has in torch (None: the layout of its first input)
_LAYOUT_OF_KEY = {"dense": BATCH_MAJOR, "embedding": BATCH_MAJOR, "flatten": BATCH_MAJOR, "reshape": BATCH_MAJOR,
                  "attention": BATCH_MAJOR, "globalpool1d": BATCH_MAJOR, "globalpool2d": BATCH_MAJOR}


def _nd(name: str) -> int:
    """1, 2 or 3 from a class or function name such as Conv2d, MaxPooling1D, max_pool2d."""
    return next((int(c) for c in reversed(name) if c in "123"), 2)


# ------------------------------------------------------------------------------ Keras side

# layer type -> (unit key, (unit attribute, argument) pairs): the layers whose unit is their arguments alone
Plain = dict[str, tuple[str, tuple[tuple[str, str], ...]]]
_KERAS_PLAIN: Plain = {
    "Dense": ("dense", (("units", "units"), ("bias", "use_bias"))),
    "Flatten": ("flatten", ()),
    "Dropout": ("dropout", (("rate", "rate"),)),
    "BatchNormalization": ("batchnorm", (("momentum", "momentum"), ("eps", "epsilon"), ("center", "center"),
                                         ("scale", "scale"))),
    "LayerNormalization": ("layernorm", ()),
    "Embedding": ("embedding", (("units", "output_dim"), ("vocab", "input_dim"))),
}
_TORCH_PLAIN: Plain = {
    "Linear": ("dense", (("units", "out_features"), ("bias", "bias"))),
    "LazyLinear": ("dense", (("units", "out_features"), ("bias", "bias"))),
    "Flatten": ("flatten", ()),
    "Unflatten": ("reshape", ()),
    "Dropout": ("dropout", (("rate", "p"),)),
    "LayerNorm": ("layernorm", ()),
    "Embedding": ("embedding", (("units", "embedding_dim"), ("vocab", "num_embeddings"))),
}


def _keras_layer_unit(layer: KerasLayer) -> Unit | None:
    """The unit of a Keras layer (without its activation), or None when compare does not know its type."""
    config, kind = layer.config, layer.type
    base = Unit("", f"{layer.name} ({kind})", kind, layer.line, output=layer.output_shape,
                params=layer.params)
    attrs: dict[str, tuple[str, Any]] = {}  # attr -> (Keras argument, value)

    def take(attr: str, argument: str, convert: Any = None) -> None:
        if argument in config:
            attrs[attr] = (argument, convert(config[argument]) if convert else config[argument])

    if kind in _KERAS_PLAIN:
        base.key, arguments = _KERAS_PLAIN[kind]
        for attr, argument in arguments:
            take(attr, argument)
    elif kind.startswith(("Conv1D", "Conv2D", "Conv3D")):
        nd = _nd(kind)
        transpose = kind.endswith("Transpose")
        base.key = f"conv{nd}d" + ("_transpose" if transpose else "")
        take("units", "filters")
        take("kernel", "kernel_size", lambda v: as_tuple(v, nd))
        take("stride", "strides", lambda v: as_tuple(v, nd))
        take("dilation", "dilation_rate", lambda v: as_tuple(v, nd))
        take("bias", "use_bias")
        if not transpose:
            take("padding", "padding")
    elif kind.startswith(("MaxPooling", "AveragePooling")):
        nd = _nd(kind)
        base.key = f"pool{nd}d"
        attrs["op"] = ("pooling", "max" if kind.startswith("Max") else "avg")
        take("kernel", "pool_size", lambda v: as_tuple(v, nd))
        if "strides" in config:
            strides = config["strides"] if config["strides"] is not None else config.get("pool_size")
            attrs["stride"] = ("strides", as_tuple(strides, nd))
        take("padding", "padding")
    elif kind.startswith(("GlobalAveragePooling", "GlobalMaxPooling")):
        base.key = f"globalpool{_nd(kind)}d"
        attrs["op"] = ("pooling", "max" if "Max" in kind else "avg")
    elif kind == "Reshape":
        target = config.get("target_shape")
        base.key = "flatten" if isinstance(target, (tuple, list)) and len(target) == 1 else "reshape"
    elif kind in ("LSTM", "GRU", "SimpleRNN") or (kind == "Bidirectional" and layer.wrapped is not None):
        inner = layer.wrapped if kind == "Bidirectional" and layer.wrapped is not None else layer
        base.key = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}.get(inner.type, "")
        if not base.key:
            return None
        if "units" in inner.config:
            attrs["units"] = ("units", inner.config["units"])
        attrs["bidirectional"] = ("Bidirectional", kind == "Bidirectional")
        if kind == "Bidirectional":
            attrs["merge"] = ("merge_mode", config.get("merge_mode", "concat"))
        if inner.type == "GRU" and "reset_after" in inner.config:
            attrs["reset_after"] = ("reset_after", inner.config["reset_after"])
    elif kind in ("Activation", "ReLU", "Softmax", *_KERAS_ACTIVATION_LAYERS):
        name = _keras_activation_layer(layer)
        if name is False:
            return None
        base.key = "activation" if name is not None else "glue"  # Activation('linear') passes data through
        attrs["name"] = ("activation", name)
    elif kind in ("Add", "Concatenate", "Multiply"):
        base.key = kind.lower().replace("concatenate", "concat")
    elif kind == "MultiHeadAttention":
        base.key = "attention"
        take("units", "num_heads")
    else:
        return None
    base.attrs = {attr: value for attr, (_, value) in attrs.items()}
    base.spelled = {attr: argument for attr, (argument, _) in attrs.items()}
    return base


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
    units: list[Unit] = []
    wiring: list[tuple[str | int, ...] | None] = []  # per unit: the layer names (or unit indices) it reads;
    # None: the unit before it (Sequential)
    last_of: dict[str, int] = {}
    notes: list[str] = []
    inputs = {keras_input.name: -1 - i for i, keras_input in enumerate(model.inputs)}
    chain = model.style == "sequential" or not any(layer.inputs for layer in model.layers)
    for layer in model.layers:
        unit = _keras_layer_unit(layer)
        if unit is None:
            notes.append(f"{layer.name} ({layer.type}) is not compared")
            unit = Unit("glue", layer.name, layer.type, layer.line)
        if unit.key == "glue" and chain:
            continue
        units.append(unit)
        wiring.append(None if chain else layer.inputs)
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
    if chain:
        outputs: tuple[int, ...] = (len(units) - 1,) if units else ()
    else:
        outputs = tuple(last_of[name] for name in model.outputs if name in last_of)
    units, outputs = _drop_glue(units, outputs)
    complete = not notes and not any(_structural(note) for note in model.notes)
    graph = _commuted(_canonical(Graph(units, outputs, complete=complete, notes=notes + list(model.notes))))
    graph.channels_first = any(layer.config.get("data_format") == "channels_first" for layer in model.layers)
    return graph


def _structural(note: str) -> bool:
    """Whether a reader note says layers or connections may be missing (not only shapes or an argument)."""
    return not note.endswith("so shapes are unknown") and not note.startswith("argument ")


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
    attrs: dict[str, tuple[str, Any]] = {}

    def take(attr: str, argument: str, convert: Any = None) -> None:
        if argument in args and not isinstance(args[argument], Unknown):
            attrs[attr] = (argument, convert(args[argument]) if convert else args[argument])

    if kind in _TORCH_PLAIN:
        unit.key, arguments = _TORCH_PLAIN[kind]
        for attr, argument in arguments:
            take(attr, argument)
    elif kind.startswith(("Conv", "LazyConv")):
        nd = _nd(kind)
        unit.key = f"conv{nd}d" + ("_transpose" if "Transpose" in kind else "")
        take("units", "out_channels")
        take("kernel", "kernel_size", lambda v: as_tuple(v, nd))
        take("stride", "stride", lambda v: as_tuple(v, nd))
        take("dilation", "dilation", lambda v: as_tuple(v, nd))
        take("bias", "bias")
        if "Transpose" not in kind:
            take("padding", "padding", lambda v: v if isinstance(v, str) else as_tuple(v, nd))
    elif kind.startswith(("MaxPool", "AvgPool")):
        nd = _nd(kind)
        unit.key = f"pool{nd}d"
        attrs["op"] = (kind, "max" if kind.startswith("Max") else "avg")
        _pool_attrs(attrs, args, nd)
    elif kind.startswith(("AdaptiveAvgPool", "AdaptiveMaxPool")):
        size = args.get("output_size")
        if not (size == 1 or (isinstance(size, tuple) and all(s == 1 for s in size))):
            return _Event(None, inputs, output, kind)
        unit.key = f"globalpool{_nd(kind)}d"
        attrs["op"] = (kind, "max" if "Max" in kind else "avg")
    elif kind.startswith("BatchNorm"):
        unit.key = "batchnorm"
        take("momentum", "momentum")
        take("eps", "eps")
    elif kind in ("LSTM", "GRU", "RNN"):
        unit.key = kind.lower()
        take("units", "hidden_size")
        take("bidirectional", "bidirectional")
        take("layers", "num_layers")
        take("batch_first", "batch_first")
    elif kind in TORCH_ACTIVATION_MODULES:
        unit.key = "activation"
        attrs["name"] = (kind, TORCH_ACTIVATION_MODULES[kind])
    elif kind == "MultiheadAttention":
        unit.key = "attention"
        take("units", "num_heads")
    else:
        return _Event(None, inputs, output, kind)  # Identity and layers compare does not know: glue
    unit.label, unit.module = f"{name or kind} ({kind})", name
    unit.attrs = {attr: value for attr, (_, value) in attrs.items()}
    unit.spelled = {attr: argument for attr, (argument, _) in attrs.items()}
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
        if source.rank >= 3 and output.rank == 2 and source.shape[0] == output.shape[0] and \
                output.shape[1] in (source.shape[1], source.shape[-1]):
            return f"globalpool{source.rank - 2}d"
        return ""
    if output.shape == source.shape:
        return ""
    return "flatten" if output.rank == 2 and source.rank > 2 else "reshape"


def _absorb_flatten_after_global_pool(graph: Graph) -> None:
    """torch's `AdaptiveAvgPool2d(1)` + flatten is Keras's one GlobalAveragePooling2D: the flatten is glue."""
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


def _set_layouts(graph: Graph) -> None:
    for unit in graph.units:
        if unit.key.startswith(("conv", "pool")):
            unit.layout = CHANNELS_FIRST
        elif unit.key in ("lstm", "gru", "rnn"):
            unit.layout = BATCH_MAJOR if unit.attrs.get("batch_first") else TIME_MAJOR
        elif unit.key in _LAYOUT_OF_KEY:
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
    return Graph(units, tuple(renumber[o] for o in graph.outputs), graph.complete, graph.notes)


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
