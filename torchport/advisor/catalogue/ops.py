"""The operations TABLE: shape rules for tensor operations, keyed by canonical name.

Names: functional and torch functions by their qualified name ("torch.nn.functional.conv2d",
"torch.cat"); Tensor methods and attributes as "torch.Tensor.<name>" with the tensor as first
argument (`x.view(N, -1)` -> call_op("torch.Tensor.view", (x, N, -1))); Python operators as
"operator.<name>" (`x @ w` -> "operator.matmul", `x[:, -1]` -> "operator.getitem" with the index as
a tuple of ints, Dims, `slice`s, None, Ellipsis or Tensors). `getitem` also indexes tuples of dims
(`x.shape[1:]`).

    call_op("torch.Tensor.view", (Tensor((N, 32, 7, 7)), N, -1)).value == Tensor((N, 1568))
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Result,
    Shape,
    Tensor,
    Undecidable,
    as_bool,
    as_int,
    as_tuple,
    check_rank,
    invalid,
    need,
    norm_dim,
    run_rule,
    shape_of,
    size_mismatch,
)
from torchport.advisor.catalogue.signature import BindError, Signature, bind, parse
from torchport.advisor.dims import UNKNOWN, Dim, Expr, Unknown, ceildiv, exact_div, fmt, fmt_shape, is_dim, prod, sign

Args = Mapping[str, Any]
Rule = Callable[[Ctx, Args], Any]

F = "torch.nn.functional."
T = "torch.Tensor."


@dataclass(frozen=True)
class OpSpec:
    name: str
    signature_text: str  # parameters as written in a def: "input, dim=None, keepdim=False"
    rule: Rule

    @property
    def signature(self) -> Signature:
        return parse(self.signature_text)  # parsed on first use (cached)


def call_op(name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *,
            more_args: bool = False, more_kwargs: bool = False) -> Result:
    """The result of operation `name` on abstract arguments; UNKNOWN value when not catalogued."""
    spec = OPS.get(name)
    if spec is None:
        return Result(UNKNOWN)
    try:
        bound = bind(spec.signature, args, kwargs, more_args=more_args, more_kwargs=more_kwargs)
    except BindError as error:
        return Result(UNKNOWN, (Problem("bad-call", f"{name.rsplit('.', 1)[-1]}() {error}"),))
    return run_rule(lambda ctx: spec.rule(ctx, bound))


def op_spec(name: str) -> OpSpec | None:
    return OPS.get(name)


# ------------------------------------------------------------------------------------ helpers

def _x(a: Args, name: str = "input") -> Shape:
    return shape_of(a[name])


def _shape_or_scalar(value: Any) -> Shape:
    """A tensor's shape; a Python number broadcasts like a 0-d tensor."""
    if isinstance(value, Tensor):
        return shape_of(value)
    if isinstance(value, (int, float, bool)) or isinstance(value, Expr):
        return ()
    raise Undecidable


def _sizes(value: Any, name: str) -> tuple[Any, ...]:
    """`view(2, 3)` / `view((2, 3))` / `view([2, 3])` / `view(torch.Size)` -> (2, 3)."""
    if not value:
        raise Invalid(Problem("bad-call", f"missing the required argument '{name}'", arg=name))
    if len(value) == 1 and isinstance(value[0], (tuple, list)):
        value = tuple(value[0])
    if any(isinstance(v, Unknown) for v in value):
        raise Undecidable
    for v in value:
        if not is_dim(v):
            raise Undecidable
    return tuple(value)


def _dims_arg(value: Any, rank: int, name: str = "dim") -> tuple[int, ...] | None:
    """A `dim` argument (None, int, tuple/list of ints) as sorted non-negative indices; None for all."""
    if value is None:
        return None
    items = value if isinstance(value, (tuple, list)) else (value,)
    out = sorted({norm_dim(d, rank, name=name) for d in items})
    if isinstance(value, (tuple, list)) and len(out) != len(items):
        raise invalid(f"dim {value} appears multiple times in the list of dims", name, value)
    return tuple(out)


def _reduce(x: Shape, dims: tuple[int, ...] | None, keepdim: bool) -> Shape:
    """The shape after reducing `dims` (None or (): all of them)."""
    if not dims:
        return (1,) * len(x) if keepdim else ()
    if keepdim:
        return tuple(1 if i in dims else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in dims)


