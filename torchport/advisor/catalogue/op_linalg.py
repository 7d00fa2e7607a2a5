"""Matrix products: matmul / @, mm, bmm, F.linear and einsum."""

from __future__ import annotations

import re

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Shape,
    Tensor,
    Undecidable,
    check_rank,
    invalid,
    need,
    shape_of,
    size_mismatch,
)
from torchport.advisor.catalogue.op import (
    F,
    T,
    Args,
    OpSpec,
    entries,
    renamed,
    tensor_shape,
)
from torchport.advisor.dims import Dim, fmt, fmt_shape


def _matmul(ctx: Ctx, a: Args) -> Tensor:
    x, y = tensor_shape(a), tensor_shape(a, "other")
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
    x, y = tensor_shape(a), tensor_shape(a, "mat2")
    check_rank(x, (2,), "mm")
    check_rank(y, (2,), "mm", operand=1)
    return _matmul(ctx, {"input": Tensor(x), "other": Tensor(y)})


def _bmm(ctx: Ctx, a: Args) -> Tensor:
    x, y = tensor_shape(a), tensor_shape(a, "mat2")
    check_rank(x, (3,), "bmm")
    check_rank(y, (3,), "bmm", operand=1)
    ctx.equal(y[0], x[0], size_mismatch(f"bmm: batch sizes differ ({fmt(x[0])} and {fmt(y[0])})", 1, 0, y[0], x[0]))
    ctx.equal(y[1], x[2], size_mismatch(f"bmm: shapes {fmt_shape(x)} and {fmt_shape(y)} cannot be multiplied: "
                                        f"{fmt(x[2])} must equal {fmt(y[1])}", 1, 1, y[1], x[2]))
    return Tensor((x[0], x[1], y[2]))


def _linear(ctx: Ctx, a: Args) -> Tensor:
    x, w = tensor_shape(a), tensor_shape(a, "weight")
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
                problem = size_mismatch(f"einsum: subscript '{letter}' is {fmt(known)} in operand {first_operand} but "
                                        f"{fmt(size)} in operand {operand}", operand, dim, size, known)
                sizes[letter] = (shapes.meet(ctx, known, size, problem), first_operand, dim)  # size 1 broadcasts
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


SPECS: list[OpSpec] = [
    *entries(["torch.matmul", "operator.matmul", T + "__matmul__"], "input, other", _matmul),
    *entries([T + "matmul"], "input, tensor2", renamed(_matmul, tensor2="other")),
    *entries(["torch.mm", T + "mm"], "input, mat2", _mm),
    *entries(["torch.bmm"], "input, mat2", _bmm),
    *entries([T + "bmm"], "input, batch2", renamed(_bmm, batch2="mat2")),
    *entries([F + "linear"], "input, weight, bias=None", _linear),
    *entries(["torch.einsum"], "equation, *args", _einsum),
]
