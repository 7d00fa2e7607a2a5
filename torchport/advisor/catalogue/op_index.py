"""Sizes and indexing: x.size(), x.shape, dim(), numel(), and `x[...]` on tensors and on shapes."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Shape,
    Tensor,
    Undecidable,
    invalid,
    norm_dim,
    shape_of,
)
from torchport.advisor.catalogue.op import (
    T,
    Args,
    OpSpec,
    entries,
    tensor_shape,
)
from torchport.advisor.dims import UNKNOWN, Dim, Expr, Unknown, ceildiv, fmt, is_dim, prod, sign


def _size(ctx: Ctx, a: Args) -> Any:
    x = tensor_shape(a)
    if a["dim"] is None:
        return tuple(x)
    return x[norm_dim(a["dim"], len(x), scalar_ok=False)] if x else _scalar_dim_error(a["dim"])


def _scalar_dim_error(dim: Any) -> Any:
    raise Invalid(Problem("dim-range", f"size({dim}): a 0-d tensor has no dims", arg="dim", got=dim, expected=()))


def _shape(ctx: Ctx, a: Args) -> tuple[Dim, ...]:
    return tuple(tensor_shape(a))


def _ndim(ctx: Ctx, a: Args) -> int:
    return len(tensor_shape(a))


def _numel(ctx: Ctx, a: Args) -> Dim:
    return prod(tensor_shape(a))


def _slice_length(size: Dim, s: slice) -> Dim:
    """len(range(size)[s]) for int or symbolic sizes (UNKNOWN when it depends on the symbols)."""
    start, stop, step = s.start, s.stop, s.step
    if any(isinstance(v, Unknown) for v in (start, stop, step)):
        return UNKNOWN
    step = 1 if step is None else step
    if not isinstance(step, int) or step <= 0:
        raise Undecidable if not isinstance(step, int) else invalid("slice step must be positive", "index", step)
    if isinstance(size, int) and all(v is None or isinstance(v, int) for v in (start, stop)):
        return len(range(size)[slice(start, stop, step)])
    lo = _bound(size, start, 0)
    hi = _bound(size, stop, size)
    if isinstance(lo, Unknown) or isinstance(hi, Unknown):
        return UNKNOWN
    span = hi - lo  # type: ignore[operator]
    if sign(span + 1) != 1:  # may be negative: clamps to 0 for some values
        return UNKNOWN
    return ceildiv(span, step) if step != 1 else span


def _bound(size: Dim, value: Any, default: Dim) -> Dim:
    """A slice bound resolved against the size, when it is provably inside [0, size]."""
    if value is None:
        return default
    if not is_dim(value):
        return UNKNOWN
    resolved = size + value if isinstance(value, int) and value < 0 else value  # type: ignore[operator]
    if sign(resolved + 1) == 1 and sign(size - resolved + 1) == 1:  # 0 <= resolved <= size
        return resolved
    return UNKNOWN


def _getitem(ctx: Ctx, a: Args) -> Any:
    target, index = a["input"], a["index"]
    if isinstance(target, tuple):  # x.shape[1], x.size()[2:]
        if isinstance(index, int) and not isinstance(index, bool):
            if not -len(target) <= index < len(target):
                raise Invalid(Problem("dim-range", f"tuple index {index} out of range for a shape of {len(target)} "
                                                   "dims", arg="index", got=index, expected=len(target)))
            return target[index]
        bounds = (index.start, index.stop, index.step) if isinstance(index, slice) else ()
        if isinstance(index, slice) and all(v is None or isinstance(v, int) for v in bounds):
            return target[index]
        raise Undecidable
    x = tensor_shape(a)
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, Unknown) for i in items):
        raise Undecidable
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    if consumed > len(x):
        raise Invalid(Problem("dim-range", f"too many indices for a tensor of dimension {len(x)}", arg="index",
                              got=consumed, expected=len(x)))
    if sum(1 for i in items if i is Ellipsis) > 1:
        raise Undecidable  # NumPy rejects it; torch's handling is erratic: stay silent
    out: list[Dim] = []
    tensor_dims: list[Shape] = []
    dim = 0
    for item in items:
        if item is None:
            out.append(1)
        elif item is Ellipsis:
            skip = len(x) - consumed
            out.extend(x[dim:dim + skip])
            dim += skip
        elif isinstance(item, slice):
            out.append(_slice_length(x[dim], item))
            dim += 1
        elif isinstance(item, bool):
            raise Undecidable
        elif isinstance(item, (int, Expr)):
            size = x[dim]
            if isinstance(item, int):  # i needs size > i, -i needs size >= i
                room = size - item if item >= 0 else size + item + 1  # type: ignore[operator]
                ctx.positive(room, lambda item=item, size=size, dim=dim: Problem(  # type: ignore[misc]
                    "dim-range", f"index {item} is out of bounds for dim {dim} with size {fmt(size)}", arg="index",
                    dim=dim, got=item, expected=size))
            dim += 1
        elif isinstance(item, Tensor):
            if tensor_dims:
                raise Undecidable  # several index tensors broadcast together: not modelled
            tensor_dims.append(shape_of(item))
            out.append(_TENSOR_SLOT)  # type: ignore[arg-type]
            dim += 1
        else:
            raise Undecidable
    out.extend(x[dim:])
    if tensor_dims:
        at = out.index(_TENSOR_SLOT)  # type: ignore[arg-type]
        out[at:at + 1] = list(tensor_dims[0])
    return Tensor(tuple(out))


_TENSOR_SLOT = object()


SPECS: list[OpSpec] = [
    *entries([T + "size"], "input, dim=None", _size),
    *entries([T + "shape"], "input", _shape),
    *entries([T + "dim", T + "ndim", T + "ndimension"], "input", _ndim),
    *entries([T + "numel", "torch.numel", T + "nelement"], "input", _numel),
    *entries(["operator.getitem", T + "__getitem__"], "input, index", _getitem),
]
