"""Keras layers as data: each layer type's constructor signature (Keras 3's parameter order and
defaults), how it is called, its output-shape rule and its parameter-count rule.

Shapes are channels-last with the batch dim first (`None`); a dim that cannot be known is `None`.
A rule raises `Unknown` (with a one-sentence reason) when the answer cannot be computed statically;
it never guesses. Numbers follow Keras 3's `compute_output_shape` and `count_params`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from torchport.keras.model import Shape

Config = Mapping[str, Any]
Output = Shape | tuple[Shape, ...]
ShapeRule = Callable[[Config, Sequence[Shape]], Output]
CountRule = Callable[[Config, Sequence[Shape]], tuple[int, int]]  # (all params, trainable)
CallStyle = Literal["tensor", "list", "attention"]  # layer(x); layer([a, b]); mha(query, value, key)


class Unknown(Exception):
    """What a rule cannot compute statically; the message is a note for the user."""


REQUIRED = object()  # a parameter without default


@dataclass(frozen=True)
class LayerSpec:
    signature: tuple[tuple[str, Any], ...]  # (name, default or REQUIRED) in Keras's positional order
    shape: ShapeRule
    count: CountRule
    call: CallStyle = "tensor"


# Arguments every Keras layer accepts (a few signatures list them too); they are not part of `config`.
COMMON_ARGUMENTS: tuple[tuple[str, Any], ...] = (("name", None), ("trainable", True), ("dtype", None))


def auto_name(layer_type: str) -> str:
    """The prefix of Keras's automatic layer names (keras.src.utils.naming.to_snake_case)."""
    name = re.sub(r"\W+", "", layer_type)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# ---- helpers -------------------------------------------------------------------------------------


def _one(inputs: Sequence[Shape]) -> Shape:
    if len(inputs) != 1:
        raise Unknown(f"expected one input tensor, got {len(inputs)}")
    return inputs[0]


def _tuple(value: Any, rank: int, what: str) -> tuple[int, ...]:
    """Keras's standardize_tuple: an int or a sequence of `rank` ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise Unknown(f"{what}={value!r} is not {rank} integer(s)")


def _channels_last(config: Config) -> None:
    if config.get("data_format") not in (None, "channels_last"):
        raise Unknown(f"data_format={config.get('data_format')!r} is not read (channels_last only)")


def _last_dim(shape: Shape, what: str) -> int:
    if len(shape) < 2 or shape[-1] is None:
        raise Unknown(f"the input's last dim is unknown, so {what} cannot be counted")
    return shape[-1]  # type: ignore[return-value]


def _rank(shape: Shape, rank: int, layer: str) -> None:
    if len(shape) != rank:
        raise Unknown(f"{layer} expects a rank-{rank} input, got shape {shape}")


def _product(dims: Sequence[int | None]) -> int | None:
    return None if any(d is None for d in dims) else math.prod(dims)  # type: ignore[arg-type]


def _conv_length(length: int | None, kernel: int, stride: int, padding: str, dilation: int) -> int | None:
    """keras.src.ops.operation_utils.compute_conv_output_shape, one spatial dim."""
    if length is None:
        return None
    if padding == "valid":
        return (length - dilation * (kernel - 1) - 1) // stride + 1
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    raise Unknown(f"padding={padding!r} is not read")


def _pool_length(length: int | None, pool: int, stride: int, padding: str) -> int | None:
    if length is None:
        return None
    if padding == "valid":
        return (length - pool) // stride + 1
    if padding == "same":
        return (length - 1) // stride + 1
    raise Unknown(f"padding={padding!r} is not read")


def _deconv_length(length: int | None, kernel: int, stride: int, padding: str, dilation: int,
                   output_padding: int | None) -> int | None:
    """keras.src.utils.conv_utils / ops.operation_utils deconv_output_length."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if padding not in ("valid", "same"):
        raise Unknown(f"padding={padding!r} is not read")
    if output_padding is None:
        return length * stride + max(kernel - stride, 0) if padding == "valid" else length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def _free(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    return 0, 0


def _same(config: Config, inputs: Sequence[Shape]) -> Output:
    return _one(inputs)


def _bias(config: Config, units: int) -> int:
    return units if config.get("use_bias", True) else 0


# ---- shape and count rules -----------------------------------------------------------------------


def _dense_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    return (*_one(inputs)[:-1], config["units"])


def _dense_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    units, fan_in = config["units"], _last_dim(_one(inputs), "Dense's kernel")
    n = fan_in * units + _bias(config, units)
    return n, n


def _conv_shape(rank: int) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"Conv{rank}D")
        kernel = _tuple(config["kernel_size"], rank, "kernel_size")
        strides = _tuple(config["strides"], rank, "strides")
        dilation = _tuple(config["dilation_rate"], rank, "dilation_rate")
        spatial = [_conv_length(shape[1 + i], kernel[i], strides[i], config["padding"], dilation[i])
                   for i in range(rank)]
        return (shape[0], *spatial, config["filters"])
    return rule


