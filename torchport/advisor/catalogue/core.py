"""The catalogue's vocabulary: abstract tensors, problems, results, and the checks rules share.

Rules raise `Invalid(problem)` for a definite error (torch would raise for every value of the
symbols) and record constraints (valid only for some values) on a `Ctx`; `run_rule` turns both,
and any internal failure, into a `Result`, so nothing escapes to the user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from torchport.advisor.dims import (
    UNKNOWN,
    Condition,
    Dim,
    Expr,
    Relation,
    Unknown,
    compare,
    fmt,
    fmt_shape,
    sign,
)

Shape = tuple[Dim, ...]


@dataclass(frozen=True)
class Tensor:
    """An abstract tensor: its shape, or UNKNOWN when even the rank is unknown, and its dtype name when
    known (`float32`, `int64`, `bool`: torch's names without `torch.`), and its strides when known
    (`catalogue.layout`: None unless a layout rule says). Equality compares shapes only; rules read the
    dtype where it decides (class-index targets, embedding indices) and give outputs without one."""

    shape: Shape | Unknown = UNKNOWN
    dtype: str | None = field(default=None, compare=False)
    strides: tuple[Dim, ...] | None = field(default=None, compare=False)

    @property
    def integer(self) -> bool | None:
        """Whether the dtype is an integer type; None when unknown."""
        if self.dtype is None:
            return None
        return self.dtype.removeprefix("torch.") in _INTEGER_DTYPES

    @property
    def rank(self) -> int | None:
        return None if isinstance(self.shape, Unknown) else len(self.shape)

    def __repr__(self) -> str:
        return f"Tensor{fmt_shape(self.shape)}"


_INTEGER_DTYPES = frozenset({"int64", "int32", "int16", "int8", "uint8", "long", "int", "short"})


# Problem codes: what kind of mistake, so the checkers can phrase each kind their own way.
PROBLEM_CODES = {
    "arg-mismatch": "a constructor/operation argument disagrees with the input (arg, operand, dim, got, expected)",
    "size-mismatch": "two dims that must agree do not (operand/dim name one of them; got, expected)",
    "element-count": "view/reshape/unflatten sizes do not multiply to the input's element count",
    "rank": "the input has a number of dims the layer or operation does not accept",
    "dim-range": "a dim index is out of range for the input's rank",
    "too-small": "an output size would be smaller than 1 (input too small for kernel/stride)",
    "invalid-arg": "an argument value torch rejects (groups not dividing channels, stride with 'same'...)",
    "bad-call": "the arguments do not fit the signature (TypeError in torch)",
    "dtype": "a tensor of the wrong kind: float class targets or embedding indices, integer probabilities",
    "strides": "view() of a tensor whose strides cannot give the new shape without a copy (use reshape)",
}


@dataclass(frozen=True)
class Problem:
    """One error or constraint, structured so that a checker can say which number is wrong.

    `operand` is the index of the tensor input at fault, `dim` a non-negative dim index of it;
    `got` is the value found, `expected` what it should be. A constraint (valid only for some values
    of the symbols) has a `condition`: `.text` ("H*W == 784"), `.example` ({"H": 28, "W": 28}),
    `.holds(values)`; its message reads "<where>: valid only when <condition>, e.g. ... (<detail>)".
    """

    code: str
    message: str
    arg: str | None = None
    operand: int | None = None
    dim: int | None = None
    got: Any = None
    expected: Any = None
    condition: Condition | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Result:
    """What a layer call or an operation gives.

    `value`: a Tensor, a tuple of values (LSTM's `(out, (h, c))`), a Dim, a tuple of Dims (`x.shape`),
    None (a layer output that is None), or UNKNOWN. It is UNKNOWN whenever `errors` is not empty;
    then `assumed` holds the value the call would give if the reported argument were right (for
    a walk that continues past the error), or UNKNOWN. `constraints` list conditions on the symbols
    under which the call is valid.
    """

    value: Any = UNKNOWN
    errors: tuple[Problem, ...] = ()
    constraints: tuple[Problem, ...] = ()
    assumed: Any = UNKNOWN

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def known(self) -> bool:
        return not self.errors and not isinstance(self.value, Unknown)


class Invalid(Exception):
    """Raised inside rules for a definite error; `assumed` is the value to continue with, if any."""

    def __init__(self, problem: Problem, assumed: Any = UNKNOWN) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.assumed = assumed


class Undecidable(Exception):
    """Raised inside rules when the answer is unknown (a value needed is not known)."""


class Ctx:
    """Collects the constraints of one rule evaluation and offers the comparisons rules make."""

    def __init__(self) -> None:
        self.constraints: list[Problem] = []
        self.deferred: list[Problem] = []  # errors that do not stop the shape computation

    def equal(self, got: Dim, expected: Dim, problem: Callable[[], Problem], defer: bool = False) -> None:
        """Require got == expected: an error when never equal, a constraint when sometimes."""
        relation = compare(got, expected).relation
        if relation is Relation.UNEQUAL:
            if defer:
                self.deferred.append(problem())
            else:
                raise Invalid(problem())
        elif relation is Relation.CONDITIONAL:
            self.constraints.append(_as_constraint(problem(), Condition(got, "==", expected)))

    def broadcastable(self, dim: Dim, target: Dim, problem: Callable[[], Problem]) -> None:
        """Require dim == target or dim == 1 (expand, or broadcasting against a dim that is not 1)."""
        relation = compare(dim, target).relation
        if relation in (Relation.EQUAL, Relation.UNKNOWN) or dim == 1:
            return
        if isinstance(dim, Expr) and sign(dim - 1) != 1:  # the symbol may be 1
            self.constraints.append(_as_constraint(problem(), Condition(dim, "broadcasts", target)))
        elif relation is Relation.UNEQUAL:
            raise Invalid(problem())
        else:
            self.constraints.append(_as_constraint(problem(), Condition(dim, "==", target)))

    def positive(self, size: Dim, problem: Callable[[], Problem]) -> None:
        """Require size >= 1: an error when it is < 1 for every value of the symbols, a constraint
        when only for some."""
        s = sign(size)
        if s == -1:
            raise Invalid(problem())
        if s is None and isinstance(size, Expr):
            self.constraints.append(_as_constraint(problem(), Condition(size, ">=", 1)))


def _as_constraint(problem: Problem, condition: Condition) -> Problem:
    """The problem rephrased as a condition: "Linear: valid only when H*W == 784, e.g. ... (detail)"."""
    where, _, detail = problem.message.partition(": ")
    if not detail:
        where, detail = "", where
    text = f"valid only when {condition.describe()} (otherwise {detail})"
    return replace(problem, message=f"{where}: {text}" if where else text, condition=condition)


def run_rule(rule: Callable[[Ctx], Any]) -> Result:
    """Evaluate a rule; never raise."""
    ctx = Ctx()
    try:
        value = rule(ctx)
    except Invalid as invalid:
        return Result(UNKNOWN, (*ctx.deferred, invalid.problem), tuple(ctx.constraints), invalid.assumed)
    except Undecidable:
        return Result(UNKNOWN, tuple(ctx.deferred), tuple(ctx.constraints))
    except Exception:  # a rule's internal failure must never reach the user: unknown is the answer
        return Result(UNKNOWN, tuple(ctx.deferred), tuple(ctx.constraints))
    if ctx.deferred:
        return Result(UNKNOWN, tuple(ctx.deferred), tuple(ctx.constraints), value)
    return Result(value, (), tuple(ctx.constraints))


# ------------------------------------------------------------------------------ value helpers

def need(value: Any) -> Any:
    """The value itself, or Undecidable when it is UNKNOWN."""
    if isinstance(value, Unknown):
        raise Undecidable
    return value


def shape_of(value: Any, *, operand: int = 0) -> Shape:
    """The shape of an abstract tensor argument; Undecidable when not known."""
    if isinstance(value, Tensor) and not isinstance(value.shape, Unknown):
        return value.shape
    raise Undecidable


def as_int(value: Any, name: str, *, minimum: int | None = None) -> Dim:
    """An int-like argument (int or symbolic dim); a literal of another type is Undecidable.

    `minimum` turns known ints below it into an invalid-arg error.
    """
    if isinstance(value, bool) or not (isinstance(value, (int, Expr))):
        raise Undecidable
    if minimum is not None and isinstance(value, int) and value < minimum:
        raise Invalid(Problem("invalid-arg", f"{name} must be at least {minimum}, got {value}", arg=name,
                              got=value, expected=minimum))
    return value


def as_tuple(value: Any, n: int, name: str, *, minimum: int | None = None,
             allow_single: bool = False) -> tuple[Dim, ...]:
    """An `int or tuple of n ints` argument as an n-tuple (torch's `_ntuple`)."""
    if isinstance(value, (tuple, list)):
        items = tuple(value)
        if allow_single and len(items) == 1:
            items = items * n
        if len(items) != n:
            raise Invalid(Problem("invalid-arg", f"{name} must be an int or a tuple of {n} ints, got {value!r}",
                                  arg=name, got=value, expected=n))
        return tuple(as_int(v, name, minimum=minimum) for v in items)
    return (as_int(value, name, minimum=minimum),) * n


def as_bool(value: Any) -> bool:
    if isinstance(value, Unknown):
        raise Undecidable
    return bool(value)


def norm_dim(dim: Any, rank: int, *, name: str = "dim", operand: int = 0, scalar_ok: bool = True) -> int:
    """A dim index in [-rank, rank) made non-negative; a 0-d tensor accepts -1 and 0 (torch's rule)."""
    d = need(dim)
    if isinstance(d, bool) or not isinstance(d, int):
        raise Undecidable
    size = max(rank, 1) if scalar_ok else rank
    if not -size <= d < size:
        raise Invalid(Problem("dim-range", f"{name}={d} is out of range for a {rank}-d input "
                              f"(expected a value in [{-size}, {size - 1}])", arg=name, operand=operand,
                              got=d, expected=(-size, size - 1)))
    return d % size if size else 0


def integer_indices(name: str, value: Any, operand: int = 0) -> None:
    """Embedding lookups need integer indices: a float tensor is a definite error."""
    if isinstance(value, Tensor) and value.integer is False:
        raise Invalid(Problem("dtype", f"{name} expects integer indices (int64), got a {value.dtype} tensor",
                              operand=operand, got=value.dtype, expected="int64"))


def rank_error(name: str, rank: int, allowed: str, operand: int = 0) -> Invalid:
    return Invalid(Problem("rank", f"{name} expects a {allowed}-d input, got a {rank}-d one", operand=operand,
                           got=rank, expected=allowed))


def check_rank(shape: Shape, allowed: Sequence[int], name: str, operand: int = 0) -> None:
    if len(shape) not in allowed:
        raise rank_error(name, len(shape), " or ".join(str(r) for r in allowed), operand)


def arg_mismatch(name: str, arg: str, got: Any, expected: Dim, operand: int, dim: int,
                 what: str = "") -> Callable[[], Problem]:
    """A problem factory: argument `arg` (value got) should be `expected`, the input's dim `dim`."""
    def make() -> Problem:
        return Problem(
            "arg-mismatch",
            f"{name}: {arg}={fmt(got)} but the input's dim {dim}{what} is {fmt(expected)}: "
            f"{arg} should be {fmt(expected)}",
            arg=arg, operand=operand, dim=dim, got=got, expected=expected,
        )
    return make


def size_mismatch(message: str, operand: int, dim: int, got: Dim, expected: Dim) -> Callable[[], Problem]:
    return lambda: Problem("size-mismatch", message, operand=operand, dim=dim, got=got, expected=expected)


def too_small(name: str, dim: int, size: Dim, operand: int = 0) -> Callable[[], Problem]:
    return lambda: Problem("too-small", f"{name}: the output size of dim {dim} would be {fmt(size)} (< 1): "
                                        "the input is too small for this kernel, padding and stride",
                           operand=operand, dim=dim, got=size, expected=1)


def invalid(message: str, arg: str | None = None, got: Any = None, expected: Any = None) -> Invalid:
    return Invalid(Problem("invalid-arg", message, arg=arg, got=got, expected=expected))
