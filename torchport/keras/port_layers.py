"""The table behind `torchport port`: one entry per Keras layer type, saying how it becomes torch code.

An entry is a `Rule`: the layout its inputs must have in the torch model (channels-first for
convolutions, Keras's own layout for Dense/RNN/attention, any for element-wise layers) and a builder
that turns the Keras layer and the shapes it receives into a `Translation`: the constructor for
`__init__`, the statements for `forward`, the comments beside them and notes on what it could not
translate. Shapes are Keras's (channels-last, `None` batch); a tensor's *layout* says how the torch
model holds it: batch-major (Keras's axis order) or channels-first (`torchport.keras.layouts`).
Facts: /work/shared/keras-to-pytorch.md, each checked against torch in tests/keras/test_port.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from torchport.keras.layers import Unknown, pairs
from torchport.keras.layouts import BATCH_MAJOR, CHANNELS_FIRST, Layout, to_torch
from torchport.keras.model import KerasLayer, Shape


class Untranslatable(Exception):
    """A layer (or one of its arguments) torch cannot express this way; the text says why, one sentence."""


@dataclass(frozen=True)
class Incoming:
    """What a layer receives: one entry per input tensor, in call order."""

    shapes: tuple[Shape | None, ...]  # Keras shapes; None when the reader could not infer one
    layouts: tuple[Layout, ...]  # the layouts the torch model holds them in (after any conversion)

    @property
    def shape(self) -> Shape | None:
        return self.shapes[0] if self.shapes else None

    @property
    def layout(self) -> Layout:
        return self.layouts[0] if self.layouts else BATCH_MAJOR


@dataclass(frozen=True)
class Translation:
    """Torch code for one Keras layer. In `forward` lines, `{out}` is the output variable, `{m}` the
    layer's attribute (`self.name`), `{x}` the first input and `{x0}`, `{x1}`... every input."""

    module: str | None = None  # the constructor for `self.<name> = ...` (lines may follow); None: nothing in __init__
    forward: tuple[str, ...] = ("{out} = {m}({x})",)  # () passes the input through
    layout: Layout | None = None  # the output's layout; None: the (first) input's
    activation: str | None = None  # a Keras activation applied last (the porter may drop a final softmax)
    activation_axis: int = -1  # the Keras axis a softmax runs over
    comments: tuple[str, ...] = ()  # written above the forward lines
    init_comments: tuple[str, ...] = ()  # written above the constructor
    notes: tuple[str, ...] = ()  # what was not translated, one sentence each (also in the docstring)
    outputs: tuple[str, ...] = ()  # a layer of several outputs (return_state): the variable of each, in order


Builder = Callable[[KerasLayer, Incoming], Translation]


@dataclass(frozen=True)
class Rule:
    build: Builder
    wants: Callable[[KerasLayer], Layout | None]  # the layout every input must have; None: any


# ------------------------------------------------------------------ layouts and axes

def torch_dim(axis: int, rank: int, layout: Layout, last: int | None = -1) -> int:
    """Where Keras's `axis` (batch included, negative allowed) is in the torch tensor; `last` (-1) when
    it is the last dim and `last` is not None."""
    axis %= rank
    if layout == CHANNELS_FIRST and rank >= 3:
        axis = 1 if axis == rank - 1 else axis + (axis >= 1)
    return last if axis == rank - 1 and last is not None else axis


def _channels_or_keras(layer: KerasLayer) -> Layout:
    """Convolutions and pooling want channels first, unless Keras itself was told so (then as is)."""
    return BATCH_MAJOR if layer.config.get("data_format") == "channels_first" else CHANNELS_FIRST


def _any(_: KerasLayer) -> None:
    return None


def _keras(_: KerasLayer) -> Layout:
    return BATCH_MAJOR


def _channels_first(_: KerasLayer) -> Layout:
    return CHANNELS_FIRST


def _any_or_keras(layer: KerasLayer) -> Layout | None:
    return BATCH_MAJOR if layer.config.get("data_format") == "channels_first" else None


# ------------------------------------------------------------------ helpers

def _config(layer: KerasLayer, name: str, default: Any = None) -> Any:
    if name in layer.unknown:
        raise Untranslatable(f"its {name}= argument could not be read statically")
    return layer.config.get(name, default)


def _required(layer: KerasLayer, name: str, kind: type | tuple[type, ...] = object) -> Any:
    """An argument the translation cannot do without (units, filters, rate...), of the `kind` expected."""
    value = _config(layer, name)
    if value is None:
        read = "could not be read statically" if layer.unknown else "is missing"
        raise Untranslatable(f"its {name}= argument {read}")
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Untranslatable(f"{name}={value!r} is not what Keras takes there")
    return value


def _ints(value: Any, count: int, name: str) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * count
    if isinstance(value, (tuple, list)) and len(value) == count and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise Untranslatable(f"{name}={value!r} is not {count} integer(s)")


def _literal(values: Sequence[int]) -> str:
    """`3` for (3, 3), `(3, 5)` otherwise: how torch layers take a size per spatial dim."""
    return str(values[0]) if len(set(values)) == 1 else f"({', '.join(map(str, values))})"


def _number(value: float) -> str:
    return f"{value:.10g}"


def _call(name: str, *args: str, **kwargs: str | None) -> str:
    parts = [*args, *(f"{key}={value}" for key, value in kwargs.items() if value is not None)]
    return f"{name}({', '.join(parts)})"


def _known(shape: Shape | None, axis: int, what: str) -> int:
    """A dim the torch constructor needs; Untranslatable when the reader could not infer it."""
    size = shape[axis] if shape is not None and -len(shape) <= axis < len(shape) else None
    if size is None:
        raise Untranslatable(f"its input's {what} is unknown (no input shape could be inferred)")
    return size


def _rank(incoming: Incoming, rank: int, layer: KerasLayer) -> None:
    if incoming.shape is not None and len(incoming.shape) != rank:
        raise Untranslatable(f"{layer.type} expects a rank-{rank} input, got {incoming.shape}")


def _channel_axis(layer: KerasLayer) -> int:
    return 1 if layer.config.get("data_format") == "channels_first" else -1


