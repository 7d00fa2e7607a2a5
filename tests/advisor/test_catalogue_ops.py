"""The operations catalogue against real torch 2.13: for random arguments, the same output shapes,
and an error (or unknown) exactly where torch raises. Tensors are tiny, so torch runs on the CPU,
whose kernels make every check (the meta device skips some)."""

from __future__ import annotations

import inspect
import operator
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.advisor.catalogue_strategies import OP_STRATEGIES, In, OpCase
from torchport.advisor.catalogue import OPS, PROBLEM_CODES, Tensor, call_op
from torchport.advisor.catalogue.signature import REQUIRED
from torchport.advisor.dims import UNKNOWN, Expr, evaluate, symbols

torch = pytest.importorskip("torch")

EXAMPLES = 50
_ATTRIBUTES = {"shape", "T", "mT", "ndim"}


def _torch_value(value: Any) -> Any:
    if isinstance(value, In):
        dtype = {"long": torch.long, "bool": torch.bool}.get(value.dtype, torch.float32)
        return torch.zeros(value.shape, dtype=dtype)
    if isinstance(value, list):
        return [_torch_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_torch_value(v) for v in value)
    return value


def _abstract(value: Any) -> Any:
    if isinstance(value, In):
        return Tensor(value.shape, {"float": "float32", "long": "int64"}.get(value.dtype, value.dtype))
    if isinstance(value, list):
        return [_abstract(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_abstract(v) for v in value)
    return value


def _torch_call(name: str, args: tuple, kwargs: dict) -> Any:
    module, _, attr = name.rpartition(".")
    if module == "torch.Tensor":
        target = getattr(args[0], attr)
        return target if attr in _ATTRIBUTES else target(*args[1:], **kwargs)
    if module == "operator":
        return getattr(operator, attr)(*args, **kwargs)
    if module == "torch.nn.functional":
        return getattr(torch.nn.functional, attr)(*args, **kwargs)
    return getattr(torch, attr)(*args, **kwargs)


def torch_shapes(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)):
        return tuple(torch_shapes(v) for v in value)
    return value


def catalogue_shapes(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, tuple):
        return tuple(catalogue_shapes(v) for v in value)
    return value