def _conv_count(rank: int, transpose: bool = False) -> CountRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
        _channels_last(config)
        kernel = _tuple(config["kernel_size"], rank, "kernel_size")
        channels = _last_dim(_one(inputs), "the kernel")
        groups = 1 if transpose else config.get("groups", 1)
        if not isinstance(groups, int) or groups < 1 or channels % groups:
            raise Unknown(f"groups={groups!r} does not divide {channels} input channels")
        filters = config["filters"]
        n = math.prod(kernel) * (channels // groups) * filters + _bias(config, filters)
        return n, n
    return rule


def _conv_transpose_shape(rank: int) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"Conv{rank}DTranspose")
        kernel = _tuple(config["kernel_size"], rank, "kernel_size")
        strides = _tuple(config["strides"], rank, "strides")
        dilation = _tuple(config["dilation_rate"], rank, "dilation_rate")
        padding = config["output_padding"]
        out_pad = (None,) * rank if padding is None else _tuple(padding, rank, "output_padding")
        spatial = [_deconv_length(shape[1 + i], kernel[i], strides[i], config["padding"], dilation[i], out_pad[i])
                   for i in range(rank)]
        return (shape[0], *spatial, config["filters"])
    return rule


def _pool_shape(rank: int) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"Pooling{rank}D")
        pool = _tuple(config["pool_size"], rank, "pool_size")
        strides = pool if config["strides"] is None else _tuple(config["strides"], rank, "strides")
        spatial = [_pool_length(shape[1 + i], pool[i], strides[i], config["padding"]) for i in range(rank)]
        return (shape[0], *spatial, shape[-1])
    return rule


def _global_pool_shape(rank: int) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"GlobalPooling{rank}D")
        if config["keepdims"]:
            return (shape[0], *([1] * rank), shape[-1])
        return (shape[0], shape[-1])
    return rule


def _flatten_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    _channels_last(config)
    shape = _one(inputs)
    return (shape[0], _product(shape[1:]))


def _reshape_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    shape = _one(inputs)
    target = config["target_shape"]
    if not isinstance(target, (tuple, list)) or not all(isinstance(d, int) for d in target):
        raise Unknown(f"target_shape={target!r} is not a tuple of integers")
    if -1 not in target:
        return (shape[0], *target)
    known = _product(shape[1:])
    rest = math.prod(d for d in target if d != -1)
    missing = None if known is None or rest == 0 else known // rest
    return (shape[0], *(missing if d == -1 else d for d in target))


def _axis(config: Config, shape: Shape, what: str) -> int:
    axis = config.get("axis", -1)
    if not isinstance(axis, int) or not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
        raise Unknown(f"axis={axis!r} of {what} is not read")
    return axis % len(shape)


def _norm_count(moving: bool) -> CountRule:
    """BatchNormalization: gamma, beta trainable + moving mean/variance; LayerNormalization: gamma, beta; each
    of the shape of the input's dims at `axis` (an int, or a list of them)."""
    def rule(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
        shape = _one(inputs)
        axis = config.get("axis", -1)
        axes = axis if isinstance(axis, (tuple, list)) and axis else (axis,)
        dim = _product([shape[_axis({"axis": a}, shape, "the normalization")] for a in axes])
        if dim is None:
            raise Unknown("the normalized dim is unknown")
        trainable = dim * (int(bool(config.get("center", True))) + int(bool(config.get("scale", True))))
        return trainable + (2 * dim if moving else 0), trainable
    return rule


def _embedding_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    return (*_one(inputs), config["output_dim"])


def _embedding_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    n = config["input_dim"] * config["output_dim"]
    return n, n


# Recurrent layers: number of gates and of bias vectors (per gate) for each type.
_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
_STATES = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}


