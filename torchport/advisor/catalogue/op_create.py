"""Tensor creation: zeros/ones/empty/rand(n), *_like, new_*, full, eye, linspace, arange."""

from __future__ import annotations

import math

from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
    as_int,
    invalid,
    need,
)
from torchport.advisor.catalogue.op import (
    T,
    Args,
    OpSpec,
    entries,
    size_list,
    tensor_shape,
)
from torchport.advisor.dims import UNKNOWN, Unknown, is_dim, sign


def _creation(ctx: Ctx, a: Args) -> Tensor:
    sizes = size_list(a["*args"], "size")
    for s in sizes:
        if isinstance(s, int) and s < 0:
            raise invalid(f"negative dimension {s}", "size", s)
    return Tensor(tuple(sizes))


def _like(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(tensor_shape(a))


def _new(ctx: Ctx, a: Args) -> Tensor:
    """x.new_zeros(size) and the like: the size given, whatever x's shape."""
    return _creation(ctx, {"*args": a["*args"]})


def _full(ctx: Ctx, a: Args) -> Tensor:
    return _creation(ctx, {"*args": (need(a["size"]),)})


def _eye(ctx: Ctx, a: Args) -> Tensor:
    n = as_int(a["n"], "n", minimum=0)
    m = n if a["m"] is None else as_int(a["m"], "m", minimum=0)
    return Tensor((n, m))


def _linspace(ctx: Ctx, a: Args) -> Tensor:
    return Tensor((as_int(a["steps"], "steps", minimum=0),))


def _arange(ctx: Ctx, a: Args) -> Tensor:
    """torch.arange(end) / (start, end) / (start, end, step): ceil((end - start) / step) elements."""
    positional = a["*args"]
    if len(positional) > 3:
        raise Invalid(Problem("bad-call", f"arange() takes at most 3 positional arguments ({len(positional)} given)"))
    named = dict(zip(("end",) if len(positional) == 1 else ("start", "end", "step"), positional))
    start, end, step = (named.get(k, a.get(k, default)) for k, default in (("start", 0), ("end", UNKNOWN), ("step", 1)))
    if any(isinstance(v, Unknown) for v in (start, end, step)):
        raise Undecidable
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (start, end, step)):
        if step == 0:
            raise invalid("arange: step must be nonzero", "step", step)
        count = math.ceil((end - start) / step)
        if (end - start) * step < 0:
            raise invalid(f"arange: upper bound and larger bound inconsistent with step sign ({start}, {end}, {step})",
                          "end", end)
        return Tensor((count,))
    if isinstance(step, int) and step == 1 and is_dim(start) and is_dim(end):
        length = end - start  # type: ignore[operator]
        if sign(length + 1) == 1:  # end >= start for every value of the symbols
            return Tensor((length,))
    raise Undecidable


_LIKE = ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "full_like")

SPECS: list[OpSpec] = [
    *entries(["torch.zeros", "torch.ones", "torch.empty", "torch.rand", "torch.randn"], "*args, **kwargs", _creation),
    *entries(["torch." + n for n in _LIKE], "input, *args, **kwargs", _like),
    *entries([T + n for n in ("new_zeros", "new_ones", "new_empty")], "input, *args, **kwargs", _new),
    *entries(["torch.full"], "size, fill_value, **kwargs", _full),
    *entries([T + "new_full"], "input, size, fill_value, **kwargs", _full),
    *entries(["torch.eye"], "n, m=None, **kwargs", _eye),
    *entries(["torch.linspace", "torch.logspace"], "start, end, steps, *args, **kwargs", _linspace),
    *entries(["torch.arange"], "*args, **kwargs", _arange),
]