def run_torch(case: OpCase) -> tuple[bool, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return True, torch_shapes(_torch_call(case.name, _torch_value(case.args), _torch_value(case.kwargs)))
        except Exception as error:  # noqa: BLE001 - any failure of torch counts
            return False, error


def check_op(case: OpCase) -> None:
    ok, out = run_torch(case)
    result = call_op(case.name, _abstract(case.args), _abstract(case.kwargs))
    assert all(p.code in PROBLEM_CODES for p in (*result.errors, *result.constraints))
    if not ok:
        assert not result.known, f"torch raises {out!r} but the catalogue gives {result.value}"
        return
    assert result.ok, f"false error: torch gives {out}, the catalogue says {result.errors}"
    if result.value is UNKNOWN and case.name == "operator.getitem" and any(isinstance(i, In) for i in _items(case)):
        return  # documented: tensor indices combined with other advanced indexing are left unknown
    if result.value is UNKNOWN and "conv_transpose" in case.name and 0 in _flat_ints(out):
        return  # documented: zero-size transposed-conv outputs are left unknown (torch's paths disagree)
    assert result.known, f"the catalogue does not know the output torch gives ({out})"
    assert not result.constraints
    assert catalogue_shapes(result.value) == out


def _items(case: OpCase) -> tuple:
    index = case.args[1]
    return index if isinstance(index, tuple) else (index,)


@pytest.mark.parametrize("family", sorted(OP_STRATEGIES))
def test_operation_matches_torch(family: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(OP_STRATEGIES[family])
    def check(case: OpCase) -> None:
        check_op(case)

    check()


def test_every_op_name_resolves_in_torch() -> None:
    """Each catalogue name is a real torch function, Tensor method/attribute or operator."""
    missing = []
    for name in OPS:
        module, _, attr = name.rpartition(".")
        owner = {"torch.Tensor": torch.Tensor, "operator": operator, "torch.nn.functional": torch.nn.functional,
                 "torch": torch}[module]
        if not hasattr(owner, attr):
            missing.append(name)
    assert missing == []


def test_signatures_match_torch_where_torch_declares_them() -> None:
    """Ops whose torch function has an inspectable signature bind the same names and defaults, so that a
    keyword call torch accepts is never reported as a bad call (catch-all entries are exempt)."""
    checked, mismatches = 0, []
    for name, spec in OPS.items():
        module, _, attr = name.rpartition(".")
        owner = {"torch.nn.functional": torch.nn.functional, "torch": torch}.get(module)
        if owner is None or (spec.signature.var_positional and spec.signature.var_keyword):
            continue
        try:
            declared = inspect.signature(getattr(owner, attr)).parameters.values()
        except (TypeError, ValueError):  # a builtin or a dispatch wrapper: nothing declared
            continue
        theirs = [(p.name, REQUIRED if p.default is p.empty else p.default) for p in declared
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if not theirs:
            continue
        checked += 1
        ours = [(p.name, p.default) for p in spec.signature.params]
        if ours != theirs:
            mismatches.append((name, ours, theirs))
    assert mismatches == [] and checked >= 15


# ------------------------------------------------------------------------- worked examples

def test_view_with_minus_one_and_the_element_count_check() -> None:
    (N,) = symbols("N")
    x = Tensor((N, 32, 7, 7))
    assert call_op("torch.Tensor.view", (x, N, -1)).value == Tensor((N, 1568))
    assert call_op("torch.Tensor.view", (x, (-1, 32 * 7 * 7))).value == Tensor((N, 1568))
    bad = call_op("torch.Tensor.view", (Tensor((4, 32, 7, 7)), 4, 2048))
    (error,) = bad.errors
    assert (error.code, error.got, error.expected) == ("element-count", 8192, 6272)


def test_keyword_spellings_torch_accepts_and_unknown_calls() -> None:
    x = Tensor((2, 3))
    for method, kwargs in [("permute", {"dims": (1, 0)}), ("view", {"size": (3, 2)}), ("reshape", {"shape": (3, 2)})]:
        ok, out = run_torch(OpCase(f"torch.Tensor.{method}", (In((2, 3)),), kwargs))
        assert ok and call_op(f"torch.Tensor.{method}", (x,), kwargs).value == Tensor(out)
    odd = call_op("torch.Tensor.view", (x,), {"not_a_torch_keyword": 1})  # never a false bad-call report
    assert odd.ok and odd.value is UNKNOWN
    assert call_op("torch.no_such_function", (x,)).value is UNKNOWN


def test_last_time_step_slicing_and_new_axes() -> None:
    N, T = symbols("N T")
    x = Tensor((N, T, 20))
    assert call_op("operator.getitem", (x, (slice(None), -1, slice(None)))).value == Tensor((N, 20))
    assert call_op("operator.getitem", (x, (Ellipsis, None))).value == Tensor((N, T, 20, 1))
    assert call_op("operator.getitem", (x, (slice(None), slice(1, None)))).value == Tensor((N, T - 1, 20))
    # min(T, 5) depends on T: that one dim is unknown
    assert call_op("operator.getitem", (x, (slice(None), slice(None, 5)))).value == Tensor((N, UNKNOWN, 20))


def test_shape_and_size_give_dims_and_index_into_them() -> None:
    N, H = symbols("N H")
    x = Tensor((N, 3, H))
    sizes = call_op("torch.Tensor.size", (x,)).value
    assert sizes == (N, 3, H)
    assert call_op("operator.getitem", (sizes, -1)).value == H
    assert call_op("operator.getitem", (call_op("torch.Tensor.shape", (x,)).value, slice(1, None))).value == (3, H)
    assert call_op("torch.Tensor.size", (x, 0)).value == N


def test_broadcast_error_only_for_known_unequal_dims() -> None:
    N, H = symbols("N H")
    (error,) = call_op("operator.add", (Tensor((N, 3, 4)), Tensor((5, 4)))).errors
    assert (error.code, error.operand, error.dim, error.got, error.expected) == ("size-mismatch", 1, 0, 5, 3)
    assert call_op("operator.add", (Tensor((N, H)), Tensor((N, 7)))).ok  # H may be 1 or 7
    assert call_op("operator.mul", (Tensor((N, 4)), 2.0)).value == Tensor((N, 4))


def test_matmul_mismatch_names_both_sizes() -> None:
    N = symbols("N")[0]
    result = call_op("operator.matmul", (Tensor((N, 1568)), Tensor((2048, 128))))
    (error,) = result.errors
    assert error.code == "size-mismatch" and "1568" in error.message and "2048" in error.message


def test_cat_and_stack() -> None:
    N, T = symbols("N T")
    assert call_op("torch.cat", ([Tensor((N, 3)), Tensor((N, 5))],), {"dim": 1}).value == Tensor((N, 8))
    assert call_op("torch.cat", ([Tensor((N, T)), Tensor((N, T))],)).value == Tensor((2 * N, T))
    assert call_op("torch.stack", ([Tensor((N, 3))] * 4,), {"dim": 1}).value == Tensor((N, 4, 3))
    assert not call_op("torch.cat", ([Tensor((N, 3)), Tensor((N + 1, 5))],), {"dim": 1}).ok


def test_symbolic_operations_agree_with_torch_at_random_values() -> None:
    N, H, W = symbols("N H W")
    x = Tensor((N, 8, H, W))
    programs = [
        ("torch.flatten", (x, 1), {}),
        ("torch.Tensor.view", (x, N, -1), {}),
        ("torch.Tensor.permute", (x, 0, 2, 3, 1), {}),
        ("torch.Tensor.mean", (x, (2, 3)), {}),
        ("torch.Tensor.mean", (x, (2, 3)), {"keepdim": True}),
        ("torch.nn.functional.adaptive_avg_pool2d", (x, 1), {}),
        ("torch.nn.functional.max_pool2d", (x, 2), {}),
        ("torch.nn.functional.interpolate", (x,), {"scale_factor": 2}),
        ("torch.nn.functional.pad", (x, (1, 1, 2, 0)), {}),
        ("torch.Tensor.chunk", (x, 2, 1), {}),
        ("operator.getitem", (x, (Ellipsis, slice(1, None), slice(None, None, 2))), {}),
        ("torch.matmul", (x, Tensor((W, 5))), {}),
        ("torch.cat", ([x, x], 2), {}),
        ("torch.Tensor.unsqueeze", (x, -1), {}),
    ]
    for name, args, kwargs in programs:
        _check_symbolic(name, args, kwargs)


def _check_symbolic(name: str, args: tuple, kwargs: dict) -> None:
    result = call_op(name, args, kwargs)
    assert result.known, (name, result)

    @settings(max_examples=15, deadline=None, database=None)
    @given(st.integers(1, 3), st.integers(1, 20), st.integers(1, 20))
    def check(n: int, h: int, w: int) -> None:
        values = {"N": n, "H": h, "W": w}
        concrete = _substitute(args, values)
        ok, out = run_torch(OpCase(name, concrete, kwargs))
        expected = _eval_shapes(result.value, values)
        if ok:
            assert out == expected, (name, result.value, values)
        else:
            assert any(d < 1 for d in _flat_ints(expected)), (name, out)

    check()


def _substitute(value: Any, values: dict) -> Any:
    if isinstance(value, Expr):
        return evaluate(value, values)
    if isinstance(value, Tensor):
        return In(tuple(evaluate(d, values) for d in value.shape))
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    if isinstance(value, tuple):
        return tuple(_substitute(v, values) for v in value)
    return value


def _eval_shapes(value: Any, values: dict) -> Any:
    if isinstance(value, Tensor):
        return tuple(evaluate(d, values) for d in value.shape)
    return tuple(_eval_shapes(v, values) for v in value)


def _flat_ints(value: Any) -> list[int]:
    if isinstance(value, tuple) and all(isinstance(d, int) for d in value):
        return list(value)
    if isinstance(value, tuple):
        return [d for v in value for d in _flat_ints(v)]
    return []


# --------------------------------------------- every operation again, with a symbolic tensor

SYMBOLIC_EXAMPLES = 30


def _symbolize(case: OpCase) -> tuple[OpCase, dict[str, int]] | None:
    """The case with its first tensor's dims replaced by symbols D0, D1..., and their values."""
    args = list(case.args)
    for i, arg in enumerate(args):
        if isinstance(arg, In) and arg.dtype == "float":
            names = [f"D{j}" for j in range(len(arg.shape))]
            args[i] = Tensor(symbols(" ".join(names)) if names else ())
            return OpCase(case.name, tuple(args), case.kwargs), dict(zip(names, arg.shape))
    return None


def _symbolic_disagreement(result: Any, values: dict[str, int], ok: bool, out: Any) -> str | None:
    if result.errors:
        return None if not ok else f"symbolic error {result.errors[0].message} but torch gives {out} for {values}"
    violated = [c for c in result.constraints if c.condition.holds(values) is False]
    if result.value is UNKNOWN:
        return None
    expected = _evaluate_shapes(result.value, values)
    if ok:
        if violated:
            return f"torch works for {values} but the constraint {violated[0].message} fails"
        return None if _matches(expected, out) else f"{result.value} at {values} is {expected}, torch gives {out}"
    if violated or any(isinstance(d, int) and d < 1 for d in _flat_ints(expected)):
        return None
    return f"torch raises {out!r} for {values}; the symbolic answer {result.value} names no failing constraint"


def _evaluate_shapes(value: Any, values: dict) -> Any:
    if isinstance(value, Tensor):
        return tuple(evaluate(d, values) for d in value.shape)
    if isinstance(value, tuple):
        return tuple(_evaluate_shapes(v, values) for v in value)
    return evaluate(value, values) if isinstance(value, Expr) else value


def _matches(expected: Any, out: Any) -> bool:
    if isinstance(expected, tuple) and isinstance(out, tuple) and len(expected) == len(out):
        return all(_matches(e, o) for e, o in zip(expected, out))
    return expected is UNKNOWN or expected == out


@pytest.mark.parametrize("family", sorted(OP_STRATEGIES))
def test_operation_with_symbolic_input_matches_torch(family: str) -> None:
    @settings(max_examples=SYMBOLIC_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(OP_STRATEGIES[family])
    def check(case: OpCase) -> None:
        symbolic = _symbolize(case)
        if symbolic is None:
            return
        symbolic_case, values = symbolic
        result = call_op(symbolic_case.name, _abstract(symbolic_case.args), _abstract(symbolic_case.kwargs))
        ok, out = run_torch(case)
        failure = _symbolic_disagreement(result, values, ok, out)
        assert failure is None, failure

    check()
