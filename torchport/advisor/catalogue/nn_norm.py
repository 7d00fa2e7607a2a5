"""Normalisation layers: batch, instance (plain and lazy), layer, RMS, group, local response."""

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
    check_rank,
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
    check_sizes,
    checked_arg,
    input_shape,
    simple,
    size_arg,
)
from torchport.advisor.dims import Dim, floordiv, fmt, prod


_BN_INIT = f"num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, {FACTORY}, *, bias=True"


_IN_INIT = f"num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, {FACTORY}, *, bias=True"


_LAZY_NORM_INIT = f"eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, {FACTORY}, *, bias=True"


_NORM_RANKS = {("Batch", 1): (2, 3), ("Batch", 2): (4,), ("Batch", 3): (5,),
               ("Instance", 1): (2, 3), ("Instance", 2): (3, 4), ("Instance", 3): (4, 5)}


def _norm_out(kind: str, nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}{kind}Norm{nd}d"
    ranks = _NORM_RANKS[(kind, nd)]

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        check_rank(x, ranks, name)
        cdim = len(x) - nd - 1 if kind == "Instance" else 1
        # only per-channel tensors (affine weights, running statistics) make a mismatch an error;
        # a lazy layer takes num_features from dim 1, even for an unbatched InstanceNorm input
        features = x[1] if lazy else checked_arg(a, "num_features")
        if as_bool(a["affine"]) or as_bool(a["track_running_stats"]):
            shapes.channels(ctx, name, x, cdim, features, "num_features")
        if kind == "Instance" and not as_bool(a["track_running_stats"]) and prod(x[cdim + 1:]) == 1:
            # statistics over a single value, in training and evaluation alike
            raise Invalid(Problem("too-small", f"{name}: expected more than 1 spatial element, got "
                                               f"{fmt(prod(x[cdim + 1:]))}", dim=cdim + 1, got=1,
                                  expected="more than 1"))
        return Tensor(x)
    return out


def _norm_count(kind: str, nd: int, lazy: bool) -> CountRule:
    ranks = _NORM_RANKS[(kind, nd)]

    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        if lazy:
            s = shape_of(x)
            if len(s) not in ranks:
                raise Undecidable
            c = need(s[1])
        else:
            c = size_arg(a, "num_features")
        params = (c + (c if as_bool(a["bias"]) else 0)) if as_bool(a["affine"]) else 0
        buffers = 2 * c + 1 if as_bool(a["track_running_stats"]) else 0
        return params, buffers
    return count


def _norm(kind: str, nd: int, lazy: bool = False) -> LayerSpec:
    init = _LAZY_NORM_INIT if lazy else (_BN_INIT if kind == "Batch" else _IN_INIT)
    return LayerSpec(f"torch.nn.{'Lazy' if lazy else ''}{kind}Norm{nd}d", init, "input",
                     _norm_out(kind, nd, lazy), _norm_count(kind, nd, lazy),
                     None if lazy else check_sizes("num_features"),
                     () if lazy else (Constraint("num_features", 0, 1),), lazy)


def _shape_arg(a: Args, name: str = "normalized_shape") -> tuple[Dim, ...]:
    value = need(a[name])
    return tuple(as_int(v, name) for v in value) if isinstance(value, (tuple, list)) else (as_int(value, name),)


def _layer_norm_out(name: str, argument: str = "input") -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f, argument)
        shapes.trailing(ctx, name, x, _shape_arg(a))
        return Tensor(x)
    return out


def _layer_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    n = prod(_shape_arg(a))
    if not as_bool(a["elementwise_affine"]):
        return 0, 0
    return n + (n if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _rms_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    return (prod(_shape_arg(a)) if as_bool(a["elementwise_affine"]) else 0), 0


def _group_norm_validate(a: Args) -> None:
    g, c = a["num_groups"], a["num_channels"]
    if isinstance(g, int) and isinstance(c, int) and g > 0 and c % g:
        raise invalid(f"num_channels={c} must be divisible by num_groups={g}", "num_channels", c, g)


def _group_norm_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    if len(x) < 2:
        raise Invalid(Problem("rank", f"GroupNorm expects an input of at least 2 dims (N, C, *), got {len(x)}-d",
                              got=len(x), expected="at least 2"))
    groups = a["num_groups"]
    if as_bool(a["affine"]):  # the per-channel weight must match; without it only the grouping matters
        shapes.channels(ctx, "GroupNorm", x, 1, checked_arg(a, "num_channels"), "num_channels")
    shapes.divisible(ctx, x[1], groups, lambda: Problem(
        "size-mismatch", f"GroupNorm: the input's {fmt(x[1])} channels are not divisible by num_groups={groups}",
        dim=1, got=x[1], expected=groups))
    if isinstance(groups, int) and groups > 0:
        # F.group_norm's _verify_batch_size: (N*C//G) * prod(spatial) values must be more than one
        values = floordiv(x[0] * x[1], groups) * prod(x[2:])  # type: ignore[operator]
        ctx.positive(values - 1, lambda: Problem(  # type: ignore[operator]
            "too-small", f"GroupNorm: expected more than 1 value per group, got {fmt(values)}", got=values,
            expected="more than 1"))
    return Tensor(x)


def _group_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    c = size_arg(a, "num_channels")
    return ((c + (c if as_bool(a["bias"]) else 0)) if as_bool(a["affine"]) else 0), 0


def _lrn_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    if len(x) < 3:
        raise Invalid(Problem("rank", f"LocalResponseNorm expects at least 3 dims, got {len(x)}", got=len(x),
                              expected="at least 3"))
    return Tensor(x)


SPECS: list[LayerSpec] = [
    simple("LayerNorm", f"normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, {FACTORY}",
           _layer_norm_out("LayerNorm"), count=_layer_norm_count,
           constrains=(Constraint("normalized_shape", 0, "trailing"),)),
    simple("RMSNorm", f"normalized_shape, eps=None, elementwise_affine=True, {FACTORY}",
           _layer_norm_out("RMSNorm", "x"), forward="x", count=_rms_norm_count,
           constrains=(Constraint("normalized_shape", 0, "trailing"),)),
    simple("GroupNorm", f"num_groups, num_channels, eps=1e-05, affine=True, {FACTORY}, *, bias=True",
           _group_norm_out, count=_group_norm_count, validate=_group_norm_validate,
           constrains=(Constraint("num_channels", 0, 1),)),
    simple("LocalResponseNorm", "size, alpha=0.0001, beta=0.75, k=1.0", _lrn_out),
    *(_norm(kind, nd, lazy) for nd in (1, 2, 3) for kind in ("Batch", "Instance") for lazy in (False, True)),
]