def _rnn_shape(layer: str) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        shape = _one(inputs)
        _rank(shape, 3, layer)
        units = config["units"]
        out = (shape[0], shape[1], units) if config["return_sequences"] else (shape[0], units)
        if not config["return_state"]:
            return out
        return (out, *[(shape[0], units)] * _STATES[layer])
    return rule


def _rnn_count(layer: str) -> CountRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
        units, gates = config["units"], _GATES[layer]
        fan_in = _last_dim(_one(inputs), f"{layer}'s kernel")
        bias = 0
        if config.get("use_bias", True):
            bias = 2 * gates * units if layer == "GRU" and config.get("reset_after", True) else gates * units
        n = gates * units * (fan_in + units) + bias
        return n, n
    return rule


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def bidirectional_shape(inner: Output, merge_mode: Any, return_state: bool) -> Output:
    """Bidirectional's output given its inner layer's (one direction's) output."""
    if merge_mode not in _MERGE_MODES:
        raise Unknown(f"merge_mode={merge_mode!r} is not read")
    if return_state:
        out, *states = inner  # type: ignore[misc]
    else:
        out, states = inner, []
    out = tuple(out)  # type: ignore[arg-type]
    if merge_mode == "concat":
        merged: Output = (*out[:-1], None if out[-1] is None else 2 * out[-1])
    elif merge_mode is None:
        merged = (out, out)
    else:
        merged = out
    if not return_state:
        return merged
    both = [*states, *states]
    return (*merged, *both) if merge_mode is None else (merged, *both)  # type: ignore[misc]


def _broadcast(config: Config, inputs: Sequence[Shape]) -> Output:
    """Add / Multiply: Keras's Merge layers broadcast their inputs."""
    if len(inputs) < 2:
        raise Unknown("a merge layer needs at least two inputs")
    if len({len(s) for s in inputs}) != 1:
        raise Unknown(f"merge inputs of different ranks: {list(inputs)}")
    out: list[int | None] = []
    for dims in zip(*inputs):
        sizes = {d for d in dims if d not in (None, 1)}
        if len(sizes) > 1:
            raise Unknown(f"merge inputs of incompatible shapes: {list(inputs)}")
        if sizes:
            out.append(sizes.pop())
        else:
            out.append(None if None in dims else 1)
    return tuple(out)


def _concatenate_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    if len(inputs) < 2 or len({len(s) for s in inputs}) != 1:
        raise Unknown("Concatenate needs two or more inputs of one rank")
    axis = _axis(config, inputs[0], "Concatenate")
    dims = [s[axis] for s in inputs]
    total = None if None in dims else sum(dims)  # type: ignore[arg-type]
    return (*inputs[0][:axis], total, *inputs[0][axis + 1:])


def _attention_dims(config: Config, inputs: Sequence[Shape]) -> tuple[Shape, Shape, Shape]:
    if len(inputs) not in (2, 3):
        raise Unknown("MultiHeadAttention is called with query and value (and key)")
    if config.get("attention_axes") is not None:
        raise Unknown("attention_axes is not read")
    query, value = inputs[0], inputs[1]
    return query, value, inputs[2] if len(inputs) == 3 else value


def _attention_output_dim(config: Config, query: Shape) -> int:
    wanted = config.get("output_shape")
    if wanted is None:
        return _last_dim(query, "MultiHeadAttention's output projection")
    if isinstance(wanted, int):
        return wanted
    raise Unknown(f"output_shape={wanted!r} is not read")


def _attention_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    query, value, _ = _attention_dims(config, inputs)
    out = (*query[:-1], _attention_output_dim(config, query))
    if config.get("return_attention_scores"):
        return (out, (query[0], config["num_heads"], query[1], value[1]))
    return out


def _attention_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    query, value, key = _attention_dims(config, inputs)
    heads, key_dim = config["num_heads"], config["key_dim"]
    value_dim = config["value_dim"] or key_dim
    biases = bool(config.get("use_bias", True))
    out_dim = _attention_output_dim(config, query)
    n = 0
    for fan_in, width in ((_last_dim(query, "the query projection"), key_dim),
                          (_last_dim(key, "the key projection"), key_dim),
                          (_last_dim(value, "the value projection"), value_dim)):
        n += fan_in * heads * width + (heads * width if biases else 0)
    n += heads * value_dim * out_dim + (out_dim if biases else 0)
    return n, n


