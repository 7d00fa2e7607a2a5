"""Symbolic dimensions: the algebra is exact (random expressions evaluate as Python ints do), comparisons
never claim more than holds, and expressions print as readable Python."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from torchport.advisor.dims import (
    UNKNOWN,
    Condition,
    Expr,
    Relation,
    compare,
    evaluate,
    exact_div,
    floordiv,
    fmt,
    fmt_shape,
    prod,
    sign,
    substitute,
    symbol,
    symbols,
)

NAMES = ("N", "H", "W")

# An expression tree: a symbol name, an int, or (op, left, right) with a positive int divisor for // and %.
leaf = st.one_of(st.sampled_from(NAMES), st.integers(-5, 40))
tree = st.recursive(
    leaf,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(("+", "-", "*")), sub, sub),
        st.tuples(st.sampled_from(("//", "%")), sub, st.integers(1, 9)),
    ),
    max_leaves=8,
)
point = st.fixed_dictionaries({n: st.integers(1, 300) for n in NAMES})


def build(node: Any, env: dict[str, Any]) -> Any:
    """Evaluate a tree with `env` giving each name a value (ints, or symbols for an Expr)."""
    if isinstance(node, str):
        return env[node]
    if isinstance(node, int):
        return node
    op, left, right = node
    a, b = build(left, env), build(right, env)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return floordiv(a, b) if op == "//" else a % b


SYMBOLS = {n: symbol(n) for n in NAMES}


@settings(max_examples=300, deadline=None)
@given(tree, point)
def test_symbolic_expressions_evaluate_like_python_ints(node: Any, values: dict[str, int]) -> None:
    expr = build(node, SYMBOLS)
    assert evaluate(expr, values) == build(node, values)


@settings(max_examples=200, deadline=None)
@given(tree, point)
def test_printed_expressions_are_python_with_the_same_value(node: Any, values: dict[str, int]) -> None:
    expr = build(node, SYMBOLS)
    assert eval(fmt(expr), {}, dict(values)) == build(node, values)  # noqa: S307 - our own output


@settings(max_examples=200, deadline=None)
@given(tree, tree, st.lists(point, min_size=5, max_size=5))
def test_compare_never_claims_more_than_holds(left: Any, right: Any, points: list[dict[str, int]]) -> None:
    a, b = build(left, SYMBOLS), build(right, SYMBOLS)
    comparison = compare(a, b)
    pairs = [(build(left, p), build(right, p)) for p in points]
    if comparison.relation is Relation.UNEQUAL:
        assert all(x != y for x, y in pairs)
    if comparison.relation is Relation.EQUAL and isinstance(a - b, int):
        assert all(x == y for x, y in pairs)
    if comparison.relation is Relation.CONDITIONAL and comparison.condition.example is not None:
        example = {n: comparison.condition.example.get(n, 1) for n in NAMES}
        assert build(left, example) == build(right, example)


@settings(max_examples=200, deadline=None)
@given(tree, st.lists(point, min_size=5, max_size=5))
def test_sign_is_sound(node: Any, points: list[dict[str, int]]) -> None:
    s = sign(build(node, SYMBOLS))
    values = [build(node, p) for p in points]
    if s == 1:
        assert all(v >= 1 for v in values)
    if s == -1:
        assert all(v <= 0 for v in values)


def conv(size: Any, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> Any:
    return floordiv(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1


def test_conv_pool_chains_simplify_to_readable_floors() -> None:
    H, W = symbols("H W")
    h, w = H, W
    for _ in range(2):
        h, w = conv(h, 3, padding=1), conv(w, 3, padding=1)  # 'same' 3x3 conv
        h, w = conv(h, 2, 2), conv(w, 2, 2)  # 2x2 max pool
    assert fmt(h) == "H//4" and fmt(32 * h * w) == "32*(H//4)*(W//4)"
    assert fmt(conv(H, 3, 2, 1)) == "(H + 1)//2"
    assert fmt(conv(H, 5)) == "H - 4"
    assert floordiv(floordiv(H, 2), 2) == floordiv(H, 4)
    assert floordiv(2 * H + 1, 4) == floordiv(H, 2)
    assert floordiv(4 * H + 5, 4) == H + 1
    assert fmt(-floordiv(H, 4)) == "-(H//4)"


def test_equal_shapes_compare_equal_and_mismatches_are_errors_or_constraints() -> None:
    H, W = symbols("H W")
    flat = 32 * floordiv(H, 4) * floordiv(W, 4)
    assert compare(flat, 32 * floordiv(floordiv(H, 2), 2) * floordiv(W, 4)).relation is Relation.EQUAL
    assert compare(H + 1, H).relation is Relation.UNEQUAL  # for every H
    assert compare(2 * H, 7).relation is Relation.UNEQUAL  # parity
    assert compare(H, floordiv(H, 2)).relation is Relation.UNEQUAL  # H >= 1
    constraint = compare(H * W, 784)
    assert constraint.relation is Relation.CONDITIONAL
    assert constraint.condition.text == "H*W == 784" and constraint.condition.example == {"H": 28, "W": 28}
    reduced = compare(flat, 1568).condition
    assert reduced.text == "(H//4)*(W//4) == 49" and reduced.describe() == "(H//4)*(W//4) == 49, e.g. H=28, W=28"
    assert Condition(H - 2, ">=", 1).text == "H >= 3" and Condition(5, ">=", H).text == "H <= 5"
    assert Condition(H - 2, ">=", 1).holds({"H": 2}) is False
    assert compare(UNKNOWN, 3).relation is Relation.UNKNOWN


def test_unknown_propagates_and_ints_stay_ints() -> None:
    H = symbol("H")
    assert H + UNKNOWN is UNKNOWN and UNKNOWN * 3 is UNKNOWN and floordiv(H, UNKNOWN) is UNKNOWN
    assert floordiv(H, H) is UNKNOWN  # symbolic divisors are not modelled
    value = (H + 3) - H
    assert value == 3 and type(value) is int
    assert prod([2, 3, 4]) == 24 and isinstance(prod([H, 2]), Expr)


def test_arithmetic_the_interpreter_may_meet_never_raises_for_numbers() -> None:
    H = symbol("H")
    assert H * 0.5 is UNKNOWN and H / 2 is UNKNOWN and 2 / H is UNKNOWN and 7 // H is UNKNOWN
    assert fmt((H + 1) ** 2) == "H**2 + 2*H + 1" and H + True == H + 1
    assert UNKNOWN / 2 is UNKNOWN and 2 ** UNKNOWN is UNKNOWN
    try:
        H + "a"  # noqa: B018 - not a number: Python's own TypeError, as for ints
    except TypeError:
        pass
    else:
        raise AssertionError("Expr + str should raise TypeError")


def test_exact_division_for_view_minus_one() -> None:
    N, C, H, W = symbols("N C H W")
    assert exact_div(N * C * H * W, N) == C * H * W
    assert exact_div(32 * H, 16) == 2 * H
    assert exact_div(N * H, 784) is UNKNOWN
    assert exact_div(12, 5) is UNKNOWN and exact_div(12, 4) == 3


def test_substitution_and_printing() -> None:
    N, H, W = symbols("N H W")
    flat = 32 * floordiv(H, 4) * floordiv(W, 4)
    assert substitute(flat, {"H": 28, "W": 28}) == 1568
    assert fmt(substitute(flat, {"H": 28})) == "224*(W//4)"
    assert fmt_shape((N, 1568)) == "(N, 1568)" and fmt_shape((N,)) == "(N,)" and fmt_shape(UNKNOWN) == "?"
    assert fmt(H * W - 3 * H + 7) == "H*W - 3*H + 7"


def test_the_shape_engine_imports_neither_torch_nor_sympy() -> None:
    """It must work without torch installed, and stay cheap to import in a pylint run."""
    import subprocess
    import sys

    code = ("import sys, torchport.advisor.dims, torchport.advisor.catalogue; "
            "print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