def _may_be_one(d: Dim) -> bool | None:
    """True if d is 1, False if never 1, None if it depends on the symbols."""
    if isinstance(d, int):
        return d == 1
    if isinstance(d, Expr):
        return False if sign(d - 1) == 1 else None
    return None


# -------------------------------------------------------------------------------- elementwise

def _unary(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(_x(a))


def _binary(ctx: Ctx, a: Args) -> Tensor:
    left, right = a["input"], a["other"]
    if not isinstance(left, Tensor) and not isinstance(right, Tensor):
        raise Undecidable  # plain Python arithmetic: not a tensor operation
    return _broadcast_pair(ctx, left, right)


def _tensor_binary(ctx: Ctx, a: Args) -> Tensor:
    """maximum, minimum...: torch wants two tensors; a Python number is left undecided."""
    left, right = a["input"], a["other"]
    if not isinstance(left, Tensor) or not isinstance(right, Tensor):
        raise Undecidable
    return _broadcast_pair(ctx, left, right)


def _broadcast_pair(ctx: Ctx, left: Any, right: Any) -> Tensor:
    return Tensor(shapes.broadcast(ctx, "broadcast", (_shape_or_scalar(left), _shape_or_scalar(right))))


def _where(ctx: Ctx, a: Args) -> Tensor:
    if a["input"] is None:  # torch.where(condition): a tuple of index tensors
        raise Undecidable
    return Tensor(shapes.broadcast(ctx, "where", tuple(_shape_or_scalar(a[k]) for k in ("condition", "input", "other"))))


def _softmax(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    if a["dim"] is not None:
        norm_dim(a["dim"], len(x))
    return Tensor(x)


def _glu(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    if not x:
        raise Invalid(Problem("rank", "glu does not support 0-d inputs", got=0, expected="at least 1"))
    d = norm_dim(a["dim"], len(x))
    half = exact_div(x[d], 2)
    if isinstance(half, Unknown):
        if isinstance(x[d], int):
            raise Invalid(Problem("size-mismatch", f"glu halves dim {d}, whose size {x[d]} is odd", dim=d,
                                  got=x[d], expected="an even size"))
        raise Undecidable
    return Tensor((*x[:d], half, *x[d + 1:]))


def _normalize(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    norm_dim(a["dim"], len(x))
    return Tensor(x)


# ------------------------------------------------------------------------------ linear algebra

def _matmul(ctx: Ctx, a: Args) -> Tensor:
    x, y = _x(a), _x(a, "other")
    if not x or not y:
        raise Invalid(Problem("rank", "matmul: both arguments need at least 1 dim", got=min(len(x), len(y)),
                              expected="at least 1"))
    inner_x, inner_y = x[-1], (y[0] if len(y) == 1 else y[-2])
    ctx.equal(inner_y, inner_x, size_mismatch(
        f"matmul: shapes {fmt_shape(x)} and {fmt_shape(y)} cannot be multiplied: {fmt(inner_x)} (last dim of the "
        f"first) must equal {fmt(inner_y)} ({'only' if len(y) == 1 else 'second-to-last'} dim of the second)",
        1, 0 if len(y) == 1 else len(y) - 2, inner_y, inner_x))
    if len(x) == 1 and len(y) == 1:
        return Tensor(())
    if len(y) == 1:
        return Tensor(x[:-1])
    if len(x) == 1:
        return Tensor((*y[:-2], y[-1]))
    batch = shapes.broadcast(ctx, "matmul", (x[:-2], y[:-2]))
    return Tensor((*batch, x[-2], y[-1]))


def _mm(ctx: Ctx, a: Args) -> Tensor:
    x, y = _x(a), _x(a, "mat2")
    check_rank(x, (2,), "mm")
    check_rank(y, (2,), "mm", operand=1)
    return _matmul(ctx, {"input": Tensor(x), "other": Tensor(y)})


def _bmm(ctx: Ctx, a: Args) -> Tensor:
    x, y = _x(a), _x(a, "mat2")
    check_rank(x, (3,), "bmm")
    check_rank(y, (3,), "bmm", operand=1)
    ctx.equal(y[0], x[0], size_mismatch(f"bmm: batch sizes differ ({fmt(x[0])} and {fmt(y[0])})", 1, 0, y[0], x[0]))
    ctx.equal(y[1], x[2], size_mismatch(f"bmm: shapes {fmt_shape(x)} and {fmt_shape(y)} cannot be multiplied: "
                                        f"{fmt(x[2])} must equal {fmt(y[1])}", 1, 1, y[1], x[2]))
    return Tensor((x[0], x[1], y[2]))


def _linear(ctx: Ctx, a: Args) -> Tensor:
    x, w = _x(a), _x(a, "weight")
    check_rank(w, (1, 2), "linear", operand=1)
    out = shapes.linear(ctx, "linear", x, w[-1], w[0], arg="weight")
    return Tensor(out if len(w) == 2 else x[:-1])


_EINSUM_TERM = re.compile(r"^(?:[a-zA-Z]|\.\.\.)*$")


def _einsum(ctx: Ctx, a: Args) -> Tensor:
    equation = need(a["equation"])
    operands = a["*args"]
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise Undecidable
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands) or not all(_EINSUM_TERM.match(t) for t in (*terms, rhs)):
        raise invalid(f"einsum: the equation {equation!r} does not fit {len(operands)} operands", "equation")
    sizes: dict[str, tuple[Dim, int, int]] = {}
    ellipses: list[Shape] = []
    for operand, (term, value) in enumerate(zip(terms, operands)):
        x = shape_of(value)
        letters = term.replace("...", "")
        if "..." in term:
            n = len(x) - len(letters)
            if n < 0:
                raise _einsum_rank(term, x, operand)
            head = term.index("...")
            ellipses.append(x[head:head + n])
            x = (*x[:head], *x[head + n:])
        elif len(x) != len(letters):
            raise _einsum_rank(term, x, operand)
        own: dict[str, Dim] = {}
        for dim, (letter, size) in enumerate(zip(letters, x)):  # a repeated subscript in one operand: equal sizes
            if letter in own:
                ctx.equal(size, own[letter], size_mismatch(
                    f"einsum: subscript '{letter}' is repeated in operand {operand} with sizes {fmt(own[letter])} "
                    f"and {fmt(size)}", operand, dim, size, own[letter]))
            own.setdefault(letter, size)
        for dim, (letter, size) in enumerate(zip(letters, x)):
            if letter in sizes and not (isinstance(size, int) and size == 1):
                known, first_operand, _ = sizes[letter]
                if isinstance(known, int) and known == 1:
                    sizes[letter] = (size, operand, dim)
                    continue
                ctx.equal(size, known, size_mismatch(
                    f"einsum: subscript '{letter}' is {fmt(known)} in operand {first_operand} but {fmt(size)} in "
                    f"operand {operand}", operand, dim, size, known))
            elif letter not in sizes:
                sizes[letter] = (size, operand, dim)
    batch = shapes.broadcast(ctx, "einsum", ellipses) if ellipses else ()
    if not arrow:
        counts = {c: lhs.count(c) for c in set(lhs.replace("...", "").replace(",", ""))}
        rhs = ("..." if ellipses else "") + "".join(sorted(c for c, n in counts.items() if n == 1))
    out: list[Dim] = []
    for part in re.findall(r"\.\.\.|[a-zA-Z]", rhs):
        if part == "...":
            out.extend(batch)
        elif part in sizes:
            out.append(sizes[part][0])
        else:
            raise invalid(f"einsum: output subscript '{part}' does not appear in the inputs", "equation")
    return Tensor(tuple(out))


def _einsum_rank(term: str, x: Shape, operand: int) -> Invalid:
    return Invalid(Problem("rank", f"einsum: subscripts '{term}' do not fit operand {operand} of shape {fmt_shape(x)}",
                           operand=operand, got=len(x), expected=term))


# ---------------------------------------------------------------------------------- reductions

def _reduction(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    dims = _dims_arg(a["dim"], len(x))
    return Tensor(_reduce(x, dims, as_bool(a.get("keepdim", False))))


def _max_like(ctx: Ctx, a: Args) -> Any:
    """max/min: no dim -> 0-d; a dim -> (values, indices); a tensor `other` -> elementwise."""
    x = _x(a)
    other = a["dim"]
    if isinstance(other, Tensor):
        return Tensor(shapes.broadcast(ctx, "max", (x, shape_of(other))))
    if other is None:
        return Tensor(())
    dims = _dims_arg(other, len(x))
    out = Tensor(_reduce(x, dims, as_bool(a["keepdim"])))
    return (out, out)


def _arg_reduction(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    if a["dim"] is None:
        return Tensor(())
    return Tensor(_reduce(x, _dims_arg(a["dim"], len(x)), as_bool(a["keepdim"])))


# ---------------------------------------------------------------------------------- reshaping

def _flatten(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.flatten(_x(a), a["start_dim"], a["end_dim"]))


def _unflatten(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.unflatten(ctx, _x(a), a["dim"], need(a["sizes"])))


def _view(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    sizes = _sizes(a["*args"] if "*args" in a else (a["shape"],), "shape")
    return Tensor(shapes.infer_sizes(ctx, "view", prod(x), sizes, "shape"))


def _reshape_fn(ctx: Ctx, a: Args) -> Tensor:
    return _view(ctx, {"input": a["input"], "shape": need(a["shape"])})


def _view_as(ctx: Ctx, a: Args) -> Tensor:
    x, other = _x(a), _x(a, "other")
    return Tensor(shapes.infer_sizes(ctx, "view_as", prod(x), other, "shape"))


def _squeeze(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    dims = _dims_arg(a["dim"], len(x))
    targets = range(len(x)) if dims is None else dims
    out = []
    for i, d in enumerate(x):
        one = _may_be_one(d) if i in targets else False
        if one is None:
            raise Undecidable  # a symbolic dim that may be 1: the rank is not known
        if not one:
            out.append(d)
    return Tensor(tuple(out))


def _unsqueeze(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    d = norm_dim(a["dim"], len(x) + 1, scalar_ok=False)
    return Tensor((*x[:d], 1, *x[d:]))


def _permute(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    order = a["*args"] if "*args" in a else (a["dims"],)
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
    x = _x(a)
    i, j = norm_dim(a["dim0"], len(x)), norm_dim(a["dim1"], len(x))
    out = list(x)
    if out:
        out[i], out[j] = out[j], out[i]
    return Tensor(tuple(out))


def _t(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    if len(x) > 2:
        raise Invalid(Problem("rank", f"t() expects a tensor with <= 2 dims, got {len(x)}", got=len(x),
                              expected="at most 2"))
    return Tensor(tuple(reversed(x)))


def _T(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(tuple(reversed(_x(a))))


def _mT(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    if len(x) < 2:
        raise Invalid(Problem("rank", "mT needs at least 2 dims", got=len(x), expected="at least 2"))
    return Tensor((*x[:-2], x[-1], x[-2]))


def _expand(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    sizes = _sizes(a["*args"], "size")
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
        if _may_be_one(d) is True:
            out.append(s)
            continue
        ctx.equal(s, d, lambda i=i, s=s, d=d: Problem(  # type: ignore[misc]
            "size-mismatch", f"expand: size {fmt(s)} for dim {i} must match the existing size {fmt(d)} (or that must "
                             "be 1)", arg="size", dim=i - lead, got=s, expected=d))
        out.append(s)
    return Tensor(tuple(out))


def _expand_as(ctx: Ctx, a: Args) -> Tensor:
    return _expand(ctx, {"input": a["input"], "*args": (_x(a, "other"),)})


def _repeat(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    reps = _sizes(a["*args"], "repeats")
    if len(reps) < len(x):
        raise Invalid(Problem("rank", f"repeat: the number of repeats ({len(reps)}) must be at least the number "
                                      f"of dims ({len(x)})", arg="repeats", got=len(reps), expected=len(x)))
    padded = (1,) * (len(reps) - len(x)) + x
    return Tensor(tuple(r * d for r, d in zip(reps, padded)))  # type: ignore[operator]


def _chunk(ctx: Ctx, a: Args) -> tuple[Tensor, ...]:
    x = _x(a)
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
    x = _x(a)
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
    x = _x(a)
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
                                          "must have the same number", operand=operand, got=len(s), expected=len(first)))
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
                                          f"{fmt_shape(first)} and tensor {operand} is {fmt_shape(s)}", operand, i, p, q))
    return Tensor((*first[:d], len(shapes_), *first[d:]))


# ----------------------------------------------------------------------------- size & indexing

def _size(ctx: Ctx, a: Args) -> Any:
    x = _x(a)
    if a["dim"] is None:
        return tuple(x)
    return x[norm_dim(a["dim"], len(x), scalar_ok=False)] if x else _scalar_dim_error(a["dim"])


def _scalar_dim_error(dim: Any) -> Any:
    raise Invalid(Problem("dim-range", f"size({dim}): a 0-d tensor has no dims", arg="dim", got=dim, expected=()))


def _shape(ctx: Ctx, a: Args) -> tuple[Dim, ...]:
    return tuple(_x(a))


def _ndim(ctx: Ctx, a: Args) -> int:
    return len(_x(a))


def _numel(ctx: Ctx, a: Args) -> Dim:
    return prod(_x(a))


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
        if isinstance(index, slice) and all(v is None or isinstance(v, int) for v in (index.start, index.stop, index.step)):
            return target[index]
        raise Undecidable
    x = _x(a)
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
            if isinstance(item, int) and isinstance(size, int) and not -size <= item < size:
                raise Invalid(Problem("dim-range", f"index {item} is out of bounds for dim {dim} with size {size}",
                                      arg="index", dim=dim, got=item, expected=size))
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


# ------------------------------------------------------------------------------- layers as ops

def _conv_op(nd: int, transposed: bool) -> Rule:
    name = f"conv{'_transpose' if transposed else ''}{nd}d"

    def rule(ctx: Ctx, a: Args) -> Tensor:
        x, w = _x(a), _x(a, "weight")
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
            out = shapes.conv(ctx, name, x, nd, w[1] * groups, w[0], kernel, stride, pads, dilation,  # type: ignore[operator]
                              channel_arg="weight")
        bias = a["bias"]
        if isinstance(bias, Tensor) and not isinstance(bias.shape, Unknown):
            channels = out[len(out) - nd - 1]
            if len(bias.shape) != 1:
                raise Invalid(Problem("rank", f"{name}: bias must be 1-d, got {len(bias.shape)}-d", operand=2,
                                      got=len(bias.shape), expected=1))
            ctx.equal(bias.shape[0], channels, size_mismatch(f"{name}: bias has {fmt(bias.shape[0])} elements, "
                                                             f"expected {fmt(channels)}", 2, 0, bias.shape[0], channels))
        return Tensor(out)
    return rule


def _pool_op(kind: str, nd: int) -> Rule:
    name = f"{kind}_pool{nd}d"

    def rule(ctx: Ctx, a: Args) -> Any:
        x = _x(a)
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
        y = Tensor(shapes.adaptive(name, _x(a), nd, sizes))
        return (y, y) if kind == "max" and as_bool(a["return_indices"]) else y
    return rule


def _interpolate(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(shapes.interpolate(ctx, "interpolate", _x(a), a["size"], a["scale_factor"], need(a["mode"]),
                                     a["align_corners"]))


def _pad(ctx: Ctx, a: Args) -> Tensor:
    pads = need(a["pad"])
    if not isinstance(pads, (tuple, list)):
        raise Undecidable
    mode = need(a["mode"])
    return Tensor(shapes.pad(ctx, "pad", _x(a), tuple(as_int(p, "pad") for p in pads), mode))


def _layer_norm(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
    ns = need(a["normalized_shape"])
    normalized = tuple(ns) if isinstance(ns, (tuple, list)) else (ns,)
    shapes.trailing(ctx, "layer_norm", x, tuple(as_int(d, "normalized_shape") for d in normalized))
    return Tensor(x)


def _batch_norm(ctx: Ctx, a: Args) -> Tensor:
    x = _x(a)
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
    x = _x(a)
    if len(x) < 2:
        raise Invalid(Problem("rank", f"group_norm expects at least 2 dims (N, C, *), got {len(x)}", got=len(x),
                              expected="at least 2"))
    g = as_int(a["num_groups"], "num_groups", minimum=1)
    if isinstance(g, int) and isinstance(x[1], int) and x[1] % g:
        raise Invalid(Problem("size-mismatch", f"group_norm: the input's {x[1]} channels are not divisible by "
                                               f"num_groups={g}", dim=1, got=x[1], expected=g))
    return Tensor(x)


def _embedding(ctx: Ctx, a: Args) -> Tensor:
    x, w = _x(a), _x(a, "weight")
    check_rank(w, (2,), "embedding", operand=1)
    return Tensor((*x, w[1]))


def _one_hot(ctx: Ctx, a: Args) -> Tensor:
    n = as_int(a["num_classes"], "num_classes")
    if isinstance(n, int) and n < 0:
        raise Undecidable  # -1: inferred from the values
    return Tensor((*_x(a, "tensor"), n))


def _sdpa(ctx: Ctx, a: Args) -> Tensor:
    q, k, v = _x(a, "query"), _x(a, "key"), _x(a, "value")
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
            return Tensor(shapes.pixel_shuffle(ctx, "pixel_shuffle", _x(a), as_int(a["upscale_factor"], "upscale_factor", minimum=1)))
        return Tensor(shapes.pixel_unshuffle(ctx, "pixel_unshuffle", _x(a),
                                             as_int(a["downscale_factor"], "downscale_factor", minimum=1)))
    return rule


def _feature_dropout(name: str, min_rank: int) -> Rule:
    def rule(ctx: Ctx, a: Args) -> Tensor:
        x = _x(a)
        if name == "dropout1d":
            check_rank(x, (2, 3), name)
        p, training = a["p"], a["training"]
        active = isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p < 1 and training is True
        if active and len(x) < min_rank:
            raise Invalid(Problem("rank", f"{name} needs at least {min_rank} dims, got {len(x)}", got=len(x),
                                  expected=f"at least {min_rank}"))
        return Tensor(x)
    return rule


def _creation(ctx: Ctx, a: Args) -> Tensor:
    sizes = _sizes(a["*args"], "size")
    for s in sizes:
        if isinstance(s, int) and s < 0:
            raise invalid(f"negative dimension {s}", "size", s)
    return Tensor(tuple(sizes))


def _like(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(_x(a))


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


# ---------------------------------------------------------------------------------- the TABLE

_UNARY = ("relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh",
          "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink", "tanhshrink", "threshold",
          "logsigmoid", "leaky_relu", "rrelu", "dropout", "alpha_dropout", "prelu",
          "local_response_norm", "instance_norm")
_TORCH_UNARY = ("relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "neg", "sin", "cos", "clamp",
                "clip", "sign", "floor", "ceil", "round", "square", "reciprocal", "erf", "log1p", "expm1",
                "sigmoid_", "relu_", "nan_to_num", "isnan", "isinf", "logical_not", "exp2", "log2", "log10",
                "tril", "triu", "cumsum", "cumprod", "flip", "roll", "zeros_like", "ones_like",
                "empty_like", "rand_like", "randn_like", "full_like")
_METHOD_UNARY = ("relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "neg", "sin", "cos", "clamp",
                 "clip", "sign", "floor", "ceil", "round", "square", "reciprocal", "contiguous", "float", "double",
                 "half", "bfloat16", "long", "int", "bool", "byte", "to", "cpu", "cuda", "detach", "clone",
                 "type_as", "requires_grad_", "relu_", "sigmoid_", "tanh_", "clamp_", "fill_", "zero_", "uniform_",
                 "normal_", "masked_fill", "masked_fill_", "type", "erf", "log1p", "expm1", "tril", "triu", "cumsum",
                 "cumprod", "flip", "roll", "nan_to_num", "pin_memory", "abs_", "exp_", "mul_", "add_", "sub_", "div_",
                 "copy_", "logical_not", "isnan", "isinf")
_BINARY_OPERATORS = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and_", "or_", "xor", "eq", "ne",
                     "lt", "le", "gt", "ge", "iadd", "isub", "imul", "itruediv")
_BINARY_FUNCTIONS = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
                     "remainder", "fmod", "pow", "maximum", "minimum", "fmax", "fmin", "eq", "ne", "lt", "le", "gt",
                     "ge", "logical_and", "logical_or", "logical_xor", "atan2", "hypot", "bitwise_and", "bitwise_or")
_TENSOR_ONLY = ("maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "logical_and", "logical_or", "logical_xor",
                "bitwise_and", "bitwise_or")
_REDUCTIONS = ("sum", "mean", "amax", "amin", "prod", "logsumexp", "nansum", "nanmean", "all", "any", "count_nonzero")
_ANY = "*args, **kwargs"


def _table() -> dict[str, OpSpec]:
    entries: list[tuple[str, str, Rule]] = []

    def add(names: Sequence[str], signature: str, rule: Rule) -> None:
        entries.extend((n, signature, rule) for n in names)

    add([F + n for n in _UNARY], "input, *args, **kwargs", _unary)
    add(["torch." + n for n in _TORCH_UNARY if not n.endswith("_like")], "input, *args, **kwargs", _unary)
    add(["torch." + n for n in _TORCH_UNARY if n.endswith("_like")], "input, *args, **kwargs", _like)
    add([T + n for n in _METHOD_UNARY], "input, *args, **kwargs", _unary)
    add(["operator.neg", "operator.pos", "operator.invert", "operator.abs"], "input", _unary)
    add(["operator." + n for n in _BINARY_OPERATORS], "input, other", _binary)
    add(["torch." + n for n in _BINARY_FUNCTIONS if n not in _TENSOR_ONLY], "input, other, *args, **kwargs", _binary)
    add(["torch." + n for n in _TENSOR_ONLY], "input, other, *args, **kwargs", _tensor_binary)
    add([T + n for n in _BINARY_FUNCTIONS], "input, other, *args, **kwargs", _binary)
    add([T + "__" + n.rstrip("_") + "__" for n in _BINARY_OPERATORS], "input, other", _binary)
    add(["torch.where"], "condition, input=None, other=None", _where)
    add([T + "where"], "input, condition, other", _where)
    for fn in ("softmax", "log_softmax", "softmin"):
        add([F + fn], "input, dim=None, _stacklevel=3, dtype=None", _softmax)
    add(["torch.softmax", "torch.log_softmax", T + "softmax", T + "log_softmax"], "input, dim, dtype=None", _softmax)
    add([F + "glu"], "input, dim=-1", _glu)
    add([F + "normalize"], "input, p=2.0, dim=1, eps=1e-12, out=None", _normalize)
    add([F + "dropout1d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout1d", 2))
    add([F + "dropout2d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout2d", 2))
    add([F + "dropout3d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout3d", 1))
    add([F + "feature_alpha_dropout"], "input, p=0.5, training=False, inplace=False",
        _feature_dropout("feature_alpha_dropout", 2))
    # linear algebra
    add(["torch.matmul", T + "matmul", "operator.matmul", T + "__matmul__"], "input, other", _matmul)
    add(["torch.mm", T + "mm"], "input, mat2", _mm)
    add(["torch.bmm", T + "bmm"], "input, mat2", _bmm)
    add([F + "linear"], "input, weight, bias=None", _linear)
    add(["torch.einsum"], "equation, *args", _einsum)
    # reductions
    add(["torch." + n for n in _REDUCTIONS] + [T + n for n in _REDUCTIONS], "input, dim=None, keepdim=False, *, dtype=None, out=None",
        _reduction)
    add(["torch.std", "torch.var", T + "std", T + "var"], "input, dim=None, unbiased=True, keepdim=False, *, correction=None",
        _reduction)
    add(["torch.norm", T + "norm"], "input, p='fro', dim=None, keepdim=False, dtype=None", _reduction)
    add(["torch.max", "torch.min", T + "max", T + "min", "torch.median", T + "median"], "input, dim=None, keepdim=False",
        _max_like)
    add(["torch.argmax", "torch.argmin", T + "argmax", T + "argmin"], "input, dim=None, keepdim=False", _arg_reduction)
    # reshaping
    add(["torch.flatten", T + "flatten"], "input, start_dim=0, end_dim=-1", _flatten)
    add(["torch.unflatten", T + "unflatten"], "input, dim, sizes", _unflatten)
    add([T + "view", T + "reshape"], "input, *args", _view)
    add(["torch.reshape"], "input, shape", _reshape_fn)
    add([T + "view_as", T + "reshape_as"], "input, other", _view_as)
    add(["torch.squeeze", T + "squeeze"], "input, dim=None", _squeeze)
    add(["torch.unsqueeze", T + "unsqueeze"], "input, dim", _unsqueeze)
    add([T + "permute"], "input, *args", _permute)
    add(["torch.permute"], "input, dims", _permute)
    add(["torch.transpose", T + "transpose", "torch.swapaxes", T + "swapaxes", "torch.swapdims", T + "swapdims"],
        "input, dim0, dim1", _transpose)
    add(["torch.t", T + "t"], "input", _t)
    add([T + "T"], "input", _T)
    add([T + "mT"], "input", _mT)
    add([T + "expand"], "input, *args", _expand)
    add([T + "expand_as"], "input, other", _expand_as)
    add([T + "repeat"], "input, *args", _repeat)
    add(["torch.chunk", T + "chunk"], "input, chunks, dim=0", _chunk)
    add(["torch.split", T + "split"], "input, split_size_or_sections, dim=0", _split)
    add(["torch.unbind", T + "unbind"], "input, dim=0", _unbind)
    add(["torch.cat", "torch.concat", "torch.concatenate"], "tensors, dim=0, *, out=None", _cat)
    add(["torch.stack"], "tensors, dim=0, *, out=None", _stack)
    # sizes and indexing
    add([T + "size"], "input, dim=None", _size)
    add([T + "shape"], "input", _shape)
    add([T + "dim", T + "ndim", T + "ndimension"], "input", _ndim)
    add([T + "numel", "torch.numel", T + "nelement"], "input", _numel)
    add(["operator.getitem", T + "__getitem__"], "input, index", _getitem)
    # functional forms of the layers
    for nd in (1, 2, 3):
        add([F + f"conv{nd}d", f"torch.conv{nd}d"], "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1",
            _conv_op(nd, False))
        add([F + f"conv_transpose{nd}d", f"torch.conv_transpose{nd}d"],
            "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1",
            _conv_op(nd, True))
        add([F + f"max_pool{nd}d", f"torch.max_pool{nd}d"],
            "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False",
            _pool_op("max", nd))
        add([F + f"avg_pool{nd}d"] + (["torch.avg_pool1d"] if nd == 1 else []),
            "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"
            + (", divisor_override=None" if nd > 1 else ""), _pool_op("avg", nd))
        add([F + f"adaptive_avg_pool{nd}d"], "input, output_size", _adaptive_op("avg", nd))
        add([F + f"adaptive_max_pool{nd}d"], "input, output_size, return_indices=False", _adaptive_op("max", nd))
    add([F + "interpolate", F + "upsample"], "input, size=None, scale_factor=None, mode='nearest', align_corners=None, "
        "recompute_scale_factor=None, antialias=False", _interpolate)
    add([F + "pad"], "input, pad, mode='constant', value=None", _pad)
    add([F + "layer_norm"], "input, normalized_shape, weight=None, bias=None, eps=1e-05", _layer_norm)
    add([F + "batch_norm"], "input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, "
        "eps=1e-05", _batch_norm)
    add([F + "group_norm"], "input, num_groups, weight=None, bias=None, eps=1e-05", _group_norm)
    add([F + "embedding"], "input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, "
        "sparse=False", _embedding)
    add([F + "one_hot"], "tensor, num_classes=-1", _one_hot)
    add([F + "scaled_dot_product_attention"], "query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, "
        "scale=None, enable_gqa=False", _sdpa)
    add([F + "pixel_shuffle", "torch.pixel_shuffle"], "input, upscale_factor", _pixel(True))
    add([F + "pixel_unshuffle", "torch.pixel_unshuffle"], "input, downscale_factor", _pixel(False))
    add(["torch.zeros", "torch.ones", "torch.empty", "torch.rand", "torch.randn"], "*args, **kwargs", _creation)
    add([T + n for n in ("new_zeros", "new_ones", "new_empty")], "input, *args, **kwargs", _new)
    add(["torch.full"], "size, fill_value, **kwargs", _full)
    add([T + "new_full"], "input, size, fill_value, **kwargs", _full)
    add(["torch.eye"], "n, m=None, **kwargs", _eye)
    add(["torch.linspace", "torch.logspace"], "start, end, steps, *args, **kwargs", _linspace)
    add(["torch.arange"], "*args, **kwargs", _arange)
    return {name: OpSpec(name, signature, rule) for name, signature, rule in entries}


OPS: dict[str, OpSpec] = _table()