def pairs(value: Any, rank: int, what: str) -> tuple[tuple[int, int], ...]:
    """ZeroPadding/Cropping amounts: an int, one int per dim (symmetric) or a (before, after) pair per dim."""
    if isinstance(value, int) and not isinstance(value, bool):
        return ((value, value),) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank:
        if all(isinstance(v, int) for v in value):
            return tuple((v, v) for v in value) if rank > 1 else ((value[0], value[0]),)
        if all(isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(i, int) for i in v) for v in value):
            return tuple((v[0], v[1]) for v in value)
    if rank == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return ((value[0], value[1]),)
    raise Unknown(f"{what}={value!r} is not read")


def _resize(rank: int, key: str, sign: int) -> ShapeRule:
    """ZeroPadding (sign 1) and Cropping (sign -1) on each spatial dim."""
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"{key} {rank}D")
        amounts = pairs(config[key], rank, key)
        spatial = [None if shape[1 + i] is None else shape[1 + i] + sign * sum(amounts[i]) for i in range(rank)]
        return (shape[0], *spatial, shape[-1])
    return rule


def _upsampling(rank: int) -> ShapeRule:
    def rule(config: Config, inputs: Sequence[Shape]) -> Output:
        _channels_last(config)
        shape = _one(inputs)
        _rank(shape, rank + 2, f"UpSampling{rank}D")
        size = _tuple(config["size"], rank, "size")
        spatial = [None if shape[1 + i] is None else shape[1 + i] * size[i] for i in range(rank)]
        return (shape[0], *spatial, shape[-1])
    return rule


def _prelu_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    shape = list(_one(inputs)[1:])
    shared = config.get("shared_axes")
    for axis in (shared,) if isinstance(shared, int) else shared or ():
        if not isinstance(axis, int) or not 1 <= axis <= len(shape):
            raise Unknown(f"shared_axes={shared!r} is not read")
        shape[axis - 1] = 1
    n = _product(shape)
    if n is None:
        raise Unknown("PReLU's input dims are unknown")
    return n, n


def _permute_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    shape, dims = _one(inputs), config["dims"]
    if not isinstance(dims, (tuple, list)) or sorted(dims) != list(range(1, len(shape))):
        raise Unknown(f"dims={dims!r} is not a permutation of the non-batch dims")
    return (shape[0], *(shape[d] for d in dims))


def _repeat_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    shape = _one(inputs)
    _rank(shape, 2, "RepeatVector")
    return (shape[0], config["n"], shape[1])


def _depthwise_shape(config: Config, inputs: Sequence[Shape]) -> Output:
    out = _conv_shape(2)({**config, "filters": None, "groups": 1}, inputs)
    channels = _one(inputs)[-1]
    return (*out[:-1], None if channels is None else channels * config["depth_multiplier"])  # type: ignore[misc]


def _depthwise_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    _channels_last(config)
    kernel = _tuple(config["kernel_size"], 2, "kernel_size")
    out = _last_dim(_one(inputs), "the depthwise kernel") * config["depth_multiplier"]
    n = math.prod(kernel) * out + _bias(config, out)
    return n, n


def _separable_count(config: Config, inputs: Sequence[Shape]) -> tuple[int, int]:
    _channels_last(config)
    kernel = _tuple(config["kernel_size"], 2, "kernel_size")
    middle = _last_dim(_one(inputs), "the depthwise kernel") * config["depth_multiplier"]
    filters = config["filters"]
    n = math.prod(kernel) * middle + middle * filters + _bias(config, filters)
    return n, n


def time_distributed_input(shape: Shape) -> Shape:
    """What TimeDistributed's inner layer sees: one time step."""
    if len(shape) < 3:
        raise Unknown(f"TimeDistributed expects an input of rank 3 or more, got shape {shape}")
    return (shape[0], *shape[2:])


def time_distributed_shape(inner: Output, shape: Shape) -> Output:
    if isinstance(inner, tuple) and inner and isinstance(inner[0], tuple):
        raise Unknown("a TimeDistributed layer with several outputs is not read")
    return (shape[0], shape[1], *inner[1:])  # type: ignore[misc]


# ---- the table -----------------------------------------------------------------------------------

_ACTIVITY = (("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros"),
             ("kernel_regularizer", None), ("bias_regularizer", None), ("activity_regularizer", None),
             ("kernel_constraint", None), ("bias_constraint", None))
