"""Symbolic tensor dimensions: an int, an expression over named positive-integer symbols, or UNKNOWN.

A dimension is a plain `int` when it is known, an `Expr` when it depends on symbols such as the batch
size `N` or the image size `H`, `W`, and `UNKNOWN` when nothing can be said. Expressions support
`+ - *`, floor division and modulo by a positive int, and print readably (`32*(H//4)*(W//4)`).

Why not sympy (measured on this project's 2-core machine): building one `sympy.floor` of a symbolic
expression costs about 1.5 ms (assumption queries), a 6-layer conv chain on symbolic H, W about 80 ms,
and `import sympy` 0.47 s; pylint's own time for a small file is of that order. This module is a small
exact algebra instead: integer polynomials whose atoms are symbols and floor quotients `floor(P / d)`
(P a polynomial, d > 0). A conv output-size formula costs about 40 us and the module imports in a few ms.

Floor division simplifies by identities that hold for every integer value of the symbols:
  * integer parts leave the floor: `(4*H + 5)//4 == H + 1 + (1//4) == H + 1`;
  * a common factor of the symbolic terms and the divisor cancels, the constant then rounds down:
    `(2*H + 1)//4 == H//2` (because `floor((2H + 1)/2) == H`);
  * nested floors merge: `((H//2) + k)//2 == (H + 2*k)//4` for any integer-valued k.
So the conv/pool formula `(H + 2p - d(k-1) - 1)//s + 1` gives `H//2` for a 2x2 pool and `H//4`
after two of them, and equal shapes compare equal. Anything else stays a floor atom (never wrong,
at worst not simplified); `compare` then falls back to evaluating at sample points, so a missed
identity can make two equal dims look "equal at every sample" (treated as equal) but never unequal.

Deciding (`compare`, `sign`): a difference is "never zero" when interval bounds over symbols >= 1
exclude 0 (floor atoms bounded directly and as `P/d - r`, 0 <= r < 1) or when the gcd of its symbolic
coefficients does not divide its constant (`2*H != 7`). Such a mismatch is an error; one that holds for
some values only is a `Condition` (`H*W == 784`, `H >= 3`, `H == 5 or H == 1`) with a bounded search
for an example (`H=28, W=28`).
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from functools import cached_property
from typing import Any, Union


class Unknown:
    """The one "cannot say" value: of a dim, a shape, an argument. Arithmetic on it stays unknown."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "?"

    def __bool__(self) -> bool:
        return False

    def _unknown(self, *_: object) -> Unknown:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unknown
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __neg__ = __pos__ = _unknown
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = _unknown


UNKNOWN = Unknown()


# ----------------------------------------------------------------------------------------- atoms

@dataclass(frozen=True)
class Sym:
    """A named positive integer (N, C, H, W, T...)."""

    name: str

    def key(self) -> tuple:
        return (0, self.name)


@dataclass(frozen=True)
class FloorDiv:
    """floor(num / den) with den > 1 and num a normalised polynomial (see `_floordiv_poly`)."""

    num: Poly
    den: int

    def key(self) -> tuple:
        return (1, self.den, self.num.key())


Atom = Union[Sym, FloorDiv]
Monomial = tuple[tuple[Atom, int], ...]  # sorted (atom, power) pairs; () is the constant monomial


@dataclass(frozen=True)
class Poly:
    """An integer polynomial over atoms, as sorted (monomial, nonzero coefficient) terms."""

    terms: tuple[tuple[Monomial, int], ...]

    @staticmethod
    def build(acc: Mapping[Monomial, int]) -> Poly:
        items = [(m, c) for m, c in acc.items() if c]
        items.sort(key=lambda mc: _monomial_key(mc[0]))
        return Poly(tuple(items))

    def key(self) -> tuple:
        return tuple((_monomial_key(m), c) for m, c in self.terms)

    def constant(self) -> int:
        return dict(self.terms).get((), 0)

    def as_int(self) -> int | None:
        if not self.terms:
            return 0
        if len(self.terms) == 1 and self.terms[0][0] == ():
            return self.terms[0][1]
        return None


def _monomial_key(monomial: Monomial) -> tuple:
    degree = sum(power for _, power in monomial)
    return (-degree, tuple((atom.key(), power) for atom, power in monomial))


def _poly_add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    acc = dict(a.terms)
    for m, c in b.terms:
        acc[m] = acc.get(m, 0) + sign * c
    return Poly.build(acc)


