"""Shape functions shared by layers (`nn.Conv2d`) and their functional forms (`F.conv2d`).

Each takes a `Ctx`, the input shape(s) and plain parameters (ints or Dims), returns the output shape
and raises `Invalid` for a definite error, with formulas as torch 2.13 computes them
(aten/src/ATen/native/Pool.h `pooling_output_shape`, ConvUtils.h, Upsample.h, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Shape,
    Undecidable,
    arg_mismatch,
    check_rank,
    invalid,
    need,
    norm_dim,
    size_mismatch,
    too_small,
)
from torchport.advisor.dims import (
    UNKNOWN,
    Dim,
    Expr,
    Relation,
    Unknown,
    compare,
    ceildiv,
    exact_div,
    floordiv,
    fmt,
    fmt_shape,
    is_dim,
    prod,
    sign,
)


def linear(ctx: Ctx, name: str, x: Shape, in_features: Dim, out_features: Dim, arg: str = "in_features",
           operand: int = 0) -> Shape:
    """(*, in_features) -> (*, out_features)."""
    if not x:
        raise Invalid(Problem("rank", f"{name} expects an input with at least 1 dim, got a 0-d one",
                              operand=operand, got=0, expected="at least 1"))
    last = len(x) - 1
    out = (*x[:-1], out_features)
    ctx.equal(in_features, x[-1], arg_mismatch(name, arg, in_features, x[-1], operand, last, " (features)"),
              defer=True)
    return out


def channels(ctx: Ctx, name: str, x: Shape, dim: int, value: Dim, arg: str, operand: int = 0) -> None:
    """The input's dim `dim` (non-negative) must equal argument `arg`."""
    ctx.equal(value, x[dim], arg_mismatch(name, arg, value, x[dim], operand, dim, " (channels)"), defer=True)


def divisible(ctx: Ctx, size: Dim, divisor: Dim, problem: Callable[[], Problem]) -> None:
    """Require divisor | size (a positive int divisor): an error, or a constraint for symbols."""
    if isinstance(divisor, int) and divisor > 0:
        ctx.equal(floordiv(size, divisor) * divisor, size, problem)  # type: ignore[operator]


def spatial_input(name: str, x: Shape, nd: int, operand: int = 0) -> int:
    """Check an (N, C, *spatial) or unbatched (C, *spatial) input; return the channel dim index."""
    check_rank(x, (nd + 1, nd + 2), name, operand)
    return len(x) - nd - 1


