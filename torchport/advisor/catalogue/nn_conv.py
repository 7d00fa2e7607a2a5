"""Convolutions (plain, transposed, lazy) and pooling (max, avg, LP, adaptive), 1d to 3d."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Problem,
    Tensor,
    as_bool,
    as_int,
    as_tuple,
    invalid,
    need,
    shape_of,
)
from torchport.advisor.catalogue.layer import (
    FACTORY,
    Args,
    Constraint,
    CountRule,
    LayerSpec,
    OutputRule,
    Validate,
    checked_arg,
    input_shape,
    size_arg,
)
from torchport.advisor.dims import UNKNOWN, Dim, exact_div, fmt, prod


_CONV_INIT = ("in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, "
              f"padding_mode='zeros', {FACTORY}")


_TCONV_INIT = ("in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, "
               f"dilation=1, padding_mode='zeros', {FACTORY}")


_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _conv_validate(nd: int, transposed: bool, lazy: bool) -> Validate:
    def validate(a: Args) -> None:
        groups = as_int(a["groups"], "groups")
        if isinstance(groups, int) and groups < 1:
            raise invalid("groups must be a positive integer", "groups", groups, 1)
        names = ("out_channels",) if lazy else ("in_channels", "out_channels")
        for n in names:
            c = a[n]
            if isinstance(c, int) and isinstance(groups, int) and c % groups:
                raise invalid(f"{n}={c} must be divisible by groups={groups}", n, c, groups)
        padding = a["padding"]
        if isinstance(padding, str):
            if transposed or padding not in ("same", "valid"):
                message = ("ConvTranspose does not accept padding strings" if transposed
                           else f"invalid padding string {padding!r}, should be one of ('valid', 'same')")
                raise invalid(message, "padding", padding)
            if padding == "same" and any(s != 1 for s in as_tuple(a["stride"], nd, "stride")):
                raise invalid("padding='same' is not supported for strided convolutions: use stride=1 or "
                              "an explicit padding", "padding", padding)
        mode = a["padding_mode"]
        if isinstance(mode, str) and mode not in _PADDING_MODES:
            raise invalid(f"padding_mode must be one of {_PADDING_MODES}, got {mode!r}", "padding_mode", mode)
        if transposed and isinstance(mode, str) and mode != "zeros":
            raise invalid(f"Only 'zeros' padding mode is supported for ConvTranspose{nd}d", "padding_mode", mode)
        for n in ("kernel_size", "stride", "dilation"):
            as_tuple(a[n], nd, n, minimum=1)
        if not isinstance(padding, str):
            as_tuple(padding, nd, "padding", minimum=0)
    return validate


def _conv_out(nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}Conv{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        cdim = shapes.spatial_input(name, x, nd)
        in_channels = x[cdim] if lazy else checked_arg(a, "in_channels")
        if lazy:
            _lazy_groups(ctx, name, in_channels, a)
        padding = a["padding"]
        pads = padding if isinstance(padding, str) else as_tuple(padding, nd, "padding")
        mode = need(a["padding_mode"])
        return Tensor(shapes.conv(ctx, name, x, nd, in_channels, size_arg(a, "out_channels"),
                                  as_tuple(a["kernel_size"], nd, "kernel_size"), as_tuple(a["stride"], nd, "stride"),
                                  pads, as_tuple(a["dilation"], nd, "dilation"), padding_mode=mode))
    return out


def _conv_count(nd: int, lazy: bool, transposed: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        if lazy:
            s = shape_of(x)
            in_c = need(s[len(s) - nd - 1]) if len(s) in (nd + 1, nd + 2) else need(UNKNOWN)
        else:
            in_c = size_arg(a, "in_channels")
        out_c, groups = size_arg(a, "out_channels"), size_arg(a, "groups", 1)
        k = prod(as_tuple(a["kernel_size"], nd, "kernel_size"))
        per = exact_div(out_c if transposed else in_c, groups)
        weight = (in_c if transposed else out_c) * need(per) * k  # type: ignore[operator]
        return weight + (out_c if as_bool(a["bias"]) else 0), 0
    return count


def _tconv_out(nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}ConvTranspose{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        cdim = shapes.spatial_input(name, x, nd)
        in_channels = x[cdim] if lazy else checked_arg(a, "in_channels")
        if lazy:
            _lazy_groups(ctx, name, in_channels, a)
        return Tensor(shapes.conv_transpose(
            ctx, name, x, nd, in_channels, size_arg(a, "out_channels"), as_tuple(a["kernel_size"], nd, "kernel_size"),
            as_tuple(a["stride"], nd, "stride"), as_tuple(a["padding"], nd, "padding"),
            as_tuple(a["output_padding"], nd, "output_padding"), as_tuple(a["dilation"], nd, "dilation"),
            output_size=f["output_size"]))
    return out


def _lazy_groups(ctx: Ctx, name: str, in_channels: Dim, a: Args) -> None:
    """A lazy conv learns in_channels from its input, which groups must divide."""
    groups = a["groups"]
    shapes.divisible(ctx, in_channels, groups, lambda: Problem(
        "invalid-arg", f"{name}: the input's {fmt(in_channels)} channels must be divisible by groups={groups}",
        arg="groups", got=groups, expected=in_channels))


def _conv(nd: int, *, transposed: bool = False, lazy: bool = False) -> LayerSpec:
    init = _TCONV_INIT if transposed else _CONV_INIT
    if lazy:
        init = init.replace("in_channels, ", "")
    kind = "ConvTranspose" if transposed else "Conv"
    return LayerSpec(
        f"torch.nn.{'Lazy' if lazy else ''}{kind}{nd}d", init, "input, output_size=None" if transposed else "input",
        (_tconv_out if transposed else _conv_out)(nd, lazy), _conv_count(nd, lazy, transposed),
        _conv_validate(nd, transposed, lazy),
        () if lazy else (Constraint("in_channels", 0, -(nd + 1)),), lazy,
    )


def _pool_args(a: Args, nd: int, *, dilation: bool) -> tuple[Any, ...]:
    kernel = as_tuple(a["kernel_size"], nd, "kernel_size", minimum=1, allow_single=True)
    stride = kernel if a["stride"] is None else as_tuple(a["stride"], nd, "stride", allow_single=True)
    padding = as_tuple(a.get("padding", 0), nd, "padding", minimum=0, allow_single=True)
    dil = as_tuple(a["dilation"], nd, "dilation", minimum=1, allow_single=True) if dilation else (1,) * nd
    return kernel, stride, padding, dil, as_bool(a["ceil_mode"])


def _pool_out(kind: str, nd: int) -> OutputRule:
    name = f"{kind}Pool{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = input_shape(f)
        if kind == "LP" and nd == 1 and isinstance(a["kernel_size"], (tuple, list)):
            raise invalid("LPPool1d: kernel_size must be an int (lp_pool1d multiplies by it)", "kernel_size")
        # avg_pool3d (also under LPPool3d) wants every spatial size >= the kernel, padding aside
        y = Tensor(shapes.pool(ctx, name, x, nd, *_pool_args(a, nd, dilation=kind == "Max"),
                               input_at_least_kernel=nd == 3 and kind != "Max"))
        if kind == "Max" and as_bool(a["return_indices"]):
            return (y, y)
        return y
    return out


def _pool(kind: str, nd: int) -> LayerSpec:
    init = {
        "Max": "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
        "Avg": "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"
               + (", divisor_override=None" if nd > 1 else ""),
        "LP": "norm_type, kernel_size, stride=None, ceil_mode=False",
    }[kind]
    return LayerSpec(f"torch.nn.{kind}Pool{nd}d", init, "input", _pool_out(kind, nd))


def _adaptive_out(kind: str, nd: int) -> OutputRule:
    name = f"Adaptive{kind}Pool{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        size = need(a["output_size"])
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd or (nd == 1 and None in sizes):
            raise invalid(f"{name}: output_size must be an int or a tuple of {nd}", "output_size", size)
        y = Tensor(shapes.adaptive(name, input_shape(f), nd, sizes))
        return (y, y) if kind == "Max" and as_bool(a["return_indices"]) else y
    return out


def _adaptive(kind: str, nd: int) -> LayerSpec:
    init = "output_size" + (", return_indices=False" if kind == "Max" else "")
    return LayerSpec(f"torch.nn.Adaptive{kind}Pool{nd}d", init, "input", _adaptive_out(kind, nd))


SPECS: list[LayerSpec] = [
    spec
    for nd in (1, 2, 3)
    for spec in (
        _conv(nd), _conv(nd, lazy=True), _conv(nd, transposed=True), _conv(nd, transposed=True, lazy=True),
        *(_pool(kind, nd) for kind in ("Max", "Avg", "LP")),
        *(_adaptive(kind, nd) for kind in ("Avg", "Max")),
    )
]