def _mono_mul(a: Monomial, b: Monomial) -> Monomial:
    powers: dict[Atom, int] = dict(a)
    for atom, p in b:
        powers[atom] = powers.get(atom, 0) + p
    return tuple(sorted(powers.items(), key=lambda ap: ap[0].key()))


def _poly_mul(a: Poly, b: Poly) -> Poly:
    acc: dict[Monomial, int] = {}
    for ma, ca in a.terms:
        for mb, cb in b.terms:
            m = _mono_mul(ma, mb)
            acc[m] = acc.get(m, 0) + ca * cb
    return Poly.build(acc)


def _const(value: int) -> Poly:
    return Poly.build({(): value})


def _atom_poly(atom: Atom) -> Poly:
    return Poly(((((atom, 1),), 1),))


def _floordiv_poly(num: Poly, den: int) -> Poly:
    """floor(num / den) for den >= 1, normalised by the identities in the module docstring."""
    if den == 1:
        return num
    whole: dict[Monomial, int] = {}
    rest: dict[Monomial, int] = {}
    for m, c in num.terms:
        q, r = divmod(c, den)
        whole[m], rest[m] = q, r
    integer_part = Poly.build(whole)
    remainder = Poly.build(rest)
    constant = remainder.constant()
    symbolic = [(m, c) for m, c in remainder.terms if m != ()]
    if not symbolic:  # 0 <= constant < den
        return integer_part
    g = math.gcd(den, *(c for _, c in symbolic))
    if g > 1:  # floor((g*X + r)/(g*n)) == floor((X + r//g)/n)
        reduced = Poly.build({**{m: c // g for m, c in symbolic}, (): constant // g})
        return _poly_add(integer_part, _floordiv_poly(reduced, den // g))
    nested = [m for m, c in symbolic if c == 1 and len(m) == 1 and m[0][1] == 1 and isinstance(m[0][0], FloorDiv)]
    if nested:  # floor((floor(P/d2) + K)/d) == floor((P + K*d2)/(d2*d))
        inner: FloorDiv = nested[0][0][0]  # type: ignore[assignment]
        others = _poly_add(remainder, _atom_poly(inner), -1)
        merged = _poly_add(inner.num, _poly_mul(others, _const(inner.den)))
        return _poly_add(integer_part, _floordiv_poly(merged, inner.den * den))
    return _poly_add(integer_part, _atom_poly(FloorDiv(remainder, den)))


# ------------------------------------------------------------------------------------- the Expr

class Expr:
    """A symbolic dimension: an integer polynomial over symbols and floor quotients (never constant)."""

    __slots__ = ("poly", "_hash", "__dict__")

    def __init__(self, poly: Poly) -> None:
        self.poly = poly
        self._hash = hash(poly)

    # arithmetic: with ints and Exprs exact; with floats or UNKNOWN unknown; else not supported ------
    def __add__(self, other: object) -> Dim:
        o = _operand(other)
        return o if not isinstance(o, Poly) else _wrap(_poly_add(self.poly, o))

    __radd__ = __add__

    def __sub__(self, other: object) -> Dim:
        o = _operand(other)
        return o if not isinstance(o, Poly) else _wrap(_poly_add(self.poly, o, -1))

    def __rsub__(self, other: object) -> Dim:
        o = _operand(other)
        return o if not isinstance(o, Poly) else _wrap(_poly_add(o, self.poly, -1))

    def __mul__(self, other: object) -> Dim:
        o = _operand(other)
        return o if not isinstance(o, Poly) else _wrap(_poly_mul(self.poly, o))

    __rmul__ = __mul__

    def __neg__(self) -> Dim:
        return _wrap(_poly_mul(self.poly, _const(-1)))

    def __pos__(self) -> Dim:
        return self

    def __pow__(self, other: object) -> Dim:
        if isinstance(other, int) and not isinstance(other, bool) and 0 <= other <= 8:
            result: Poly = _const(1)
            for _ in range(other):
                result = _poly_mul(result, self.poly)
            return _wrap(result)
        return _unknown_or_unsupported(other)

    def __floordiv__(self, other: object) -> Dim:
        if isinstance(other, int) and not isinstance(other, bool) and other > 0:
            return _wrap(_floordiv_poly(self.poly, other))
        # division by a symbolic or non-positive divisor is not modelled
        return UNKNOWN if isinstance(other, (int, Expr)) else _unknown_or_unsupported(other)

    def __mod__(self, other: object) -> Dim:
        quotient = self // other
        if not isinstance(quotient, (int, Expr)):
            return quotient
        return self - quotient * other  # type: ignore[operator]

    def _unknown(self, other: object) -> Dim:
        return UNKNOWN if isinstance(other, (int, Expr)) else _unknown_or_unsupported(other)

    # true division gives a float, and the reflected forms divide by a symbol: unknown
    __truediv__ = __rtruediv__ = __rfloordiv__ = __rmod__ = __rpow__ = _unknown

    # identity --------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expr) and other.poly == self.poly

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return fmt(self)

    @cached_property
    def symbols(self) -> frozenset[str]:
        return frozenset(_poly_symbols(self.poly))


Dim = Union[int, Expr, Unknown]


def _wrap(poly: Poly) -> Dim:
    value = poly.as_int()
    return value if value is not None else Expr(poly)


def _operand(value: object) -> Any:
    """The other side of an arithmetic operation: a Poly, UNKNOWN (floats, UNKNOWN) or NotImplemented."""
    if isinstance(value, Expr):
        return value.poly
    if isinstance(value, int):  # bools count as ints in Python arithmetic
        return _const(int(value))
    return _unknown_or_unsupported(value)


def _unknown_or_unsupported(value: object) -> Any:
    return UNKNOWN if isinstance(value, (float, Unknown)) else NotImplemented


def _poly_of(value: object) -> Poly | None:
    if isinstance(value, Expr):
        return value.poly
    if isinstance(value, int) and not isinstance(value, bool):
        return _const(value)
    return None


def _poly_symbols(poly: Poly) -> Iterable[str]:
    for m, _ in poly.terms:
        for atom, _ in m:
            if isinstance(atom, Sym):
                yield atom.name
            else:
                yield from _poly_symbols(atom.num)


def symbol(name: str) -> Expr:
    """The positive-integer symbol `name`."""
    return Expr(_atom_poly(Sym(name)))


def symbols(names: str) -> tuple[Expr, ...]:
    """`symbols("N C H W")` -> four symbols."""
    return tuple(symbol(n) for n in names.split())


_SYMBOL_TEXT = re.compile(r"^[A-Za-z_]\w*$")


def is_symbol_text(text: str) -> bool:
    """Whether a printed dim (`fmt`) is one symbol, such as `N` or `H`, not a number or an expression."""
    return bool(_SYMBOL_TEXT.match(text))


def is_dim(value: object) -> bool:
    """Whether a value can stand for a dimension (int but not bool, Expr, or UNKNOWN)."""
    return isinstance(value, (Expr, Unknown)) or (isinstance(value, int) and not isinstance(value, bool))


def is_known(value: object) -> bool:
    """Known as a number or an expression (not UNKNOWN)."""
    return isinstance(value, Expr) or (isinstance(value, int) and not isinstance(value, bool))


def floordiv(a: Dim, b: Dim) -> Dim:
    """a // b; symbolic divisors and non-positive divisors of expressions give UNKNOWN."""
    if isinstance(a, int) and isinstance(b, int):
        return a // b if b else UNKNOWN
    if isinstance(a, int) and isinstance(b, Expr):
        return UNKNOWN
    return a // b  # type: ignore[operator]


def ceildiv(a: Dim, b: Dim) -> Dim:
    """ceil(a / b) for b > 0, as (a + b - 1) // b."""
    return floordiv(a + b - 1, b)  # type: ignore[operator]


def exact_div(a: Dim, b: Dim) -> Dim:
    """a / b when it divides exactly as polynomials (`N*C*H*W / N == C*H*W`), else UNKNOWN.

    Concrete ints that do not divide give UNKNOWN too; callers decide whether that is an error.
    """
    if not is_known(a) or not is_known(b) or b == 0:
        return UNKNOWN
    if isinstance(b, int):
        if isinstance(a, int):
            return a // b if a % b == 0 else UNKNOWN
        if all(c % b == 0 for _, c in a.poly.terms):  # type: ignore[union-attr]
            return _wrap(Poly.build({m: c // b for m, c in a.poly.terms}))  # type: ignore[union-attr]
        return UNKNOWN
    if len(b.poly.terms) != 1:  # type: ignore[union-attr]
        return UNKNOWN
    (bm, bc), = b.poly.terms  # type: ignore[union-attr]
    apoly = _poly_of(a)
    assert apoly is not None
    out: dict[Monomial, int] = {}
    bpowers = dict(bm)
    for m, c in apoly.terms:
        powers = dict(m)
        if c % bc or any(powers.get(atom, 0) < p for atom, p in bpowers.items()):
            return UNKNOWN
        rest = tuple(sorted(((atom, p - bpowers.get(atom, 0)) for atom, p in powers.items()
                             if p - bpowers.get(atom, 0)), key=lambda ap: ap[0].key()))
        out[rest] = out.get(rest, 0) + c // bc
    return _wrap(Poly.build(out))


def prod(dims: Iterable[Dim]) -> Dim:
    result: Dim = 1
    for d in dims:
        result = result * d  # type: ignore[operator]
    return result


# --------------------------------------------------------------------------------- evaluation

def substitute(d: Dim, values: Mapping[str, int]) -> Dim:
    """Replace symbols by ints (all of them: an int; some of them: an Expr)."""
    if not isinstance(d, Expr):
        return d
    return _wrap(_subst_poly(d.poly, values))


def _subst_poly(poly: Poly, values: Mapping[str, int]) -> Poly:
    total = _const(0)
    for m, c in poly.terms:
        term = _const(c)
        for atom, power in m:
            if isinstance(atom, Sym):
                base = _const(values[atom.name]) if atom.name in values else _atom_poly(atom)
            else:
                base = _floordiv_poly(_subst_poly(atom.num, values), atom.den)
            for _ in range(power):
                term = _poly_mul(term, base)
        total = _poly_add(total, term)
    return total


def _eval(poly: Poly, values: Mapping[str, int]) -> int:
    total = 0
    for m, c in poly.terms:
        term = c
        for atom, power in m:
            base = values[atom.name] if isinstance(atom, Sym) else _eval(atom.num, values) // atom.den
            term *= base ** power
        total += term
    return total


def evaluate(d: Dim, values: Mapping[str, int]) -> int | Unknown:
    """The int a dim takes when every symbol has a value; UNKNOWN if one is missing."""
    if isinstance(d, int) or isinstance(d, Unknown):
        return d
    try:
        return _eval(d.poly, values)
    except KeyError:
        return UNKNOWN


# --------------------------------------------------------------------------------- comparison

class Relation(Enum):
    EQUAL = "equal"  # for every value of the symbols
    UNEQUAL = "unequal"  # for every value of the symbols: a definite error
    CONDITIONAL = "conditional"  # equal for some values only: a constraint on the input
    UNKNOWN = "unknown"  # one side unknown: nothing can be said


_SAMPLES = 48
_SCAN_LIMIT = 1024  # all symbols equal, 1..1024
_MIXED_LIMIT = 1024  # then this many mixed points of small values


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing two dims; for CONDITIONAL, `condition` says when they are equal."""

    relation: Relation
    left: Dim = UNKNOWN
    right: Dim = UNKNOWN

    @property
    def condition(self) -> Condition:
        """What must hold for the two sides to be equal (meaningful for CONDITIONAL)."""
        return Condition(self.left, "==", self.right)


@dataclass(frozen=True)
class Condition:
    """A requirement on the symbols under which a call is valid: `left == right`, `left >= right`, or
    `left == right or left == 1` (op "broadcasts": a dim meeting `right` in broadcasting or expand)."""

    left: Dim
    op: str  # "==", ">=" or "broadcasts"
    right: Dim

    @property
    def text(self) -> str:
        """Reduced and readable: `H*W == 784`, `(H//4)*(W//4) == 49`, `H >= 3`, `H == 5 or H == 1`."""
        if self.op == "broadcasts":
            one = _condition_text(self.left - 1)  # type: ignore[operator]
            return f"{_condition_text(self.left - self.right)} or {one}"  # type: ignore[operator]
        return _condition_text(self.left - self.right, self.op)  # type: ignore[operator]

    @cached_property
    def example(self) -> dict[str, int] | None:
        """Positive symbol values satisfying the condition, if a bounded search finds them."""
        diff = self.left - self.right  # type: ignore[operator]
        if not isinstance(diff, Expr):
            return None
        names = sorted(diff.symbols)
        if self.op in ("==", "broadcasts"):
            return _find_root(diff.poly, names)
        return next(({n: v for n in names} for v in range(1, _SCAN_LIMIT + 1)
                     if _eval(diff.poly, {n: v for n in names}) >= 0), None)

    def holds(self, values: Mapping[str, int]) -> bool | None:
        """Whether the condition holds for these symbol values (None if one is missing)."""
        left, right = evaluate(self.left, values), evaluate(self.right, values)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return None
        if self.op == "broadcasts":
            return left in (right, 1)
        return left == right if self.op == "==" else left >= right

    def describe(self) -> str:
        """`H*W == 784, e.g. H=28, W=28`."""
        example = self.example
        return f"{self.text}, e.g. {fmt_values(example)}" if example else self.text


def compare(a: Dim, b: Dim) -> Comparison:
    """Compare two dims for all positive-integer values of their symbols."""
    if not is_known(a) or not is_known(b):
        return Comparison(Relation.UNKNOWN, a, b)
    diff = a - b  # type: ignore[operator]
    if isinstance(diff, int):
        return Comparison(Relation.EQUAL if diff == 0 else Relation.UNEQUAL, a, b)
    assert isinstance(diff, Expr)
    if _never_zero(diff.poly):
        return Comparison(Relation.UNEQUAL, a, b)
    if _zero_at_samples(diff.poly, sorted(diff.symbols)):
        return Comparison(Relation.EQUAL, a, b)  # an identity the normal form missed
    return Comparison(Relation.CONDITIONAL, a, b)


def sign(d: Dim) -> int | None:
    """1 if d >= 1 for every value of the symbols, -1 if d <= 0 for every value, else None."""
    if isinstance(d, int):
        return 1 if d >= 1 else -1
    if not isinstance(d, Expr):
        return None
    low, high = _range(d.poly)
    if low >= 1:
        return 1
    if high <= 0:
        return -1
    return None


def _never_zero(poly: Poly) -> bool:
    low, high = _range(poly)
    if low > 0 or high < 0:
        return True
    symbolic = [c for m, c in poly.terms if m != ()]
    g = math.gcd(*symbolic)
    # every non-constant monomial is integer-valued, so the sum of them is a multiple of g
    return g > 1 and poly.constant() % g != 0


_INF = math.inf


def _range(poly: Poly) -> tuple[float, float]:
    """Bounds of poly over symbols >= 1: the tighter of two interval evaluations."""
    low, high = _bounds(poly.terms)
    rlow, rhigh = _relaxed_bounds(poly)
    low, high = max(low, rlow), min(high, rhigh)
    # every Poly is integer-valued: round the bounds inwards (the epsilon absorbs float error)
    return (math.ceil(low - 1e-9) if low > -_INF else low), (math.floor(high + 1e-9) if high < _INF else high)


def _relaxed_bounds(poly: Poly) -> tuple[float, float]:
    """Bounds after writing each lone floor atom as `P/d - r` with 0 <= r <= (d-1)/d.

    Terms then cancel that plain intervals cannot see: `2*((H - 1)//2) - H` lies in [-2, -1].
    """
    acc: dict[Monomial, Fraction] = {}
    slack_low = slack_high = Fraction(0)
    for m, c in poly.terms:
        if len(m) == 1 and m[0][1] == 1 and isinstance(m[0][0], FloorDiv):
            atom = m[0][0]
            for pm, pc in atom.num.terms:
                acc[pm] = acc.get(pm, Fraction(0)) + Fraction(c * pc, atom.den)
            r_max = Fraction(atom.den - 1, atom.den)
            slack_low += min(Fraction(0), -c * r_max)
            slack_high += max(Fraction(0), -c * r_max)
        else:
            acc[m] = acc.get(m, Fraction(0)) + c
    low, high = _bounds([(m, c) for m, c in acc.items() if c])
    return low + float(slack_low), high + float(slack_high)


def _bounds(terms: Iterable[tuple[Monomial, int | Fraction]]) -> tuple[float, float]:
    """Interval of values over symbols >= 1 (floor atoms bounded through their numerators)."""
    low = high = 0.0
    for m, c in terms:
        mlow, mhigh = 1.0, 1.0
        for atom, power in m:
            if isinstance(atom, Sym):
                alow, ahigh = 1.0, _INF
            else:
                nlow, nhigh = _range(atom.num)
                alow = math.floor(nlow / atom.den) if nlow > -_INF else -_INF
                ahigh = math.floor(nhigh / atom.den) if nhigh < _INF else _INF
            plow, phigh = _interval_pow(alow, ahigh, power)
            mlow, mhigh = _interval_mul(mlow, mhigh, plow, phigh)
        cf = float(c)
        ends = (_safe_mul(cf, mlow), _safe_mul(cf, mhigh))
        tlow, thigh = min(ends), max(ends)
        low, high = low + tlow, high + thigh
    return low, high


def _safe_mul(x: float, y: float) -> float:
    return 0.0 if x == 0 or y == 0 else x * y


def _interval_mul(al: float, ah: float, bl: float, bh: float) -> tuple[float, float]:
    products = [_safe_mul(al, bl), _safe_mul(al, bh), _safe_mul(ah, bl), _safe_mul(ah, bh)]
    return min(products), max(products)


def _interval_pow(low: float, high: float, power: int) -> tuple[float, float]:
    result = (1.0, 1.0)
    for _ in range(power):
        result = _interval_mul(result[0], result[1], low, high)
    return result


def _sample_points(names: list[str]) -> Iterable[dict[str, int]]:
    rng = random.Random(len(names) * 7919 + 1)
    for v in (1, 2, 3, 7, 28, 32, 224):
        yield {n: v for n in names}
    for _ in range(_SAMPLES):
        yield {n: rng.choice((rng.randint(1, 16), rng.randint(1, 600))) for n in names}


def _zero_at_samples(poly: Poly, names: list[str]) -> bool:
    return all(_eval(poly, point) == 0 for point in _sample_points(names))


def _find_root(poly: Poly, names: list[str]) -> dict[str, int] | None:
    """Symbol values making poly zero: all symbols equal first (28x28), then small mixed values.

    Bounded: at most _SCAN_LIMIT + _MIXED_LIMIT evaluations (a few ms), None when nothing is found.
    """
    for v in range(1, _SCAN_LIMIT + 1):
        point = {n: v for n in names}
        if _eval(poly, point) == 0:
            return point
    side = max(2, int(_MIXED_LIMIT ** (1 / max(len(names), 1))))
    for values in itertools.product(range(1, side + 1), repeat=len(names)):
        point = dict(zip(names, values))
        if _eval(poly, point) == 0:
            return point
    return None


# ----------------------------------------------------------------------------------- printing

def fmt(d: object) -> str:
    """Readable text of a dim: `32`, `N`, `32*(H//4)*(W//4)`, `H - 2`, `?`."""
    if isinstance(d, Expr):
        return _fmt_poly(d.poly)
    return repr(d) if isinstance(d, Unknown) else str(d)


def fmt_shape(shape: object) -> str:
    """`(N, 32, H//2, W//2)`; an unknown shape prints as `?`."""
    if isinstance(shape, tuple):
        inner = ", ".join(fmt(d) for d in shape)
        return f"({inner},)" if len(shape) == 1 else f"({inner})"
    return "?"


def fmt_values(values: Mapping[str, int]) -> str:
    """`H=28, W=28`."""
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _fmt_floor(atom: FloorDiv, outer: bool = False) -> str:
    num = _fmt_poly(atom.num)
    if len(atom.num.terms) > 1:
        num = f"({num})"
    text = f"{num}//{atom.den}"
    return text if outer else f"({text})"


def _fmt_monomial(m: Monomial, alone: bool) -> str:
    """A product of atoms; a floor quotient needs parentheses unless it stands alone in its term."""
    bare = alone and len(m) == 1 and m[0][1] == 1
    parts = []
    for atom, power in m:
        base = atom.name if isinstance(atom, Sym) else _fmt_floor(atom, outer=bare)
        parts.append(base if power == 1 else f"{base}**{power}")
    return "*".join(parts)


def _fmt_poly(poly: Poly) -> str:
    if not poly.terms:
        return "0"
    out = ""
    for i, (m, c) in enumerate(poly.terms):
        magnitude = abs(c)
        body = _fmt_monomial(m, alone=magnitude == 1 and not (i == 0 and c < 0))
        text = str(magnitude) if not body else body if magnitude == 1 else f"{magnitude}*{body}"
        if i == 0:
            out = f"-{text}" if c < 0 else text
        else:
            out += f" - {text}" if c < 0 else f" + {text}"
    return out


_FLIPPED = {"==": "==", ">=": "<="}


def _condition_text(diff: Dim, op: str = "==") -> str:
    """`diff op 0` written as `positive terms op negative terms`, common factor removed."""
    if not isinstance(diff, Expr):
        return f"{fmt(diff)} {op} 0"
    g = math.gcd(*(c for _, c in diff.poly.terms))
    left = {m: c // g for m, c in diff.poly.terms if c > 0}
    right = {m: -c // g for m, c in diff.poly.terms if c < 0}
    if not left or (() in left and len(left) == 1):  # keep the symbols on the left
        left, right, op = right, left, _FLIPPED[op]
    return f"{_fmt_poly(Poly.build(left))} {op} {_fmt_poly(Poly.build(right))}"