def _spatial(incoming: Incoming, layer: KerasLayer, count: int) -> tuple[int | None, ...]:
    """The input's spatial sizes in Keras order (None when unknown)."""
    shape = incoming.shape
    if shape is None:
        return (None,) * count
    return shape[2:] if layer.config.get("data_format") == "channels_first" else shape[1:-1]


def _spatial_out(layer: KerasLayer, count: int) -> tuple[int | None, ...]:
    """The layer's output spatial sizes in Keras order (None when unknown)."""
    shape = layer.output_shape
    if not shape or any(isinstance(dim, tuple) for dim in shape):
        return (None,) * count
    return shape[2:] if layer.config.get("data_format") == "channels_first" else shape[1:-1]  # type: ignore[return-value]


def _activation(layer: KerasLayer) -> str | None:
    value = _config(layer, "activation")
    if value is not None and not isinstance(value, str):
        raise Untranslatable(f"activation={value!r} is not the name of a Keras activation")
    return value


def _check_activation(name: str | None) -> None:
    if name is not None and name not in ACTIVATIONS:
        raise Untranslatable(f"activation {name!r} has no entry in torchport's activation table")


# ------------------------------------------------------------------ activations

# Keras activation name -> the torch expression ({x}: the tensor, {dim}: the softmax dim); None: identity.
ACTIVATIONS: dict[str, str | None] = {
    "linear": None,
    "relu": "F.relu({x})",
    "relu6": "F.relu6({x})",
    "sigmoid": "torch.sigmoid({x})",
    "tanh": "torch.tanh({x})",
    "softmax": "F.softmax({x}, dim={dim})",
    "log_softmax": "F.log_softmax({x}, dim={dim})",
    "elu": "F.elu({x})",
    "selu": "F.selu({x})",
    "gelu": "F.gelu({x})",  # Keras's default approximate=False, as torch's
    "silu": "F.silu({x})",
    "swish": "F.silu({x})",
    "mish": "F.mish({x})",
    "softplus": "F.softplus({x})",
    "softsign": "F.softsign({x})",
    "hard_sigmoid": "F.hardsigmoid({x})",  # Keras 3's relu6(x + 3) / 6; Keras 2's was 0.2x + 0.5
    "hard_silu": "F.hardswish({x})",
    "hard_swish": "F.hardswish({x})",
    "leaky_relu": "F.leaky_relu({x}, 0.2)",  # keras.activations.leaky_relu's default slope
    "exponential": "torch.exp({x})",
}


def activation_code(name: str, x: str, dim: int) -> str | None:
    template = ACTIVATIONS[name]
    return None if template is None else template.format(x=x, dim=dim)


# ------------------------------------------------------------------ builders: dense and convolutions

def dense(layer: KerasLayer, incoming: Incoming) -> Translation:
    units = _required(layer, "units", int)
    activation = _activation(layer)
    _check_activation(activation)
    bias = None if _config(layer, "use_bias", True) else "False"
    in_features = incoming.shape[-1] if incoming.shape else None
    if in_features is None:
        return Translation(_call("nn.LazyLinear", str(units), bias=bias), activation=activation,
                           init_comments=("in_features is inferred on the first call: the input size is unknown",))
    return Translation(_call("nn.Linear", str(in_features), str(units), bias=bias), activation=activation)