_CONV_TAIL = (("activation", None), ("use_bias", True), *_ACTIVITY)


def _conv_signature(rank: int) -> tuple[tuple[str, Any], ...]:
    one = 1 if rank == 1 else (1,) * rank
    return (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", one), ("padding", "valid"),
            ("data_format", None), ("dilation_rate", one), ("groups", 1), *_CONV_TAIL)


def _pool_signature(pool_default: Any) -> tuple[tuple[str, Any], ...]:
    return (("pool_size", pool_default), ("strides", None), ("padding", "valid"), ("data_format", None),
            ("name", None))


_GLOBAL_POOL = (("data_format", None), ("keepdims", False))


def _passthrough(*signature: tuple[str, Any]) -> LayerSpec:
    """A layer whose output is its input's shape and which has no weights (dropout, noise, activations)."""
    return LayerSpec(signature, _same, _free)


def _pooling(rank: int, pool_default: Any) -> dict[str, LayerSpec]:
    """The pooling layers of one rank."""
    return {
        f"MaxPooling{rank}D": LayerSpec(_pool_signature(pool_default), _pool_shape(rank), _free),
        f"AveragePooling{rank}D": LayerSpec(_pool_signature(REQUIRED), _pool_shape(rank), _free),
        f"GlobalAveragePooling{rank}D": LayerSpec(_GLOBAL_POOL, _global_pool_shape(rank), _free),
        f"GlobalMaxPooling{rank}D": LayerSpec(_GLOBAL_POOL, _global_pool_shape(rank), _free),
    }
_RNN_REGULARIZERS = (("kernel_initializer", "glorot_uniform"), ("recurrent_initializer", "orthogonal"),
                     ("bias_initializer", "zeros"))
_RNN_REST = (("kernel_regularizer", None), ("recurrent_regularizer", None), ("bias_regularizer", None),
             ("activity_regularizer", None), ("kernel_constraint", None), ("recurrent_constraint", None),
             ("bias_constraint", None), ("dropout", 0.0), ("recurrent_dropout", 0.0))
_RNN_FLAGS = (("return_sequences", False), ("return_state", False), ("go_backwards", False),
              ("stateful", False), ("unroll", False))
_NORM_INIT = (("beta_initializer", "zeros"), ("gamma_initializer", "ones"))

