"""Reductions over dims: sum, mean, amax, max/min (values and indices), argmax, std, norm..."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Tensor,
    as_bool,
    shape_of,
)
from torchport.advisor.catalogue.op import (
    T,
    Args,
    OpSpec,
    dims_arg,
    entries,
    reduced_shape,
    tensor_shape,
)


def _reduction(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    dims = dims_arg(a["dim"], len(x))
    return Tensor(reduced_shape(x, dims, as_bool(a.get("keepdim", False))))


def _max_like(ctx: Ctx, a: Args) -> Any:
    """max/min: no dim -> 0-d; a dim -> (values, indices); a tensor `other` -> elementwise."""
    x = tensor_shape(a)
    other = a["dim"]
    if isinstance(other, Tensor):
        return Tensor(shapes.broadcast(ctx, "max", (x, shape_of(other))))
    if other is None:
        return Tensor(())
    dims = dims_arg(other, len(x))
    out = Tensor(reduced_shape(x, dims, as_bool(a["keepdim"])))
    return (out, out)


def _arg_reduction(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if a["dim"] is None:
        return Tensor(())
    return Tensor(reduced_shape(x, dims_arg(a["dim"], len(x)), as_bool(a["keepdim"])))


_REDUCTIONS = ("sum", "mean", "amax", "amin", "prod", "logsumexp", "nansum", "nanmean", "all", "any", "count_nonzero")


SPECS: list[OpSpec] = [
    *entries(["torch." + n for n in _REDUCTIONS] + [T + n for n in _REDUCTIONS],
             "input, dim=None, keepdim=False, *, dtype=None, out=None", _reduction),
    *entries(["torch.std", "torch.var", T + "std", T + "var"],
             "input, dim=None, unbiased=True, keepdim=False, *, correction=None", _reduction),
    *entries(["torch.norm"], "input, p='fro', dim=None, keepdim=False, out=None, dtype=None", _reduction),
    *entries([T + "norm"], "input, p='fro', dim=None, keepdim=False, dtype=None", _reduction),
    *entries(["torch.max", "torch.min", T + "max", T + "min", "torch.median", T + "median"],
             "input, dim=None, keepdim=False", _max_like),
    *entries(["torch.argmax", "torch.argmin", T + "argmax", T + "argmin"], "input, dim=None, keepdim=False",
             _arg_reduction),
]