def conv_out(size: Dim, kernel: Dim, stride: Dim, padding: Dim, dilation: Dim) -> Dim:
    return floordiv(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1  # type: ignore[operator]


def conv(
    ctx: Ctx,
    name: str,
    x: Shape,
    nd: int,
    in_channels: Dim,
    out_channels: Dim,
    kernel: Sequence[Dim],
    stride: Sequence[Dim],
    padding: Sequence[Dim] | str,
    dilation: Sequence[Dim],
    *,
    channel_arg: str = "in_channels",
    padding_mode: str = "zeros",
) -> Shape:
    """Conv{nd}d; `in_channels` is what the input's channel dim must be (in_channels, or weight.shape[1]*groups)."""
    cdim = spatial_input(name, x, nd)
    channels(ctx, name, x, cdim, in_channels, channel_arg)
    sizes = x[cdim + 1:]
    if padding == "same":  # torch pads d*(k-1) in all, the odd one on the right
        out_sizes = tuple(sizes)
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]  # type: ignore[operator]
        sides = [(total // 2, total - total // 2) for total in totals]
    else:
        pads = (0,) * nd if padding == "valid" else padding
        out_sizes = tuple(conv_out(L, k, s, p, d) for L, k, s, p, d in zip(sizes, kernel, stride, pads, dilation))
        sides = [(p, p) for p in pads]
        for i, size in enumerate(out_sizes):
            ctx.positive(size, too_small(name, cdim + 1 + i, size))
    if padding_mode in ("reflect", "circular"):
        for i, (L, (left, right)) in enumerate(zip(sizes, sides)):
            for p in (left, right):
                wrap_limit(ctx, name, padding_mode, L, p, cdim + 1 + i)
    return (*x[:cdim], out_channels, *out_sizes)


def wrap_limit(ctx: Ctx, name: str, mode: str, size: Dim, pad: Dim, dim: int) -> None:
    """Reflect padding must be smaller than the input size, circular padding at most that size."""
    limit = size - pad if mode == "reflect" else size - pad + 1  # type: ignore[operator]
    rule = "be smaller than" if mode == "reflect" else "not exceed"
    ctx.positive(limit, lambda: Problem("too-small", f"{name}: {mode} padding {fmt(pad)} must {rule} the input size "
                                                     f"{fmt(size)} of dim {dim}", dim=dim, got=size, expected=pad))


def conv_transpose(
    ctx: Ctx,
    name: str,
    x: Shape,
    nd: int,
    in_channels: Dim,
    out_channels: Dim,
    kernel: Sequence[Dim],
    stride: Sequence[Dim],
    padding: Sequence[Dim],
    output_padding: Sequence[Dim],
    dilation: Sequence[Dim],
    *,
    channel_arg: str = "in_channels",
    output_size: Any = None,
) -> Shape:
    """ConvTranspose{nd}d: (L - 1)*s - 2p + d(k - 1) + output_padding + 1 per spatial dim; a forward
    `output_size` chooses the output padding instead (torch's `_output_padding`)."""
    cdim = spatial_input(name, x, nd)
    if output_size is not None:
        output_padding = _padding_for_size(ctx, name, x[cdim + 1:], kernel, stride, padding, dilation, output_size)
    for op, s, d in zip(output_padding, stride, dilation):
        if all(isinstance(v, int) for v in (op, s, d)) and not op < max(s, d):  # type: ignore[operator]
            raise invalid(f"{name}: output_padding={op} must be smaller than either stride ({s}) or dilation ({d})",
                          "output_padding", op, max(s, d))  # type: ignore[type-var]
    channels(ctx, name, x, cdim, in_channels, channel_arg)
    out_sizes = tuple((L - 1) * s - 2 * p + d * (k - 1) + op + 1  # type: ignore[operator]
                      for L, k, s, p, op, d in zip(x[cdim + 1:], kernel, stride, padding, output_padding, dilation))
    for i, size in enumerate(out_sizes):
        ctx.positive(size + 1, too_small(name, cdim + 1 + i, size))
    if 0 in out_sizes:  # torch's kernels accept or reject a zero-size output depending on the path
        raise Undecidable
    return (*x[:cdim], out_channels, *out_sizes)


def _padding_for_size(ctx: Ctx, name: str, sizes: Shape, kernel: Sequence[Dim], stride: Sequence[Dim],
                      padding: Sequence[Dim], dilation: Sequence[Dim], output_size: Any) -> tuple[Dim, ...]:
    """The output padding that makes a transposed conv give `output_size` (spatial, or with leading dims)."""
    wanted = tuple(need(output_size)) if isinstance(output_size, (tuple, list)) else need(output_size)
    if not isinstance(wanted, tuple):
        raise Undecidable
    nd = len(sizes)
    if len(wanted) > nd:
        wanted = wanted[len(wanted) - nd:] if len(wanted) in (nd + 1, nd + 2) else wanted
    if len(wanted) != nd:
        raise invalid(f"{name}: output_size must have {nd} or {nd + 2} elements (got {len(wanted)})", "output_size",
                      len(wanted), nd)
    paddings = []
    for i, (L, k, s, p, d, size) in enumerate(zip(sizes, kernel, stride, padding, dilation, wanted)):
        if not is_dim(size):
            raise Undecidable
        smallest = (L - 1) * s - 2 * p + d * (k - 1) + 1  # type: ignore[operator]
        largest = smallest + s - 1  # type: ignore[operator]
        def problem(i: int = i, size: Dim = size, low: Dim = smallest, high: Dim = largest) -> Problem:
            return Problem("invalid-arg", f"{name}: requested an output size of {fmt(size)} for spatial dim {i}, "
                                          f"but valid sizes range from {fmt(low)} to {fmt(high)}",
                           arg="output_size", got=size, expected=(low, high))
        ctx.positive(size - smallest + 1, problem)  # type: ignore[operator]
        ctx.positive(largest - size + 1, problem)  # type: ignore[operator]
        paddings.append(size - smallest)  # type: ignore[operator]
    return tuple(paddings)


def pool_out(size: Dim, kernel: Dim, stride: Dim, padding: Dim, dilation: Dim, ceil_mode: bool) -> Dim:
    """torch's pooling_output_shape, including ceil_mode's "last window must start inside" rule."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1  # type: ignore[operator]
    if not ceil_mode:
        return floordiv(span, stride) + 1  # type: ignore[operator]
    out = ceildiv(span, stride) + 1  # type: ignore[operator]
    # the last window must start inside the input or its left padding: drop it otherwise
    overshoot = (out - 1) * stride - (size + padding)  # type: ignore[operator]
    if isinstance(overshoot, Unknown):
        return UNKNOWN
    s = sign(overshoot + 1)
    if s == 1:  # overshoot >= 0 for every value
        return out - 1  # type: ignore[operator]
    if s == -1:
        return out
    return UNKNOWN


def pool(
    ctx: Ctx,
    name: str,
    x: Shape,
    nd: int,
    kernel: Sequence[Dim],
    stride: Sequence[Dim],
    padding: Sequence[Dim],
    dilation: Sequence[Dim],
    ceil_mode: bool,
    *,
    input_at_least_kernel: bool = False,
) -> Shape:
    """Max/avg pooling: channels kept, spatial dims by pool_out."""
    cdim = spatial_input(name, x, nd)
    if input_at_least_kernel:
        for i, (L, k) in enumerate(zip(x[cdim + 1:], kernel)):
            ctx.positive(L - k + 1, lambda i=i, L=L, k=k: Problem(  # type: ignore[misc]
                "too-small", f"{name}: the input size {fmt(L)} of dim {cdim + 1 + i} is smaller than the kernel "
                             f"size {fmt(k)}", dim=cdim + 1 + i, got=L, expected=k))
    for k, p in zip(kernel, padding):
        if isinstance(k, int) and isinstance(p, int) and p > k // 2:
            raise invalid(f"{name}: padding={p} must be at most half of kernel_size={k}", "padding", p, k // 2)
    for s in stride:
        if isinstance(s, int) and s < 1:
            raise invalid(f"{name}: stride must be positive, got {s}", "stride", s, 1)
    windows = zip(x[cdim + 1:], kernel, stride, padding, dilation)
    out_sizes = tuple(pool_out(L, k, s, p, d, ceil_mode) for L, k, s, p, d in windows)
    for i, size in enumerate(out_sizes):
        ctx.positive(size, too_small(name, cdim + 1 + i, size))
    return (*x[:cdim + 1], *out_sizes)


def adaptive(name: str, x: Shape, nd: int, output_size: Sequence[Any]) -> Shape:
    """Adaptive pooling: spatial dims become output_size (None keeps the input's)."""
    cdim = spatial_input(name, x, nd)
    sizes = tuple(L if o is None else o for L, o in zip(x[cdim + 1:], output_size))
    for o in sizes:
        if isinstance(o, int) and o < 0:
            raise invalid(f"{name}: output_size elements must be non-negative, got {o}", "output_size", o, 0)
    return (*x[:cdim + 1], *sizes)


def trailing(ctx: Ctx, name: str, x: Shape, normalized: Sequence[Dim], arg: str = "normalized_shape") -> None:
    """LayerNorm/RMSNorm: the input's trailing dims must equal normalized_shape."""
    n = len(normalized)
    if len(x) < n:
        raise Invalid(Problem("rank", f"{name}: the input has {len(x)} dims, fewer than {arg}={tuple(normalized)}",
                              got=len(x), expected=n))
    offset = len(x) - n
    for i, (want, have) in enumerate(zip(normalized, x[offset:])):
        ctx.equal(want, have, lambda i=i, want=want, have=have: Problem(  # type: ignore[misc]
            "arg-mismatch",
            f"{name}: {arg}={fmt_shape(tuple(normalized))} but the input's trailing dims are "
            f"{fmt_shape(tuple(x[offset:]))}: {arg} should be {fmt_shape(tuple(x[offset:]))}",
            arg=arg, operand=0, dim=offset + i, got=want, expected=have), defer=True)


def flatten(x: Shape, start: Any, end: Any, name: str = "flatten") -> Shape:
    if not x:  # a 0-d tensor flattens to (1,); its dims are -1 and 0
        norm_dim(start, 0, name="start_dim")
        norm_dim(end, 0, name="end_dim")
        return (1,)
    s = norm_dim(start, len(x), name="start_dim")
    e = norm_dim(end, len(x), name="end_dim")
    if s > e:
        raise Invalid(Problem("dim-range", f"{name}: start_dim ({s}) comes after end_dim ({e})", arg="start_dim",
                              got=s, expected=e))
    return (*x[:s], prod(x[s:e + 1]), *x[e + 1:])


def infer_sizes(ctx: Ctx, name: str, total: Dim, sizes: Sequence[Any], what: str) -> tuple[Dim, ...]:
    """Resolve one -1 among `sizes` so that they multiply to `total`; check the count otherwise."""
    sizes = tuple(sizes)
    if any(isinstance(s, Unknown) for s in sizes):
        raise Undecidable
    holes = [i for i, s in enumerate(sizes) if isinstance(s, int) and s == -1]
    if len(holes) > 1:
        raise invalid(f"{name}: only one dimension can be inferred (-1), got {len(holes)}", what)
    for s in sizes:
        if isinstance(s, int) and s < -1:
            raise invalid(f"{name}: invalid size {s}", what, s)
    known = prod(s for s in sizes if not (isinstance(s, int) and s == -1))
    if not holes:
        ctx.equal(known, total, lambda: Problem(
            "element-count",
            f"{name}: {what} {fmt_shape(sizes)} has {fmt(known)} elements but the input has {fmt(total)}",
            arg=what, got=known, expected=total))
        return sizes
    if isinstance(known, int) and known == 0:
        raise invalid(f"{name}: cannot infer -1 with a zero-sized dimension in {what}", what)
    missing = exact_div(total, known)
    if isinstance(missing, Unknown):
        if isinstance(total, int) and isinstance(known, int):
            raise Invalid(Problem(
                "element-count",
                f"{name}: {what} {fmt_shape(sizes)} cannot hold the input's {total} elements: "
                f"{total} is not a multiple of {known}", arg=what, got=known, expected=total))
        missing = _divisible_quotient(ctx, name, total, known, sizes, what)
    return tuple(missing if i == holes[0] else s for i, s in enumerate(sizes))


def _divisible_quotient(ctx: Ctx, name: str, total: Dim, known: Dim, sizes: Sequence[Dim], what: str) -> Dim:
    """total / known with symbols when it is exact for some values only: a divisibility constraint."""
    if isinstance(known, int) and isinstance(total, Expr):
        quotient = floordiv(total, known)
        ctx.equal(quotient * known, total, lambda: Problem(  # type: ignore[operator]
            "element-count",
            f"{name}: {what} {fmt_shape(tuple(sizes))} needs the element count {fmt(total)} to be a multiple of "
            f"{known}",
            arg=what, got=known, expected=total))
        return quotient
    raise Undecidable


def unflatten(ctx: Ctx, x: Shape, dim: Any, sizes: Sequence[Any], name: str = "unflatten") -> Shape:
    d = norm_dim(dim, len(x), scalar_ok=False)
    new = infer_sizes(ctx, name, x[d], sizes, "unflattened_size")
    return (*x[:d], *new, *x[d + 1:])


def pad(ctx: Ctx, name: str, x: Shape, pads: Sequence[Dim], mode: str) -> Shape:
    """F.pad: pairs (left, right) from the last dim backwards."""
    if len(pads) % 2:
        raise invalid(f"{name}: padding length must be divisible by 2, got {len(pads)}", "pad", len(pads))
    n = len(pads) // 2
    if n > len(x):
        raise invalid(f"{name}: padding length {len(pads)} is too large for a {len(x)}-d input", "pad", len(pads))
    if mode != "constant":
        if len(x) not in (n + 1, n + 2) or n > 3:
            raise Invalid(Problem("rank", f"{name}: {mode} padding of {n} dims needs a {n + 1}-d or {n + 2}-d input, "
                                          f"got {len(x)}-d", got=len(x), expected=(n + 1, n + 2)))
    out = list(x)
    for i in range(n):
        left, right = pads[2 * i], pads[2 * i + 1]
        d = len(x) - 1 - i
        size = x[d]
        if mode in ("reflect", "circular"):
            for p in (left, right):
                wrap_limit(ctx, name, mode, size, p, d)
        out[d] = size + left + right  # type: ignore[operator]
        ctx.positive(out[d], too_small(name, d, out[d]))
    return tuple(out)


_LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(ctx: Ctx, name: str, x: Shape, size: Any, scale_factor: Any, mode: str, align_corners: Any) -> Shape:
    """F.interpolate / nn.Upsample: spatial dims become size, or floor(L * scale_factor)."""
    if len(x) not in (3, 4, 5):
        raise Invalid(Problem("rank", f"{name} expects a 3-d, 4-d or 5-d input (N, C, *spatial), got {len(x)}-d",
                              got=len(x), expected=(3, 4, 5)))
    nd = len(x) - 2
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != nd:
        wanted = _LINEAR_MODES[mode] + 2
        raise Invalid(Problem("rank", f"{name}: mode '{mode}' needs a {wanted}-d input, got {len(x)}-d",
                              got=len(x), expected=wanted))
    if mode not in _LINEAR_MODES and align_corners is not None and not isinstance(align_corners, Unknown):
        raise invalid(f"{name}: align_corners only works with linear modes, not '{mode}'", "align_corners")
    if isinstance(size, Unknown) or isinstance(scale_factor, Unknown):
        raise Undecidable
    if (size is None) == (scale_factor is None):
        raise invalid(f"{name}: exactly one of size and scale_factor must be given", "size")
    if size is not None:
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd:
            raise invalid(f"{name}: size must have {nd} elements for a {len(x)}-d input, got {len(sizes)}", "size")
        return (*x[:2], *sizes)
    scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * nd
    if len(scales) != nd:
        raise invalid(f"{name}: scale_factor must have {nd} elements for a {len(x)}-d input", "scale_factor")
    out = tuple(_scale(L, s) for L, s in zip(x[2:], scales))
    for i, size in enumerate(out):
        ctx.positive(size, lambda i=i, size=size: Problem(  # type: ignore[misc]
            "too-small", f"{name}: scale_factor {scales[i]} gives an output size of {fmt(size)} for dim {2 + i}",
            dim=2 + i, got=size, expected=1))
    return (*x[:2], *out)


_MAX_SCALE_DENOMINATOR = 1024  # 0.5, 1.5, 0.25...: exact in binary, so floor(L*s) == (L*p)//q exactly


def _scale(size: Dim, scale: Any) -> Dim:
    """floor(float(size) * scale), as torch computes the output size."""
    if isinstance(scale, Unknown) or isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise Undecidable
    if isinstance(size, int):
        return math.floor(float(size) * float(scale))
    p, q = float(scale).as_integer_ratio()
    if q <= _MAX_SCALE_DENOMINATOR:
        return floordiv(size * p, q)  # type: ignore[operator]
    return UNKNOWN


def pixel_shuffle(ctx: Ctx, name: str, x: Shape, r: Dim) -> Shape:
    if len(x) < 3:
        raise Invalid(Problem("rank", f"{name} expects at least 3 dims (*, C, H, W), got {len(x)}", got=len(x),
                              expected="at least 3"))
    c = x[-3]
    out_c = exact_div(c, r * r)  # type: ignore[operator]
    if isinstance(out_c, Unknown):
        if isinstance(c, int) and isinstance(r, int):
            raise Invalid(Problem("size-mismatch", f"{name}: the channel dim {c} is not divisible by "
                                                   f"upscale_factor**2 = {r * r}", dim=len(x) - 3, got=c,
                                  expected=r * r))
        raise Undecidable
    return (*x[:-3], out_c, x[-2] * r, x[-1] * r)  # type: ignore[operator]


def pixel_unshuffle(ctx: Ctx, name: str, x: Shape, r: Dim) -> Shape:
    if len(x) < 3:
        raise Invalid(Problem("rank", f"{name} expects at least 3 dims (*, C, H, W), got {len(x)}", got=len(x),
                              expected="at least 3"))
    out = []
    for d in (-2, -1):
        q = exact_div(x[d], r)
        if isinstance(q, Unknown):
            if isinstance(x[d], int) and isinstance(r, int):
                raise Invalid(Problem("size-mismatch", f"{name}: dim {len(x) + d} ({x[d]}) is not divisible by "
                                                       f"downscale_factor {r}", dim=len(x) + d, got=x[d], expected=r))
            raise Undecidable
        out.append(q)
    return (*x[:-3], x[-3] * r * r, *out)  # type: ignore[operator]


def broadcast(ctx: Ctx, name: str, shapes: Sequence[Shape]) -> Shape:
    """NumPy broadcasting; two known unequal dims, neither 1, are an error."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[Dim] = []
    for i in range(rank):
        dim: Dim = 1
        first = None
        for operand, shape in enumerate(shapes):
            j = len(shape) - rank + i
            if j < 0:
                continue
            d = shape[j]
            if isinstance(d, int) and d == 1:
                continue
            if isinstance(dim, int) and dim == 1:
                dim, first = d, (operand, j)
                continue
            if isinstance(d, Unknown) or isinstance(dim, Unknown):
                dim = dim if isinstance(d, Unknown) else d
                continue
            problem = size_mismatch(
                f"{name}: cannot broadcast operand {operand}'s dim {j} ({fmt(d)}) against operand "
                f"{first[0] if first else 0}'s {fmt(dim)}", operand, j, d, dim)
            dim = meet(ctx, dim, d, problem)
        out.append(dim)
    return tuple(out)


def meet(ctx: Ctx, a: Dim, b: Dim, problem: Callable[[], Problem]) -> Dim:
    """The dim two broadcast dims give (neither is the literal 1): equal, or one of them 1."""
    a_one, b_one = _may_be_one(a), _may_be_one(b)
    if a_one and b_one:  # either may be 1: the result is one of them, or an error
        return a if compare(a, b).relation is Relation.EQUAL else UNKNOWN
    if a_one:  # H against 5: valid when H == 5 or H == 1
        ctx.broadcastable(a, b, problem)
        return b
    if b_one:
        ctx.broadcastable(b, a, problem)
        return a
    ctx.equal(b, a, problem)
    return b if isinstance(b, int) else a


def _may_be_one(d: Dim) -> bool:
    return isinstance(d, Expr) and sign(d - 1) != 1


_REDUCTIONS = ("none", "mean", "sum")


def reduced(name: str, out: Shape, reduction: Any) -> Shape:
    """A loss's output: per element with reduction='none', else a 0-d tensor."""
    reduction = need(reduction)
    if reduction not in _REDUCTIONS:
        raise invalid(f"{name}: {reduction!r} is not a valid value for reduction ('none', 'mean' or 'sum')",
                      "reduction", reduction)
    return out if reduction == "none" else ()


def pointwise_loss(ctx: Ctx, name: str, x: Shape, t: Shape, reduction: Any, same_size: bool) -> Shape:
    """MSE/L1-like losses broadcast input against target (torch warns); the BCE losses want equal sizes."""
    if not same_size:
        return reduced(name, broadcast(ctx, name, (x, t)), reduction)
    if len(t) != len(x):
        raise Invalid(Problem("size-mismatch", f"{name}: the target size {fmt_shape(t)} must be the same as the input "
                                               f"size {fmt_shape(x)}", operand=1, got=t, expected=x))
    for i, (a, b) in enumerate(zip(t, x)):
        ctx.equal(a, b, size_mismatch(f"{name}: the target size {fmt_shape(t)} must be the same as the input size "
                                      f"{fmt_shape(x)}", 1, i, a, b))
    return reduced(name, x, reduction)


def class_loss(ctx: Ctx, name: str, x: Shape, t: Shape, reduction: Any, probabilities: bool,
               integer_target: bool | None = None) -> Shape:
    """Cross-entropy-like losses: input (C) or (N, C, *d); target class indices shaped like the input without
    its class dim, or (cross_entropy only) class probabilities shaped like the input. `integer_target`:
    the target's dtype is an integer type (True), a float type (False) or unknown (None)."""
    accepts_probabilities = probabilities
    if integer_target is False and not probabilities:
        raise Invalid(Problem("dtype", f"{name} expects class indices (an int64 target), got a float target",
                              operand=1, got="float", expected="int64"))
    if integer_target is True and len(t) == len(x):
        probabilities = False  # same rank as the input but integers: meant as indices (a (N, 1) column...)
    if integer_target is False and probabilities and len(t) != len(x):
        raise Invalid(Problem("dtype", f"{name}: a float target is read as class probabilities, shaped like the "
                                       f"input {fmt_shape(x)}; class indices must be int64", operand=1,
                              got="float", expected="int64"))
    if not x:
        raise Invalid(Problem("rank", f"{name} expects an input of at least 1 dim (C) or (N, C, ...), got 0-d",
                              got=0, expected="at least 1"))
    cdim = 0 if len(x) == 1 else 1
    without = (*x[:cdim], *x[cdim + 1:])
    expected = x if probabilities and len(t) == len(x) else without
    if len(x) == 1 and len(t) == 1 and expected is without:  # torch also takes a (1,) target for a (C,) input
        if accepts_probabilities and not (isinstance(x[0], int) and x[0] != 1):
            raise Undecidable  # a (1,) input: cross_entropy reads the (1,) target as class probabilities
        ctx.equal(t[0], 1, size_mismatch(f"{name}: for a 1-d input, a 1-d target must have size 1, got "
                                         f"{fmt(t[0])}", 1, 0, t[0], 1))
        return reduced(name, without, reduction)
    if len(t) != len(expected):
        raise Invalid(Problem("rank", f"{name}: a target of shape {fmt_shape(t)} does not fit an input of shape "
                                      f"{fmt_shape(x)}: class indices are shaped {fmt_shape(without)}", operand=1,
                              got=len(t), expected=len(without)))
    for i, (a, b) in enumerate(zip(t, expected)):
        if expected is x:
            message = (f"{name}: a target of shape {fmt_shape(t)} fits neither class indices {fmt_shape(without)} "
                       f"nor class probabilities {fmt_shape(x)}")
        else:
            what = "batch size" if i == 0 and len(x) > 1 else f"dim {i}"
            message = f"{name}: the target's {what} is {fmt(a)}, the input's {fmt(b)}"
        ctx.equal(a, b, size_mismatch(message, 1, i, a, b))
    return reduced(name, without, reduction)