LAYERS: dict[str, LayerSpec] = {
    "Dense": LayerSpec(
        (("units", REQUIRED), ("activation", None), ("use_bias", True), *_ACTIVITY,
         ("lora_rank", None), ("lora_alpha", None), ("quantization_config", None)),
        _dense_shape, _dense_count),
    "Conv1D": LayerSpec(_conv_signature(1), _conv_shape(1), _conv_count(1)),
    "Conv2D": LayerSpec(_conv_signature(2), _conv_shape(2), _conv_count(2)),
    "Conv1DTranspose": LayerSpec(
        (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", 1), ("padding", "valid"),
         ("output_padding", None), ("data_format", None), ("dilation_rate", 1), *_CONV_TAIL),
        _conv_transpose_shape(1), _conv_count(1, transpose=True)),
    "Conv2DTranspose": LayerSpec(
        (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", (1, 1)), ("padding", "valid"),
         ("output_padding", None), ("data_format", None), ("dilation_rate", (1, 1)), *_CONV_TAIL),
        _conv_transpose_shape(2), _conv_count(2, transpose=True)),
    "Conv3D": LayerSpec(_conv_signature(3), _conv_shape(3), _conv_count(3)),
    "Conv3DTranspose": LayerSpec(
        (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", (1, 1, 1)), ("padding", "valid"),
         ("data_format", None), ("output_padding", None), ("dilation_rate", (1, 1, 1)), *_CONV_TAIL),
        _conv_transpose_shape(3), _conv_count(3, transpose=True)),
    **_pooling(1, 2),
    **_pooling(2, (2, 2)),
    **_pooling(3, (2, 2, 2)),
    "UpSampling3D": LayerSpec((("size", (2, 2, 2)), ("data_format", None)), _upsampling(3), _free),
    "ZeroPadding3D": LayerSpec((("padding", ((1, 1), (1, 1), (1, 1))), ("data_format", None)),
                               _resize(3, "padding", 1), _free),
    "Cropping3D": LayerSpec((("cropping", ((1, 1), (1, 1), (1, 1))), ("data_format", None)),
                            _resize(3, "cropping", -1), _free),
    "SpatialDropout3D": _passthrough(("rate", REQUIRED), ("data_format", None), ("seed", None), ("name", None),
                                     ("dtype", None)),
    "DepthwiseConv2D": LayerSpec(
        (("kernel_size", REQUIRED), ("strides", (1, 1)), ("padding", "valid"), ("depth_multiplier", 1),
         ("data_format", None), ("dilation_rate", (1, 1)), ("activation", None), ("use_bias", True),
         ("depthwise_initializer", "glorot_uniform"), ("bias_initializer", "zeros"), ("depthwise_regularizer", None),
         ("bias_regularizer", None), ("activity_regularizer", None), ("depthwise_constraint", None),
         ("bias_constraint", None)),
        _depthwise_shape, _depthwise_count),
    "SeparableConv2D": LayerSpec(
        (("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", (1, 1)), ("padding", "valid"),
         ("data_format", None), ("dilation_rate", (1, 1)), ("depth_multiplier", 1), ("activation", None),
         ("use_bias", True), ("depthwise_initializer", "glorot_uniform"), ("pointwise_initializer", "glorot_uniform"),
         ("bias_initializer", "zeros"), ("depthwise_regularizer", None), ("pointwise_regularizer", None),
         ("bias_regularizer", None), ("activity_regularizer", None), ("depthwise_constraint", None),
         ("pointwise_constraint", None), ("bias_constraint", None)),
        _conv_shape(2), _separable_count),
    "ZeroPadding1D": LayerSpec((("padding", 1), ("data_format", None)), _resize(1, "padding", 1), _free),
    "ZeroPadding2D": LayerSpec((("padding", (1, 1)), ("data_format", None)), _resize(2, "padding", 1), _free),
    "Cropping1D": LayerSpec((("cropping", (1, 1)),), _resize(1, "cropping", -1), _free),
    "Cropping2D": LayerSpec((("cropping", ((0, 0), (0, 0))), ("data_format", None)), _resize(2, "cropping", -1), _free),
    "UpSampling1D": LayerSpec((("size", 2),), _upsampling(1), _free),
    "UpSampling2D": LayerSpec((("size", (2, 2)), ("data_format", None), ("interpolation", "nearest")),
                              _upsampling(2), _free),
    "Permute": LayerSpec((("dims", REQUIRED),), _permute_shape, _free),
    "RepeatVector": LayerSpec((("n", REQUIRED),), _repeat_shape, _free),
    "SpatialDropout1D": _passthrough(("rate", REQUIRED), ("seed", None), ("name", None), ("dtype", None)),
    "SpatialDropout2D": _passthrough(("rate", REQUIRED), ("data_format", None), ("seed", None), ("name", None),
                                     ("dtype", None)),
    "GaussianNoise": _passthrough(("stddev", REQUIRED), ("seed", None)),
    "GaussianDropout": _passthrough(("rate", REQUIRED), ("seed", None)),
    "AlphaDropout": _passthrough(("rate", REQUIRED), ("noise_shape", None), ("seed", None)),
    "LeakyReLU": _passthrough(("negative_slope", 0.3)),
    "ELU": _passthrough(("alpha", 1.0)),
    "PReLU": LayerSpec((("alpha_initializer", "Zeros"), ("alpha_regularizer", None), ("alpha_constraint", None),
                        ("shared_axes", None)), _same, _prelu_count),
    "Flatten": LayerSpec((("data_format", None),), _flatten_shape, _free),
    "Reshape": LayerSpec((("target_shape", REQUIRED),), _reshape_shape, _free),
    "Dropout": _passthrough(("rate", REQUIRED), ("noise_shape", None), ("seed", None)),
    "BatchNormalization": LayerSpec(
        (("axis", -1), ("momentum", 0.99), ("epsilon", 0.001), ("center", True), ("scale", True),
         *_NORM_INIT, ("moving_mean_initializer", "zeros"), ("moving_variance_initializer", "ones"),
         ("beta_regularizer", None), ("gamma_regularizer", None), ("beta_constraint", None),
         ("gamma_constraint", None), ("renorm", False), ("renorm_clipping", None), ("renorm_momentum", 0.99),
         ("synchronized", False)),
        _same, _norm_count(moving=True)),
    "LayerNormalization": LayerSpec(
        (("axis", -1), ("epsilon", 0.001), ("center", True), ("scale", True), *_NORM_INIT,
         ("beta_regularizer", None), ("gamma_regularizer", None), ("beta_constraint", None),
         ("gamma_constraint", None)),
        _same, _norm_count(moving=False)),
    "Activation": _passthrough(("activation", REQUIRED)),
    "ReLU": _passthrough(("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0)),
    "Softmax": _passthrough(("axis", -1)),
    "Embedding": LayerSpec(
        (("input_dim", REQUIRED), ("output_dim", REQUIRED), ("embeddings_initializer", "uniform"),
         ("embeddings_regularizer", None), ("embeddings_constraint", None), ("mask_zero", False),
         ("weights", None), ("lora_rank", None), ("lora_alpha", None), ("quantization_config", None)),
        _embedding_shape, _embedding_count),
    "LSTM": LayerSpec(
        (("units", REQUIRED), ("activation", "tanh"), ("recurrent_activation", "sigmoid"), ("use_bias", True),
         *_RNN_REGULARIZERS, ("unit_forget_bias", True), *_RNN_REST, ("seed", None), *_RNN_FLAGS,
         ("use_cudnn", "auto")),
        _rnn_shape("LSTM"), _rnn_count("LSTM")),
    "GRU": LayerSpec(
        (("units", REQUIRED), ("activation", "tanh"), ("recurrent_activation", "sigmoid"), ("use_bias", True),
         *_RNN_REGULARIZERS, *_RNN_REST, ("seed", None), *_RNN_FLAGS, ("reset_after", True),
         ("use_cudnn", "auto")),
        _rnn_shape("GRU"), _rnn_count("GRU")),
    "SimpleRNN": LayerSpec(
        (("units", REQUIRED), ("activation", "tanh"), ("use_bias", True), *_RNN_REGULARIZERS, *_RNN_REST,
         *_RNN_FLAGS, ("seed", None)),
        _rnn_shape("SimpleRNN"), _rnn_count("SimpleRNN")),
    # Wrappers: their shape and count come from the inner layer (calls.py, with WRAPPERS below).
    "Bidirectional": LayerSpec(
        (("layer", REQUIRED), ("merge_mode", "concat"), ("weights", None), ("backward_layer", None)),
        _same, _free),
    "TimeDistributed": LayerSpec((("layer", REQUIRED),), _same, _free),
    **{merge: LayerSpec((), _broadcast, _free, call="list")  # element-wise merges of a list of tensors
       for merge in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")},
    "Concatenate": LayerSpec((("axis", -1),), _concatenate_shape, _free, call="list"),
    "MultiHeadAttention": LayerSpec(
        (("num_heads", REQUIRED), ("key_dim", REQUIRED), ("value_dim", None), ("dropout", 0.0), ("use_bias", True),
         ("output_shape", None), ("attention_axes", None), ("sliding_window", None), ("flash_attention", None),
         *_ACTIVITY, ("use_gate", False), ("seed", None)),
        _attention_shape, _attention_count, call="attention"),
}

@dataclass(frozen=True)
class WrapperSpec:
    """A layer whose first argument is a layer (recorded as `KerasLayer.wrapped`)."""

    inner_input: Callable[[Shape], Shape]  # what the inner layer is built on
    output: Callable[[Output, Shape, Config, Config], Output]  # (inner output, input, config, inner config)
    copies: int  # how many copies of the inner layer's weights


WRAPPERS: dict[str, WrapperSpec] = {
    "Bidirectional": WrapperSpec(
        lambda shape: shape,
        lambda inner, shape, config, inner_config: bidirectional_shape(
            inner, config.get("merge_mode", "concat"), bool(inner_config.get("return_state"))),
        copies=2),
    "TimeDistributed": WrapperSpec(
        time_distributed_input, lambda inner, shape, config, inner_config: time_distributed_shape(inner, shape),
        copies=1),
}

# Argument values Keras standardizes when a layer is constructed (its config shows them so): "SAME" is "same".
NORMALIZED: dict[str, Callable[[Any], Any]] = {
    "padding": lambda value: value.lower() if isinstance(value, str) else value,
    "data_format": lambda value: value.lower() if isinstance(value, str) else value,
}

# Arguments of the call (not of the constructor) that change the output, with their defaults.
CALL_ARGUMENTS: dict[str, tuple[tuple[str, Any], ...]] = {
    "MultiHeadAttention": (("return_attention_scores", False),),
}