def _conv_padding(kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...],
                  sizes: tuple[int | None, ...], outs: tuple[int | None, ...]) -> tuple[int, ...]:
    """Symmetric padding giving Keras's 'same' output size (ceil(size / stride)) at stride > 1."""
    padding = []
    for k, s, d, size, out in zip(kernel, stride, dilation, sizes, outs):
        span = d * (k - 1)
        preferred = span // 2
        candidates = [preferred] + [p for p in range(span + 1) if p != preferred]
        if size is None or out is None:
            padding.append(preferred)
            continue
        fitting = [p for p in candidates if (size + 2 * p - span - 1) // s + 1 == out]
        if not fitting:
            raise Untranslatable(f"no symmetric padding gives Keras's 'same' output size {out} from {size}")
        padding.append(fitting[0])
    return tuple(padding)


def conv(rank: int, transpose: bool = False) -> Builder:
    """Conv{1,2,3}D, and their Transpose variants, for inputs of `rank` spatial dims."""

    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        filters = _required(layer, "filters", int)
        kernel = _ints(_required(layer, "kernel_size"), rank, "kernel_size")
        stride = _ints(_config(layer, "strides", 1), rank, "strides")
        dilation = _ints(_config(layer, "dilation_rate", 1), rank, "dilation_rate")
        groups = _config(layer, "groups", 1)
        if not isinstance(groups, int):
            raise Untranslatable(f"groups={groups!r} is not an integer")
        padding = str(_config(layer, "padding", "valid")).lower()
        activation = _activation(layer)
        _check_activation(activation)
        name = f"nn.ConvTranspose{rank}d" if transpose else f"nn.Conv{rank}d"
        in_channels = incoming.shape[_channel_axis(layer)] if incoming.shape else None
        options: dict[str, str | None] = {
            "stride": _literal(stride) if set(stride) != {1} else None,
            "dilation": _literal(dilation) if set(dilation) != {1} else None,
            "groups": str(groups) if groups != 1 else None,
            "bias": None if _config(layer, "use_bias", True) else "False",
        }
        forward = Translation.forward
        comments: tuple[str, ...] = ()
        if transpose:
            pads = _transpose_padding(layer, kernel, stride, dilation, padding)
            paddings, output_paddings = [p for p, _ in pads], [o for _, o in pads]
            options = {"stride": options.pop("stride"), "padding": _literal(paddings) if any(paddings) else None,
                       "output_padding": _literal(output_paddings) if any(output_paddings) else None, **options}
        elif padding == "same" and set(stride) == {1}:
            options = {"padding": "'same'", **options}
        elif padding == "same":
            pads = _conv_padding(kernel, stride, dilation, _spatial(incoming, layer, rank), _spatial_out(layer, rank))
            options = {"stride": options.pop("stride"), "padding": _literal(pads), **options}
            comments = (f"Keras padding='same' with stride {_literal(stride)}: torch pads symmetrically, TensorFlow "
                        "puts the extra pixel at the end; the sizes match, the windows may be one pixel apart",)
        elif padding == "causal":
            left = dilation[0] * (kernel[0] - 1)
            forward = (f"{{out}} = {{m}}(F.pad({{x}}, ({left}, 0)))",)
            comments = (f"Keras padding='causal': {left} zeros on the left of the sequence only",)
        elif padding != "valid":
            raise Untranslatable(f"padding={padding!r} is not a Keras padding torchport knows")
        kind = "nn.LazyConvTranspose" if transpose else "nn.LazyConv"
        if in_channels is None:
            return Translation(_call(f"{kind}{rank}d", str(filters), _literal(kernel), **options), forward,
                               activation=activation, comments=comments,
                               init_comments=("in_channels is inferred on the first call: the input size is unknown",))
        return Translation(_call(name, str(in_channels), str(filters), _literal(kernel), **options), forward,
                           activation=activation, comments=comments)

    return build


def _depthwise_layer(layer: KerasLayer, incoming: Incoming) -> tuple[KerasLayer, int]:
    """A DepthwiseConv2D as the grouped Conv2D torch writes (groups = in_channels), and its output channels."""
    channels = _known(incoming.shape, _channel_axis(layer), "number of channels")
    multiplier = _required(layer, "depth_multiplier", int)
    return replace(layer, config={**layer.config, "filters": channels * multiplier, "groups": channels}), \
        channels * multiplier


def depthwise_conv(layer: KerasLayer, incoming: Incoming) -> Translation:
    grouped, _ = _depthwise_layer(layer, incoming)
    return conv(2)(grouped, incoming)


def separable_conv(layer: KerasLayer, incoming: Incoming) -> Translation:
    """SeparableConv2D: the depthwise convolution (no bias) then a 1x1 pointwise one, in one nn.Sequential."""
    grouped, middle = _depthwise_layer(layer, incoming)
    depthwise = conv(2)(replace(grouped, config={**grouped.config, "use_bias": False, "activation": None}), incoming)
    filters = _required(layer, "filters", int)
    pointwise = _call("nn.Conv2d", str(middle), str(filters), "1", bias=None if _config(layer, "use_bias", True)
                      else "False")
    activation = _activation(layer)
    _check_activation(activation)
    return Translation(f"nn.Sequential(\n    {depthwise.module},\n    {pointwise},\n)", depthwise.forward,
                       activation=activation,
                       comments=depthwise.comments, init_comments=(
                           "Keras's SeparableConv2D: a depthwise convolution (groups=in_channels, no bias), then a "
                           "1x1 pointwise convolution",))


def _transpose_padding(layer: KerasLayer, kernel: tuple[int, ...], stride: tuple[int, ...],
                       dilation: tuple[int, ...], padding: str) -> list[tuple[int, int]]:
    """(padding, output_padding) per dim giving Keras's output length for every input length L.

    Keras: L*s + max(dk - s, 0) ('valid'), L*s ('same'), or (L - 1)*s + dk - 2*pad + output_padding
    when output_padding is given (dk = d*(k - 1) + 1); torch: (L - 1)*s - 2p + dk + op, 0 <= op < max(s, d).
    """
    given = _config(layer, "output_padding")
    extra = _ints(given, len(kernel), "output_padding") if given is not None else None
    pads = []
    for i, (k, s, d) in enumerate(zip(kernel, stride, dilation)):
        dk = d * (k - 1) + 1
        if padding not in ("valid", "same"):
            raise Untranslatable(f"padding={padding!r} is not a Keras padding torchport knows")
        if extra is not None:
            offset = dk - s - 2 * (dk // 2 if padding == "same" else 0) + extra[i]
        else:
            offset = max(dk - s, 0) if padding == "valid" else 0
        need = dk - s - offset  # = 2p - op
        p = max((need + 1) // 2, 0)
        op = 2 * p - need
        if not 0 <= op < max(s, d):
            raise Untranslatable(f"torch's output_padding cannot reach Keras's output size (kernel {k}, stride {s})")
        pads.append((p, op))
    return pads


# ------------------------------------------------------------------ pooling

def _pool_fits(k: int, s: int, size: int | None, out: int | None) -> list[tuple[int, bool, bool]]:
    """The (padding, ceil_mode, exact) giving Keras's 'same' pooling size ceil(size / s), preferred first;
    padding <= k // 2 (torch's limit). Exact: the windows are TensorFlow's, which pads P = (out - 1)·s + k -
    size, P // 2 before (known for a known size only)."""
    exact = max((out - 1) * s + k - size, 0) // 2 if size is not None and out is not None else None
    candidates = [(exact, False), (exact, True)] if exact is not None else []
    candidates += [((k - 1) // 2, False)] if k % 2 else []
    if k >= s and (k - s) % 2 == 0:
        candidates.append(((k - s) // 2, True))
    if size is not None and out is not None:  # this input size only: any padding torch accepts
        candidates += [(p, ceil) for ceil in (False, True) for p in range(k // 2 + 1)]
    return [(p, ceil, p == exact) for p, ceil in candidates
            if p <= k // 2 and (size is None or out is None or _pooled(size, k, s, p, ceil) == out)]


def _pool_fit(kernel: Sequence[int], stride: Sequence[int], sizes: Sequence[int | None],
              outs: Sequence[int | None]) -> list[tuple[int, bool]]:
    """A (padding, ceil_mode) per dim, with one ceil_mode for all (torch has one): the one with the most
    dims on TensorFlow's windows, else the first dim's preferred."""
    fits = [_pool_fits(*dim) for dim in zip(kernel, stride, sizes, outs)]
    choices = []
    for ceil in (False, True):
        chosen = [next((fit for fit in options if fit[1] == ceil), None) for options in fits]
        if all(chosen):
            preferred = bool(fits[0]) and fits[0][0][1] == ceil
            choices.append((sum(fit[2] for fit in chosen), preferred, chosen))  # type: ignore[index]
    if not choices:
        raise Untranslatable("no torch pooling padding gives Keras's 'same' size in every dim with one ceil_mode")
    chosen = max(choices, key=lambda choice: choice[:2])[2]
    return [(p, ceil) for p, ceil, _ in chosen]


def _pooled(size: int, k: int, s: int, p: int, ceil: bool) -> int:
    """torch's pooling output length (its ceil_mode rule: the last window must start inside)."""
    span = size + 2 * p - k
    out = -(-span // s) + 1 if ceil else span // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def pool(rank: int, kind: str) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        kernel = _ints(_config(layer, "pool_size", 2), rank, "pool_size")
        stride = _ints(_config(layer, "strides") or kernel, rank, "strides")
        padding = str(_config(layer, "padding", "valid")).lower()
        options: dict[str, str | None] = {"stride": _literal(stride) if stride != kernel else None}
        comments: tuple[str, ...] = ()
        if padding == "same":
            fits = _pool_fit(kernel, stride, _spatial(incoming, layer, rank), _spatial_out(layer, rank))
            if any(p for p, _ in fits):
                options["padding"] = _literal([p for p, _ in fits])
            if fits[0][1]:
                options["ceil_mode"] = "True"
            if kind == "Avg" and options.get("padding"):
                options["count_include_pad"] = "False"  # TensorFlow averages over the real pixels only
            comments = ("Keras padding='same': TensorFlow pads at the end, torch symmetrically (or with "
                        "ceil_mode); the sizes match",)
        elif padding != "valid":
            raise Untranslatable(f"padding={padding!r} is not a Keras padding torchport knows")
        return Translation(_call(f"nn.{kind}Pool{rank}d", _literal(kernel), **options), comments=comments)

    return build


def global_pool(rank: int, reduction: str) -> Builder:
    """GlobalAverage/MaxPooling: a reduction over the spatial dims, wherever the layout puts them."""

    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        first = 2 if layer.config.get("data_format") == "channels_first" else 1
        dims = tuple(torch_dim(axis, rank + 2, incoming.layout, last=None) for axis in range(first, first + rank))
        dims_text = str(dims[0]) if len(dims) == 1 else f"({', '.join(map(str, dims))})"
        keep = ", keepdim=True" if _config(layer, "keepdims", False) else ""
        return Translation(None, (f"{{out}} = {{x}}.{reduction}(dim={dims_text}{keep})",))

    return build


# ------------------------------------------------------------------ reshaping

def flatten(layer: KerasLayer, incoming: Incoming) -> Translation:
    comments: tuple[str, ...] = ()
    shape = incoming.shape
    if incoming.layout == CHANNELS_FIRST and shape is not None and len(shape) >= 3 \
            and any(size != 1 for size in shape[1:-1]):  # spatial dims all 1 (a global pooling's): one order
        comments = ("Keras flattens channels-last (..., C), this flattens (C, ...): the size is the same, the "
                    "feature order is not; weights ported from Keras for the next layer need a permute",)
    return Translation(None, ("{out} = torch.flatten({x}, 1)",), layout=BATCH_MAJOR, comments=comments)


def reshape(layer: KerasLayer, incoming: Incoming) -> Translation:
    target = _required(layer, "target_shape")
    if not isinstance(target, (tuple, list)) or not all(isinstance(d, int) for d in target):
        raise Untranslatable(f"target_shape={target!r} is not a tuple of integers")
    dims = ", ".join(map(str, target))
    return Translation(None, (f"{{out}} = {{x}}.reshape({{x}}.shape[0], {dims})",), layout=BATCH_MAJOR,
                       comments=("Keras's Reshape, on Keras's channels-last order",))


def permute(layer: KerasLayer, incoming: Incoming) -> Translation:
    dims = _required(layer, "dims")
    if not isinstance(dims, (tuple, list)) or not all(isinstance(d, int) for d in dims):
        raise Untranslatable(f"dims={dims!r} is not a tuple of integers")
    return Translation(None, (f"{{out}} = {{x}}.permute(0, {', '.join(map(str, dims))})",), layout=BATCH_MAJOR)


def repeat_vector(layer: KerasLayer, incoming: Incoming) -> Translation:
    n = _required(layer, "n", int)
    return Translation(None, (f"{{out}} = {{x}}.unsqueeze(1).expand(-1, {n}, -1)",), layout=BATCH_MAJOR)


def upsampling(rank: int) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        size = _ints(_config(layer, "size", 2), rank, "size")
        mode = str(_config(layer, "interpolation", "nearest"))
        modes = {"nearest": "nearest", "bilinear": "bilinear", "bicubic": "bicubic"}
        if mode not in modes:
            raise Untranslatable(f"interpolation={mode!r} has no nn.Upsample mode")
        scale = _literal([float(s) for s in size])  # type: ignore[misc]
        return Translation(_call("nn.Upsample", scale_factor=scale, mode=repr(modes[mode])))

    return build


def _amounts(layer: KerasLayer, key: str, rank: int, default: Any) -> tuple[tuple[int, int], ...]:
    """ZeroPadding's or Cropping's (before, after) per spatial dim, read as Keras reads them."""
    try:
        return pairs(_config(layer, key, default), rank, key)
    except Unknown as error:
        raise Untranslatable(str(error)) from None


def zero_padding(rank: int) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        amounts = _amounts(layer, "padding", rank, 1)
        flat = [str(side) for pair in reversed(amounts) for side in pair]  # F.pad starts with the last dim
        return Translation(None, (f"{{out}} = F.pad({{x}}, ({', '.join(flat)}))",))

    return build


def cropping(rank: int) -> Builder:
    """Cropping1D/2D/3D: a slice of each spatial dim, wherever the layout puts it."""

    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        _rank(incoming, rank + 2, layer)
        amounts = _amounts(layer, "cropping", rank, 1 if rank == 1 else 0)
        first = 2 if layer.config.get("data_format") == "channels_first" else 1
        slices = [":"] * (rank + 2)
        for axis, (before, after) in zip(range(first, first + rank), amounts):
            slices[torch_dim(axis, rank + 2, incoming.layout, last=None)] = \
                f"{before or ''}:{-after if after else ''}"
        while slices[-1] == ":":
            slices.pop()
        return Translation(None, (f"{{out}} = {{x}}[{', '.join(slices)}]",))

    return build


# ------------------------------------------------------------------ regularisation and normalisation

def dropout(module: str) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        notes = ()
        if _config(layer, "noise_shape") is not None:
            notes = ("noise_shape is not translated: torch drops elements independently",)
        return Translation(f"{module}({_number(_required(layer, 'rate', (int, float)))})", notes=notes)

    return build


def batch_norm(layer: KerasLayer, incoming: Incoming) -> Translation:
    shape = incoming.shape
    if shape is None:
        raise Untranslatable("its input shape is unknown")
    axis = _config(layer, "axis", -1)
    axis = axis[0] if isinstance(axis, (tuple, list)) and len(axis) == 1 else axis
    rank = len(shape)
    if not isinstance(axis, int) or axis % rank not in (1, rank - 1):
        raise Untranslatable(f"axis={axis!r}: torch's BatchNorm normalises the channel dim only")
    features = _known(shape, axis, "number of features")
    kind = {2: 1, 3: 1, 4: 2, 5: 3}.get(rank)
    if kind is None:
        raise Untranslatable(f"a rank-{rank} input has no torch BatchNorm")
    momentum = _config(layer, "momentum", 0.99)
    epsilon = _config(layer, "epsilon", 1e-3)
    center, scale = _config(layer, "center", True), _config(layer, "scale", True)
    notes: tuple[str, ...] = ()
    if center != scale:
        notes = (f"center={center}, scale={scale}: torch's affine=True keeps both the shift and the scale",)
    options = {"eps": _number(epsilon), "momentum": _number(1 - momentum),
               "affine": None if center or scale else "False"}
    comment = (f"Keras momentum={_number(momentum)}, epsilon={_number(epsilon)}: torch's momentum is "
               f"1 - Keras's, the moving mean and variance are buffers, not parameters")
    return Translation(_call(f"nn.BatchNorm{kind}d", str(features), **options), init_comments=(comment,), notes=notes)


def batch_norm_wants(layer: KerasLayer) -> Layout | None:
    axis = layer.config.get("axis", -1)
    axis = axis[0] if isinstance(axis, (tuple, list)) and len(axis) == 1 else axis
    return BATCH_MAJOR if axis == 1 else CHANNELS_FIRST


def layer_norm(layer: KerasLayer, incoming: Incoming) -> Translation:
    shape = incoming.shape
    if shape is None:
        raise Untranslatable("its input shape is unknown")
    rank = len(shape)
    axis = _config(layer, "axis", -1)
    axes = sorted(a % rank for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if axes != list(range(rank - len(axes), rank)) or 0 in axes:
        raise Untranslatable(f"axis={axis!r}: torch's LayerNorm normalises the trailing dims only")
    if _config(layer, "rms_scaling", False):
        raise Untranslatable("rms_scaling=True: use nn.RMSNorm, whose epsilon and scale differ")
    sizes = [_known(shape, a, "normalised size") for a in axes]
    center, scale = _config(layer, "center", True), _config(layer, "scale", True)
    if center and not scale:
        raise Untranslatable("center=True with scale=False: torch's LayerNorm has no bias-only form")
    options = {"eps": _number(_config(layer, "epsilon", 1e-3)),
               "elementwise_affine": None if scale else "False", "bias": "False" if scale and not center else None}
    normalized = str(sizes[0]) if len(sizes) == 1 else f"({', '.join(map(str, sizes))})"
    return Translation(_call("nn.LayerNorm", normalized, **options))


# ------------------------------------------------------------------ activations as layers

def activation_layer(layer: KerasLayer, incoming: Incoming) -> Translation:
    name = _activation(layer) or "linear"
    _check_activation(name)
    return Translation(None, (), activation=name)


def softmax_layer(layer: KerasLayer, incoming: Incoming) -> Translation:
    axis = _config(layer, "axis", -1)
    if not isinstance(axis, int):
        raise Untranslatable(f"axis={axis!r}: F.softmax takes one dim")
    return Translation(None, (), activation="softmax", activation_axis=axis)


def relu_layer(layer: KerasLayer, incoming: Incoming) -> Translation:
    max_value = _config(layer, "max_value")
    slope = _config(layer, "negative_slope", 0.0) or 0.0
    if _config(layer, "threshold", 0.0):
        raise Untranslatable("threshold != 0 has no torch activation")
    if max_value is not None and slope:
        raise Untranslatable("max_value with negative_slope has no torch activation")
    if slope:
        return Translation(None, (f"{{out}} = F.leaky_relu({{x}}, {_number(slope)})",))
    if max_value is None:
        return Translation(None, (), activation="relu")
    if max_value == 6:
        return Translation(None, (), activation="relu6")
    return Translation(None, (f"{{out}} = torch.clamp({{x}}, 0, {_number(max_value)})",))


def leaky_relu_layer(layer: KerasLayer, incoming: Incoming) -> Translation:
    slope = layer.config.get("negative_slope", layer.config.get("alpha", 0.3))  # Keras 3 / tf.keras spelling
    return Translation(None, (f"{{out}} = F.leaky_relu({{x}}, {_number(slope)})",))


def elu_layer(layer: KerasLayer, incoming: Incoming) -> Translation:
    alpha = _config(layer, "alpha", 1.0)
    if alpha == 1.0:
        return Translation(None, (), activation="elu")
    return Translation(None, (f"{{out}} = F.elu({{x}}, {_number(alpha)})",))


def prelu(layer: KerasLayer, incoming: Incoming) -> Translation:
    """PReLU: nn.PReLU when alpha is one number or one per channel (torch's dim 1), else an alpha tensor of
    Keras's shape in the torch layout. Keras starts alpha at zeros (a ReLU), torch's nn.PReLU at 0.25."""
    shape = incoming.shape
    if shape is None or None in shape[1:]:
        raise Untranslatable("its input shape is unknown, so alpha's shape is unknown")
    if _config(layer, "alpha_initializer", "Zeros") not in ("Zeros", "zeros"):
        raise Untranslatable("an alpha_initializer other than zeros is not translated")
    alpha: list[int] = list(shape[1:])  # type: ignore[arg-type]
    shared = _config(layer, "shared_axes")
    for axis in (shared,) if isinstance(shared, int) else shared or ():
        if not isinstance(axis, int) or not 1 <= axis < len(shape):
            raise Untranslatable(f"shared_axes={shared!r} is not understood")
        alpha[axis - 1] = 1
    torch_alpha = to_torch((None, *alpha), incoming.layout)[1:]
    if all(size == 1 for size in torch_alpha[1:]):  # one alpha, or one per torch channel (dim 1)
        count = torch_alpha[0] if len(set(alpha)) > 1 or alpha[-1] != 1 else 1
        return Translation(f"nn.PReLU({count}, init=0.0)", init_comments=(
            "Keras's PReLU starts with alpha = 0 (a ReLU); torch's default init is 0.25",))
    return Translation(f"nn.Parameter(torch.zeros({', '.join(map(str, torch_alpha))}))",
                       (f"{{out}} = torch.where({{x}} >= 0, {{x}}, {{m}} * {{x}})",),
                       init_comments=("Keras's PReLU with one alpha per element (no shared_axes), starting at 0",))


def gaussian_noise(layer: KerasLayer, incoming: Incoming) -> Translation:
    stddev = _required(layer, "stddev", (int, float))
    return Translation(None, (f"{{out}} = {{x}} + {_number(stddev)} * torch.randn_like({{x}}) if self.training "
                              "else {x}",), comments=("Keras's GaussianNoise: additive noise while training only",))


def gaussian_dropout(layer: KerasLayer, incoming: Incoming) -> Translation:
    rate = _required(layer, "rate", (int, float))
    if not 0 < rate < 1:
        return Translation(None, ())
    stddev = (rate / (1 - rate)) ** 0.5
    return Translation(None, (f"{{out}} = {{x}} * (1 + {_number(stddev)} * torch.randn_like({{x}})) "
                              "if self.training else {x}",),
                       comments=(f"Keras's GaussianDropout: multiplicative noise of mean 1 and stddev "
                                 f"sqrt(rate / (1 - rate)) while training only",))


# ------------------------------------------------------------------ embeddings, recurrent layers, attention

def embedding(layer: KerasLayer, incoming: Incoming) -> Translation:
    notes = ()
    if _config(layer, "mask_zero", False):
        notes = ("mask_zero=True is not translated: torch has no masks; pack the sequences "
                 "(nn.utils.rnn.pack_padded_sequence) or pass a padding mask",)
    module = _call("nn.Embedding", str(_required(layer, "input_dim", int)), str(_required(layer, "output_dim", int)))
    return Translation(module, layout=BATCH_MAJOR, notes=notes)


_RNN_MODULES = {"LSTM": "nn.LSTM", "GRU": "nn.GRU", "SimpleRNN": "nn.RNN"}
_RNN_DEFAULTS = {"LSTM": ("tanh", "sigmoid"), "GRU": ("tanh", "sigmoid"), "SimpleRNN": ("tanh", None)}


def _rnn_parts(layer: KerasLayer, incoming: Incoming, both_ways: bool) -> tuple[str, list[str], list[str]]:
    """The constructor, the forward input expression and the notes of an RNN layer."""
    kind = layer.type
    activation = _config(layer, "activation", "tanh")
    recurrent, default_recurrent = _config(layer, "recurrent_activation", "sigmoid"), _RNN_DEFAULTS[kind][1]
    options: dict[str, str | None] = {"batch_first": "True"}
    if kind == "SimpleRNN" and activation == "relu":
        options["nonlinearity"] = "'relu'"
    elif activation != "tanh":
        raise Untranslatable(f"activation={activation!r}: torch's {kind} uses tanh")
    if default_recurrent is not None and recurrent != default_recurrent:
        raise Untranslatable(f"recurrent_activation={recurrent!r}: torch's {kind} uses sigmoid")
    if not _config(layer, "use_bias", True):
        options["bias"] = "False"
    if both_ways:
        options["bidirectional"] = "True"
    notes = []
    if _config(layer, "dropout", 0.0) or _config(layer, "recurrent_dropout", 0.0):
        notes.append("dropout/recurrent_dropout inside the recurrence are not translated: torch's dropout= acts "
                     "between stacked layers; add nn.Dropout on the input instead")
    if _config(layer, "stateful", False):
        notes.append("stateful=True is not translated: carry (h, c) between batches yourself")
    if kind == "GRU" and not _config(layer, "reset_after", True):
        notes.append("reset_after=False: torch's GRU applies the reset gate after the matmul (Keras's "
                     "reset_after=True) and has one more bias vector")
    x = "torch.flip({x}, dims=(1,))" if _config(layer, "go_backwards", False) else "{x}"
    input_size = _known(incoming.shape, -1, "number of features")
    module = _call(_RNN_MODULES[kind], str(input_size), str(_required(layer, "units", int)), **options)
    return module, [x], notes


# the final states an RNN returns with return_state=True, as torch returns them after the output
_RNN_STATES = {"LSTM": ("{out}_h", "{out}_c"), "GRU": ("{out}_h",), "SimpleRNN": ("{out}_h",)}


def rnn(layer: KerasLayer, incoming: Incoming) -> Translation:
    module, (x,), notes = _rnn_parts(layer, incoming, both_ways=False)
    torch_name = _RNN_MODULES[layer.type]
    states = _RNN_STATES[layer.type] if _config(layer, "return_state", False) else ()
    state = "_" if not states else states[0] if len(states) == 1 else f"({', '.join(states)})"
    forward = [f"{{out}}, {state} = {{m}}({x})"]
    if _config(layer, "return_sequences", False):
        comment = f"{torch_name} returns (output, state); Keras's return_sequences=True keeps every step"
    else:
        forward.append("{out} = {out}[:, -1]")
        comment = f"{torch_name} returns (output, state); Keras's return_sequences=False keeps the last step"
    forward += [f"{name} = {name}[-1]" for name in states]  # (layers, N, units): the last layer's
    if states:
        comment += f"; return_state=True: the final {' and '.join(n.removeprefix('{out}_') for n in states)} " \
                   "state(s) too"
    return Translation(module, tuple(forward), layout=BATCH_MAJOR, comments=(comment,), notes=tuple(notes),
                       outputs=("{out}", *states) if states else ())


_MERGES = {"concat": None, "sum": "{a} + {b}", "mul": "{a} * {b}", "ave": "({a} + {b}) / 2"}


def _mirrors(backward: Any, forward: KerasLayer) -> bool:
    """Whether a Bidirectional's backward_layer (None, or Keras's serialized config, which get_config
    always fills in) is the forward layer's mirror, as torch's bidirectional RNNs are."""
    if backward is None:
        return True
    config = backward.get("config", {}) if isinstance(backward, dict) else {}
    same = ("units", "return_sequences", "activation", "use_bias")
    return backward.get("class_name") == forward.type and all(config.get(k) == forward.config.get(k) for k in same)


def bidirectional(layer: KerasLayer, incoming: Incoming) -> Translation:
    inner = layer.wrapped
    if inner is None or inner.type not in _RNN_MODULES:
        raise Untranslatable("only a wrapped LSTM, GRU or SimpleRNN is translated")
    if not _mirrors(_config(layer, "backward_layer"), inner):
        raise Untranslatable("a backward_layer unlike the forward one: torch's directions share their settings")
    if _config(inner, "return_state", False):
        raise Untranslatable("return_state=True in a Bidirectional: unpack h_n (and c_n) of both directions yourself")
    mode = _config(layer, "merge_mode", "concat")
    if mode not in _MERGES:
        raise Untranslatable(f"merge_mode={mode!r}: torch returns both directions concatenated")
    module, (x,), notes = _rnn_parts(inner, incoming, both_ways=True)
    units = _required(inner, "units", int)
    if _config(inner, "return_sequences", False):
        forward = [f"{{out}}, _ = {{m}}({x})"]
        if mode != "concat":
            forward.append("{out} = {out}.unflatten(-1, (2, %d))" % units)
            forward.append("{out} = " + _MERGES[mode].format(a="{out}[..., 0, :]", b="{out}[..., 1, :]"))  # type: ignore[union-attr]
        comment = "both directions at every step, aligned in time (as Keras's Bidirectional)"
    else:
        state = "_, ({out}, _)" if inner.type == "LSTM" else "_, {out}"
        merged = _MERGES[mode] or "torch.cat(({a}, {b}), dim=1)"
        forward = [f"{state} = {{m}}({x})", "{out} = " + merged.format(a="{out}[-2]", b="{out}[-1]")]
        comment = ("the final state of each direction (h_n), as Keras's return_sequences=False: the backward "
                   "direction's last step is the first time step, not output[:, -1]")
    return Translation(module, tuple(forward), layout=BATCH_MAJOR, comments=(comment,), notes=tuple(notes))


def time_distributed(layer: KerasLayer, incoming: Incoming) -> Translation:
    inner = layer.wrapped
    if inner is None or inner.type != "Dense":
        raise Untranslatable("only a wrapped Dense is translated (nn.Linear acts on the last dim already)")
    return dense(inner, incoming)


def multi_head_attention(layer: KerasLayer, incoming: Incoming) -> Translation:
    count = len(incoming.shapes)
    if count == 1:  # self-attention, mha(x, x): the one tensor is query, key and value
        incoming = Incoming(incoming.shapes * 2, incoming.layouts * 2)
    if len(incoming.shapes) not in (2, 3):
        raise Untranslatable("it is called with query and value (and key) tensors")
    heads = _required(layer, "num_heads", int)
    key_dim = _required(layer, "key_dim", int)
    value_dim = _config(layer, "value_dim") or key_dim
    if not isinstance(value_dim, int):
        raise Untranslatable(f"value_dim={value_dim!r} is not an integer")
    if _config(layer, "output_shape") is not None:
        raise Untranslatable("output_shape= has no nn.MultiheadAttention equivalent")
    axes = _config(layer, "attention_axes")
    rank = len(incoming.shapes[0]) if incoming.shapes[0] is not None else 3
    if axes is not None and {a % rank for a in (axes if isinstance(axes, (tuple, list)) else (axes,))} != {1}:
        raise Untranslatable(f"attention_axes={axes!r}: nn.MultiheadAttention attends over the sequence dim only")
    if _config(layer, "use_gate", False):
        raise Untranslatable("use_gate=True has no nn.MultiheadAttention equivalent")
    query = _known(incoming.shapes[0], -1, "query size")
    value = _known(incoming.shapes[1], -1, "value size")
    key = _known(incoming.shapes[2], -1, "key size") if len(incoming.shapes) == 3 else value
    if query % heads:
        raise Untranslatable(f"nn.MultiheadAttention needs embed_dim ({query}) divisible by num_heads ({heads})")
    options = {"dropout": _number(d) if (d := _config(layer, "dropout", 0.0)) else None,
               "bias": None if _config(layer, "use_bias", True) else "False",
               "kdim": str(key) if key != query else None, "vdim": str(value) if value != query else None,
               "batch_first": "True"}
    module = _call("nn.MultiheadAttention", str(query), str(heads), **options)
    notes = []
    if key_dim * heads != query or value_dim * heads != query:
        notes.append(f"key_dim={key_dim}, value_dim={value_dim} with {heads} heads project to "
                     f"{key_dim * heads}/{value_dim * heads} features, torch's to embed_dim={query} "
                     f"({query // heads} per head): the parameter counts differ")
    key_var, value_var = {1: ("{x0}", "{x0}"), 2: ("{x1}", "{x1}"), 3: ("{x2}", "{x1}")}[count]
    forward = (f"{{out}}, _ = {{m}}({{x0}}, {key_var}, {value_var}, need_weights=False)",)
    return Translation(module, forward, layout=BATCH_MAJOR, notes=tuple(notes),
                       comments=("query, key, value (Keras's call order is query, value, key)",))


# ------------------------------------------------------------------ merging

def merge(operator: str) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        names = [f"{{x{i}}}" for i in range(len(incoming.shapes))]
        return Translation(None, ("{out} = " + operator.join(names),))

    return build


def average(layer: KerasLayer, incoming: Incoming) -> Translation:
    names = [f"{{x{i}}}" for i in range(len(incoming.shapes))]
    return Translation(None, (f"{{out}} = ({' + '.join(names)}) / {len(names)}",))


def extremum(function: str) -> Builder:
    def build(layer: KerasLayer, incoming: Incoming) -> Translation:
        expression = "{x0}"
        for i in range(1, len(incoming.shapes)):
            expression = f"{function}({expression}, {{x{i}}})"
        return Translation(None, ("{out} = " + expression,))

    return build


def concatenate(layer: KerasLayer, incoming: Incoming) -> Translation:
    shape = incoming.shape
    axis = _config(layer, "axis", -1)
    if shape is None and axis != -1:
        raise Untranslatable("its input shape is unknown, so the axis cannot be translated")
    if shape is None:  # Keras's last axis: the channels, dim 1 whatever the rank when channels-first
        dim = 1 if incoming.layout == CHANNELS_FIRST else -1
    else:
        dim = torch_dim(axis, len(shape), incoming.layout)
    names = ", ".join(f"{{x{i}}}" for i in range(len(incoming.shapes)))
    return Translation(None, (f"{{out}} = torch.cat(({names}), dim={dim})",))


# ------------------------------------------------------------------ the table

RULES: dict[str, Rule] = {
    "Dense": Rule(dense, _keras),
    "Conv1D": Rule(conv(1), _channels_or_keras),
    "Conv2D": Rule(conv(2), _channels_or_keras),
    "Conv3D": Rule(conv(3), _channels_or_keras),
    "Conv1DTranspose": Rule(conv(1, transpose=True), _channels_or_keras),
    "Conv2DTranspose": Rule(conv(2, transpose=True), _channels_or_keras),
    "Conv3DTranspose": Rule(conv(3, transpose=True), _channels_or_keras),
    "MaxPooling1D": Rule(pool(1, "Max"), _channels_or_keras),
    "MaxPooling2D": Rule(pool(2, "Max"), _channels_or_keras),
    "MaxPooling3D": Rule(pool(3, "Max"), _channels_or_keras),
    "AveragePooling1D": Rule(pool(1, "Avg"), _channels_or_keras),
    "AveragePooling2D": Rule(pool(2, "Avg"), _channels_or_keras),
    "AveragePooling3D": Rule(pool(3, "Avg"), _channels_or_keras),
    "GlobalAveragePooling1D": Rule(global_pool(1, "mean"), _any_or_keras),
    "GlobalAveragePooling2D": Rule(global_pool(2, "mean"), _any_or_keras),
    "GlobalAveragePooling3D": Rule(global_pool(3, "mean"), _any_or_keras),
    "GlobalMaxPooling1D": Rule(global_pool(1, "amax"), _any_or_keras),
    "GlobalMaxPooling2D": Rule(global_pool(2, "amax"), _any_or_keras),
    "GlobalMaxPooling3D": Rule(global_pool(3, "amax"), _any_or_keras),
    "UpSampling1D": Rule(upsampling(1), _channels_first),
    "UpSampling2D": Rule(upsampling(2), _channels_or_keras),
    "UpSampling3D": Rule(upsampling(3), _channels_or_keras),
    "ZeroPadding1D": Rule(zero_padding(1), _channels_first),
    "ZeroPadding2D": Rule(zero_padding(2), _channels_or_keras),
    "ZeroPadding3D": Rule(zero_padding(3), _channels_or_keras),
    "Cropping1D": Rule(cropping(1), _any),
    "Cropping2D": Rule(cropping(2), _any_or_keras),
    "Cropping3D": Rule(cropping(3), _any_or_keras),
    "DepthwiseConv2D": Rule(depthwise_conv, _channels_or_keras),
    "SeparableConv2D": Rule(separable_conv, _channels_or_keras),
    "Flatten": Rule(flatten, _any),
    "Reshape": Rule(reshape, _keras),
    "Permute": Rule(permute, _keras),
    "RepeatVector": Rule(repeat_vector, _keras),
    "Dropout": Rule(dropout("nn.Dropout"), _any),
    "SpatialDropout1D": Rule(dropout("nn.Dropout1d"), _channels_first),
    "SpatialDropout2D": Rule(dropout("nn.Dropout2d"), _channels_or_keras),
    "SpatialDropout3D": Rule(dropout("nn.Dropout3d"), _channels_or_keras),
    "AlphaDropout": Rule(dropout("nn.AlphaDropout"), _any),
    "GaussianNoise": Rule(gaussian_noise, _any),
    "GaussianDropout": Rule(gaussian_dropout, _any),
    "BatchNormalization": Rule(batch_norm, batch_norm_wants),
    "LayerNormalization": Rule(layer_norm, _keras),
    "Activation": Rule(activation_layer, _any),
    "ReLU": Rule(relu_layer, _any),
    "LeakyReLU": Rule(leaky_relu_layer, _any),
    "ELU": Rule(elu_layer, _any),
    "PReLU": Rule(prelu, _any),
    "Softmax": Rule(softmax_layer, _any),
    "Embedding": Rule(embedding, _keras),
    "LSTM": Rule(rnn, _keras),
    "GRU": Rule(rnn, _keras),
    "SimpleRNN": Rule(rnn, _keras),
    "Bidirectional": Rule(bidirectional, _keras),
    "TimeDistributed": Rule(time_distributed, _keras),
    "MultiHeadAttention": Rule(multi_head_attention, _keras),
    "Add": Rule(merge(" + "), _any),
    "Subtract": Rule(merge(" - "), _any),
    "Multiply": Rule(merge(" * "), _any),
    "Average": Rule(average, _any),
    "Maximum": Rule(extremum("torch.maximum"), _any),
    "Minimum": Rule(extremum("torch.minimum"), _any),
    "Concatenate": Rule(concatenate, _any),
}
