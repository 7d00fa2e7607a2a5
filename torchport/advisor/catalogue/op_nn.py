"""Functional forms of the layers: F.conv*, pooling, interpolate, pad, norms, embedding, attention."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
    as_bool,
    as_int,
    as_tuple,
    check_rank,
    integer_indices,
    invalid,
    need,
    size_mismatch,
)
from torchport.advisor.catalogue.op import (
    F,
    Args,
    OpSpec,
    Rule,
    entries,
    tensor_shape,
)
from torchport.advisor.dims import Unknown, floordiv, fmt, prod


def _conv_op(nd: int, transposed: bool) -> Rule:
    name = f"conv{'_transpose' if transposed else ''}{nd}d"

    def rule(ctx: Ctx, a: Args) -> Tensor:
        x, w = tensor_shape(a), tensor_shape(a, "weight")
        check_rank(w, (nd + 2,), name, operand=1)
        groups = as_int(a["groups"], "groups", minimum=1)
        if isinstance(groups, int) and isinstance(w[0], int) and w[0] % groups:
            raise Invalid(Problem("size-mismatch", f"{name}: weight's dim 0 ({w[0]}) must be divisible by "
                                                   f"groups={groups}", operand=1, dim=0, got=w[0], expected=groups))
        kernel = w[2:]
        stride = as_tuple(a["stride"], nd, "stride", minimum=1)
        dilation = as_tuple(a["dilation"], nd, "dilation", minimum=1)
        if transposed:
            out_ch = w[1] * groups  # type: ignore[operator]
            padding = as_tuple(a["padding"], nd, "padding", minimum=0)
            out = shapes.conv_transpose(ctx, name, x, nd, w[0], out_ch, kernel, stride, padding,
                                        as_tuple(a["output_padding"], nd, "output_padding"), dilation,
                                        channel_arg="weight")
        else:
            padding = a["padding"]
            if isinstance(padding, str):
                if padding not in ("same", "valid"):
                    raise invalid(f"{name}: invalid padding string {padding!r}", "padding", padding)
                if padding == "same" and any(s != 1 for s in stride):
                    raise invalid(f"{name}: padding='same' is not supported for strided convolutions", "padding")
                pads: Any = padding
            else:
                pads = as_tuple(padding, nd, "padding", minimum=0)
            in_channels = w[1] * groups  # type: ignore[operator]
            out = shapes.conv(ctx, name, x, nd, in_channels, w[0], kernel, stride, pads, dilation, channel_arg="weight")
        bias = a["bias"]
        if isinstance(bias, Tensor) and not isinstance(bias.shape, Unknown):
            channels = out[len(out) - nd - 1]
            if len(bias.shape) != 1:
                raise Invalid(Problem("rank", f"{name}: bias must be 1-d, got {len(bias.shape)}-d", operand=2,
                                      got=len(bias.shape), expected=1))
            message = f"{name}: bias has {fmt(bias.shape[0])} elements, expected {fmt(channels)}"
            ctx.equal(bias.shape[0], channels, size_mismatch(message, 2, 0, bias.shape[0], channels))
        return Tensor(out)
    return rule


def _pool_op(kind: str, nd: int) -> Rule:
    name = f"{kind}_pool{nd}d"

    def rule(ctx: Ctx, a: Args) -> Any:
        x = tensor_shape(a)
        kernel = as_tuple(a["kernel_size"], nd, "kernel_size", minimum=1, allow_single=True)
        stride_arg = a["stride"]
        stride = kernel if stride_arg is None or stride_arg == () or stride_arg == [] else as_tuple(
            stride_arg, nd, "stride", allow_single=True)
        padding = as_tuple(a["padding"], nd, "padding", minimum=0, allow_single=True)
        dilation = as_tuple(a["dilation"], nd, "dilation", minimum=1, allow_single=True) if kind == "max" else (1,) * nd
        y = Tensor(shapes.pool(ctx, name, x, nd, kernel, stride, padding, dilation, as_bool(a["ceil_mode"]),
                               input_at_least_kernel=kind == "avg" and nd == 3))
        if kind == "max" and as_bool(a["return_indices"]):
            return (y, y)
        return y
    return rule


def _adaptive_op(kind: str, nd: int) -> Rule:
    name = f"adaptive_{kind}_pool{nd}d"

    def rule(ctx: Ctx, a: Args) -> Any:
        size = need(a["output_size"])
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd or (nd == 1 and None in sizes):
            raise invalid(f"{name}: output_size must be an int or a tuple of {nd}", "output_size", size)
        y = Tensor(shapes.adaptive(name, tensor_shape(a), nd, sizes))
        return (y, y) if kind == "max" and as_bool(a["return_indices"]) else y
    return rule


def _interpolate(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.interpolate(ctx, "interpolate", tensor_shape(a), a["size"], a["scale_factor"], need(a["mode"]),
                                     a["align_corners"]))


def _pad(ctx: Ctx, a: Args) -> Tensor:
    pads = need(a["pad"])
    if not isinstance(pads, (tuple, list)):
        raise Undecidable
    mode = need(a["mode"])
    return Tensor(shapes.pad(ctx, "pad", tensor_shape(a), tuple(as_int(p, "pad") for p in pads), mode))


def _layer_norm(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    ns = need(a["normalized_shape"])
    normalized = tuple(ns) if isinstance(ns, (tuple, list)) else (ns,)
    shapes.trailing(ctx, "layer_norm", x, tuple(as_int(d, "normalized_shape") for d in normalized))
    return Tensor(x)


def _batch_norm(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if len(x) < 2:
        raise Invalid(Problem("rank", f"batch_norm expects at least 2 dims (N, C, *), got {len(x)}", got=len(x),
                              expected="at least 2"))
    for key in ("running_mean", "running_var", "weight", "bias"):
        t = a[key]
        if isinstance(t, Tensor) and not isinstance(t.shape, Unknown) and len(t.shape) == 1:
            ctx.equal(t.shape[0], x[1], size_mismatch(f"batch_norm: {key} has {fmt(t.shape[0])} elements but the "
                                                      f"input has {fmt(x[1])} channels", 0, 1, x[1], t.shape[0]))
    return Tensor(x)


def _group_norm(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if len(x) < 2:
        raise Invalid(Problem("rank", f"group_norm expects at least 2 dims (N, C, *), got {len(x)}", got=len(x),
                              expected="at least 2"))
    g = as_int(a["num_groups"], "num_groups", minimum=1)
    shapes.divisible(ctx, x[1], g, lambda: Problem(
        "size-mismatch", f"group_norm: the input's {fmt(x[1])} channels are not divisible by num_groups={g}",
        dim=1, got=x[1], expected=g))
    if isinstance(g, int):  # _verify_batch_size: more than one value per group
        values = floordiv(x[0] * x[1], g) * prod(x[2:])  # type: ignore[operator]
        ctx.positive(values - 1, lambda: Problem(  # type: ignore[operator]
            "too-small", f"group_norm: expected more than 1 value per group, got {fmt(values)}", got=values,
            expected="more than 1"))
    return Tensor(x)


def _embedding(ctx: Ctx, a: Args) -> Tensor:
    x, w = tensor_shape(a), tensor_shape(a, "weight")
    integer_indices("embedding", a["input"])
    check_rank(w, (2,), "embedding", operand=1)
    return Tensor((*x, w[1]))


def _one_hot(ctx: Ctx, a: Args) -> Tensor:
    n = as_int(a["num_classes"], "num_classes")
    if isinstance(n, int) and n < 0:
        raise Undecidable  # -1: inferred from the values
    return Tensor((*tensor_shape(a, "tensor"), n))


def _sdpa(ctx: Ctx, a: Args) -> Tensor:
    q, k, v = tensor_shape(a, "query"), tensor_shape(a, "key"), tensor_shape(a, "value")
    name = "scaled_dot_product_attention"
    for operand, t in enumerate((q, k, v)):
        if len(t) < 2:
            raise Invalid(Problem("rank", f"{name}: query, key and value need at least 2 dims (..., L, E)",
                                  operand=operand, got=len(t), expected="at least 2"))
    ctx.equal(k[-1], q[-1], size_mismatch(f"{name}: key's embedding size {fmt(k[-1])} differs from the query's "
                                          f"{fmt(q[-1])}", 1, len(k) - 1, k[-1], q[-1]))
    ctx.equal(v[-2], k[-2], size_mismatch(f"{name}: value's sequence length {fmt(v[-2])} differs from the key's "
                                          f"{fmt(k[-2])}", 2, len(v) - 2, v[-2], k[-2]))
    batch = shapes.broadcast(ctx, name, (q[:-2], k[:-2], v[:-2]))
    return Tensor((*batch, q[-2], v[-1]))


def _pixel(shuffle: bool) -> Rule:
    def rule(ctx: Ctx, a: Args) -> Tensor:
        if shuffle:
            factor = as_int(a["upscale_factor"], "upscale_factor", minimum=1)
            return Tensor(shapes.pixel_shuffle(ctx, "pixel_shuffle", tensor_shape(a), factor))
        return Tensor(shapes.pixel_unshuffle(ctx, "pixel_unshuffle", tensor_shape(a),
                                             as_int(a["downscale_factor"], "downscale_factor", minimum=1)))
    return rule


def _per_dims(nd: int) -> list[OpSpec]:
    return [
        *entries([F + f"conv{nd}d", f"torch.conv{nd}d"],
                 "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1", _conv_op(nd, False)),
        *entries([F + f"conv_transpose{nd}d", f"torch.conv_transpose{nd}d"],
                 "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
                 _conv_op(nd, True)),
        *entries([F + f"max_pool{nd}d", f"torch.max_pool{nd}d"],
                 "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False",
                 _pool_op("max", nd)),
        *entries([F + f"avg_pool{nd}d"] + (["torch.avg_pool1d"] if nd == 1 else []),
                 "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"
                 + (", divisor_override=None" if nd > 1 else ""), _pool_op("avg", nd)),
        *entries([F + f"adaptive_avg_pool{nd}d"], "input, output_size", _adaptive_op("avg", nd)),
        *entries([F + f"adaptive_max_pool{nd}d"], "input, output_size, return_indices=False", _adaptive_op("max", nd)),
    ]


SPECS: list[OpSpec] = [
    *(spec for nd in (1, 2, 3) for spec in _per_dims(nd)),
    *entries([F + "interpolate"], "input, size=None, scale_factor=None, mode='nearest', align_corners=None, "
             "recompute_scale_factor=None, antialias=False", _interpolate),
    *entries([F + "upsample"], "input, size=None, scale_factor=None, mode='nearest', align_corners=None",
             _interpolate),
    *entries([F + "pad"], "input, pad, mode='constant', value=None", _pad),
    *entries([F + "layer_norm"], "input, normalized_shape, weight=None, bias=None, eps=1e-05", _layer_norm),
    *entries([F + "batch_norm"], "input, running_mean, running_var, weight=None, bias=None, training=False, "
             "momentum=0.1, eps=1e-05", _batch_norm),
    *entries([F + "group_norm"], "input, num_groups, weight=None, bias=None, eps=1e-05", _group_norm),
    *entries([F + "embedding"], "input, weight, padding_idx=None, max_norm=None, norm_type=2.0, "
             "scale_grad_by_freq=False, sparse=False", _embedding),
    *entries([F + "one_hot"], "tensor, num_classes=-1", _one_hot),
    *entries([F + "scaled_dot_product_attention"], "query, key, value, attn_mask=None, dropout_p=0.0, "
             "is_causal=False, scale=None, enable_gqa=False", _sdpa),
    *entries([F + "pixel_shuffle", "torch.pixel_shuffle"], "input, upscale_factor", _pixel(True)),
    *entries([F + "pixel_unshuffle", "torch.pixel_unshuffle"], "input, downscale_factor", _pixel(False)),
]
