"""Operations that rearrange dims: flatten, view/reshape (-1), squeeze, permute, expand, cat, split..."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from torchport.advisor.catalogue import layout, shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Shape,
    Tensor,
    Undecidable,
    as_int,
    invalid,
    need,
    norm_dim,
    shape_of,
    size_mismatch,
)
from torchport.advisor.catalogue.op import (
    T,
    Args,
    OpSpec,
    dims_arg,
    entries,
    is_one,
    renamed,
    size_list,
    tensor_shape,
)
from torchport.advisor.dims import Dim, Unknown, exact_div, fmt, fmt_shape, prod


def _flatten(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.flatten(tensor_shape(a), a["start_dim"], a["end_dim"]))


def _unflatten(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.unflatten(ctx, tensor_shape(a), a["dim"], need(a["sizes"])))


def _sizes_given(a: Args, keyword: str) -> tuple[Any, ...]:
    """Sizes passed as `*sizes` or, as torch also accepts, as one keyword (`x.view(size=(2, 3))`)."""
    if a.get("*args"):
        return tuple(a["*args"])
    value = a.get(keyword)
    return () if value is None else (value,)


def _view(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    sizes = size_list(_sizes_given(a, "size") or _sizes_given(a, "shape"), "shape")
    return Tensor(shapes.infer_sizes(ctx, "view", prod(x), sizes, "shape"))


def _strict_view(rule: Callable[[Ctx, Args], Tensor]) -> Callable[[Ctx, Args], Tensor]:
    """view / view_as: also an error when the input's strides certainly cannot give the new shape
    (torch: "view size is not compatible with input tensor's size and stride"); the walk goes on with
    the shape, as reshape would give it."""
    def checked(ctx: Ctx, a: Args) -> Tensor:
        out = rule(ctx, a)
        tensor = a["input"]
        if layout.view_strides(tensor.shape, tensor.strides, out.shape) == layout.NOT_VIEWABLE:
            raise Invalid(Problem(
                "strides", f"view{fmt_shape(out.shape)} of a {fmt_shape(tensor.shape)} tensor with strides "
                           f"{fmt_shape(tensor.strides)}: the input is not contiguous and these sizes span its "
                           "non-contiguous dims; use reshape(...) (a copy where needed) or .contiguous() first",
                got=tensor.strides, expected=out.shape), assumed=out)
        return out
    return checked


def _reshape_fn(ctx: Ctx, a: Args) -> Tensor:
    return _view(ctx, {"input": a["input"], "shape": need(a["shape"])})


def _view_as(ctx: Ctx, a: Args) -> Tensor:
    x, other = tensor_shape(a), tensor_shape(a, "other")
    return Tensor(shapes.infer_sizes(ctx, "view_as", prod(x), other, "shape"))


def _squeeze(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    dims = dims_arg(a["dim"], len(x))
    targets = range(len(x)) if dims is None else dims
    out = []
    for i, d in enumerate(x):
        one = is_one(d) if i in targets else False
        if one is None:
            raise Undecidable  # a symbolic dim that may be 1: the rank is not known
        if not one:
            out.append(d)
    return Tensor(tuple(out))


def _unsqueeze(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    d = norm_dim(a["dim"], len(x) + 1, scalar_ok=False)
    return Tensor((*x[:d], 1, *x[d:]))


def _permute(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    order = _sizes_given(a, "dims")
    if not order:
        raise Invalid(Problem("bad-call", "permute() is missing the required argument 'dims'", arg="dims"))
    if len(order) == 1 and isinstance(order[0], (tuple, list)):
        order = tuple(order[0])
    if any(isinstance(o, Unknown) for o in order):
        raise Undecidable
    if len(order) != len(x):
        raise Invalid(Problem("rank", f"permute: the input has {len(x)} dims but {len(order)} were given",
                              arg="dims", got=len(order), expected=len(x)))
    idx = [norm_dim(o, len(x)) for o in order]
    if len(set(idx)) != len(idx):
        raise invalid(f"permute: repeated dim in {tuple(order)}", "dims", tuple(order))
    return Tensor(tuple(x[i] for i in idx))


def _transpose(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    i, j = norm_dim(a["dim0"], len(x)), norm_dim(a["dim1"], len(x))
    out = list(x)
    if out:
        out[i], out[j] = out[j], out[i]
    return Tensor(tuple(out))


def _t(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if len(x) > 2:
        raise Invalid(Problem("rank", f"t() expects a tensor with <= 2 dims, got {len(x)}", got=len(x),
                              expected="at most 2"))
    return Tensor(tuple(reversed(x)))


def _T(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(tuple(reversed(tensor_shape(a))))


def _mT(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if len(x) < 2:
        raise Invalid(Problem("rank", "mT needs at least 2 dims", got=len(x), expected="at least 2"))
    return Tensor((*x[:-2], x[-1], x[-2]))


def _expand(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    sizes = size_list(_sizes_given(a, "size"), "size")
    if len(sizes) < len(x):
        raise Invalid(Problem("rank", f"expand: the number of sizes ({len(sizes)}) must be at least the number of "
                                      f"dims ({len(x)})", arg="size", got=len(sizes), expected=len(x)))
    lead = len(sizes) - len(x)
    out: list[Dim] = []
    for i, s in enumerate(sizes):
        if i < lead:
            if isinstance(s, int) and s < 0:
                raise invalid(f"expand: -1 is not allowed for the new leading dim {i}", "size", s)
            out.append(s)
            continue
        d = x[i - lead]
        if isinstance(s, int) and s == -1:
            out.append(d)
            continue
        ctx.broadcastable(d, s, lambda i=i, s=s, d=d: Problem(  # type: ignore[misc]
            "size-mismatch", f"expand: size {fmt(s)} for dim {i} must match the existing size {fmt(d)} (or that must "
                             "be 1)", arg="size", dim=i - lead, got=s, expected=d))
        out.append(s)
    return Tensor(tuple(out))


def _expand_as(ctx: Ctx, a: Args) -> Tensor:
    return _expand(ctx, {"input": a["input"], "*args": (tensor_shape(a, "other"),)})


def _repeat(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    reps = size_list(_sizes_given(a, "repeats"), "repeats")
    if len(reps) < len(x):
        raise Invalid(Problem("rank", f"repeat: the number of repeats ({len(reps)}) must be at least the number "
                                      f"of dims ({len(x)})", arg="repeats", got=len(reps), expected=len(x)))
    padded = (1,) * (len(reps) - len(x)) + x
    return Tensor(tuple(r * d for r, d in zip(reps, padded)))  # type: ignore[operator]


def _chunk(ctx: Ctx, a: Args) -> tuple[Tensor, ...]:
    x = tensor_shape(a)
    chunks = as_int(a["chunks"], "chunks")
    if isinstance(chunks, int) and chunks < 1:
        raise invalid(f"chunk expects chunks to be greater than 0, got {chunks}", "chunks", chunks, 1)
    if not x:
        raise Invalid(Problem("rank", "chunk expects at least a 1-dimensional tensor", got=0, expected="at least 1"))
    d = norm_dim(a["dim"], len(x))
    size = x[d]
    if not isinstance(chunks, int):
        raise Undecidable
    if isinstance(size, int):
        step = -(-size // chunks) if size else 0
        pieces = [min(step, size - start) for start in range(0, size, step)] if step else [0] * chunks
    else:
        step = exact_div(size, chunks)
        if isinstance(step, Unknown):
            raise Undecidable
        pieces = [step] * chunks
    return tuple(Tensor((*x[:d], p, *x[d + 1:])) for p in pieces)


def _split(ctx: Ctx, a: Args) -> tuple[Tensor, ...]:
    x = tensor_shape(a)
    if not x:
        raise Invalid(Problem("rank", "split expects at least a 1-dimensional tensor", got=0, expected="at least 1"))
    d = norm_dim(a["dim"], len(x))
    size = x[d]
    spec = need(a["split_size_or_sections"])
    if isinstance(spec, (tuple, list)):
        sections = tuple(as_int(s, "split_size_or_sections") for s in spec)
        ctx.equal(sum_dims(sections), size, lambda: Problem(
            "size-mismatch", f"split: sections {fmt_shape(sections)} sum to {fmt(sum_dims(sections))} but dim {d} has "
                             f"size {fmt(size)}", arg="split_size_or_sections", dim=d, got=sum_dims(sections),
            expected=size))
        pieces: list[Dim] = list(sections)
    else:
        step = as_int(spec, "split_size_or_sections")
        if not isinstance(step, int) or not isinstance(size, int):
            if isinstance(step, int) and step > 0:
                count = exact_div(size, step)
                if isinstance(count, int):
                    return tuple(Tensor((*x[:d], step, *x[d + 1:])) for _ in range(count))
            raise Undecidable
        if step <= 0:
            if step == 0 and size == 0:
                return (Tensor(x),)
            raise invalid(f"split expects split_size to be positive, got {step}", "split_size_or_sections", step)
        pieces = [min(step, size - start) for start in range(0, size, step)] or [0]
    return tuple(Tensor((*x[:d], p, *x[d + 1:])) for p in pieces)


def sum_dims(values: Sequence[Dim]) -> Dim:
    total: Dim = 0
    for v in values:
        total = total + v  # type: ignore[operator]
    return total


def _unbind(ctx: Ctx, a: Args) -> tuple[Tensor, ...]:
    x = tensor_shape(a)
    d = norm_dim(a["dim"], len(x), scalar_ok=False)
    if not isinstance(x[d], int):
        raise Undecidable
    return tuple(Tensor((*x[:d], *x[d + 1:])) for _ in range(x[d]))


def _tensors(a: Args) -> list[Shape]:
    seq = need(a["tensors"])
    if not isinstance(seq, (tuple, list)):
        raise Undecidable
    return [shape_of(t) for t in seq]


def _cat(ctx: Ctx, a: Args) -> Tensor:
    shapes_ = [s for s in _tensors(a) if s != (0,)]  # legacy: 1-d empty tensors are skipped
    if not shapes_:
        raise Undecidable
    first = shapes_[0]
    if not first:
        raise Invalid(Problem("rank", "cat: zero-dimensional tensors cannot be concatenated", got=0,
                              expected="at least 1"))
    d = norm_dim(a["dim"], len(first))
    total: Dim = 0
    for operand, s in enumerate(shapes_):
        if len(s) != len(first):
            raise Invalid(Problem("rank", f"cat: tensor {operand} has {len(s)} dims, tensor 0 has {len(first)}: all "
                                          "must have the same number", operand=operand, got=len(s),
                                  expected=len(first)))
        for i, (p, q) in enumerate(zip(s, first)):
            if i != d:
                ctx.equal(p, q, size_mismatch(
                    f"cat: sizes must match except in dim {d}; tensor {operand} has {fmt(p)} in dim {i}, "
                    f"tensor 0 has {fmt(q)}", operand, i, p, q))
        total = total + s[d]  # type: ignore[operator]
    return Tensor((*first[:d], total, *first[d + 1:]))


def _stack(ctx: Ctx, a: Args) -> Tensor:
    shapes_ = _tensors(a)
    if not shapes_:
        raise invalid("stack expects a non-empty TensorList", "tensors")
    first = shapes_[0]
    d = norm_dim(a["dim"], len(first) + 1, scalar_ok=False)
    for operand, s in enumerate(shapes_[1:], 1):
        if len(s) != len(first):
            raise Invalid(Problem("size-mismatch", f"stack expects each tensor to be equal size, but tensor 0 is "
                                                   f"{fmt_shape(first)} and tensor {operand} is {fmt_shape(s)}",
                                  operand=operand, got=len(s), expected=len(first)))
        for i, (p, q) in enumerate(zip(s, first)):
            ctx.equal(p, q, size_mismatch(f"stack expects each tensor to be equal size, but tensor 0 is "
                                          f"{fmt_shape(first)} and tensor {operand} is {fmt_shape(s)}",
                                          operand, i, p, q))
    return Tensor((*first[:d], len(shapes_), *first[d:]))


SPECS: list[OpSpec] = [
    *entries(["torch.flatten", T + "flatten"], "input, start_dim=0, end_dim=-1", _flatten),
    *entries(["torch.unflatten", T + "unflatten"], "input, dim, sizes", _unflatten),
    *entries([T + "view"], "input, *args, size=None", _strict_view(_view)),
    *entries([T + "reshape"], "input, *args, shape=None", _view),
    *entries(["torch.reshape"], "input, shape", _reshape_fn),
    *entries([T + "view_as"], "input, other", _strict_view(_view_as)),
    *entries([T + "reshape_as"], "input, other", _view_as),
    *entries(["torch.squeeze", T + "squeeze"], "input, dim=None", _squeeze),
    *entries(["torch.unsqueeze", T + "unsqueeze"], "input, dim", _unsqueeze),
    *entries([T + "permute"], "input, *args, dims=None", _permute),
    *entries(["torch.permute"], "input, dims", _permute),
    *entries(["torch.swapaxes", T + "swapaxes"], "input, axis0, axis1",
             renamed(_transpose, axis0="dim0", axis1="dim1")),
    *entries(["torch.transpose", T + "transpose", "torch.swapdims", T + "swapdims"],
             "input, dim0, dim1", _transpose),
    *entries(["torch.t", T + "t"], "input", _t),
    *entries([T + "T"], "input", _T),
    *entries([T + "mT"], "input", _mT),
    *entries([T + "expand"], "input, *args, size=None", _expand),
    *entries([T + "expand_as"], "input, other", _expand_as),
    *entries([T + "repeat"], "input, *args, repeats=None", _repeat),
    *entries(["torch.chunk", T + "chunk"], "input, chunks, dim=0", _chunk),
    *entries(["torch.split"], "tensor, split_size_or_sections, dim=0", renamed(_split, tensor="input")),
    *entries([T + "split"], "input, split_size, dim=0", renamed(_split, split_size="split_size_or_sections")),
    *entries(["torch.unbind", T + "unbind"], "input, dim=0", _unbind),
    *entries(["torch.cat", "torch.concat"], "tensors, dim=0, *, out=None", _cat),
    *entries(["torch.concatenate"], "tensors, axis=0, out=None", renamed(_cat, axis="dim")),
    *entries(["torch.stack"], "tensors, dim=0, *, out=None", _stack),
]
