"""The layout tables (torchport.advisor.catalogue.layout) against real torch 2.13, on the CPU and on the
meta device: every stride the catalogue claims is torch's (dims of size 1 aside, whose strides torch
ignores too), and `view` is reported exactly where torch raises "view size is not compatible with input
tensor's size and stride". The inputs are real strided tensors: contiguous, permuted (dense in another
order), sliced with a step or narrowed (not dense), expanded (stride 0)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.advisor import catalogue_strategies as cs
from tests.advisor.catalogue_strategies import In, LayerCase, OpCase
from torchport.advisor.catalogue import Tensor, build, call_op
from torchport.advisor.catalogue.layout import (
    LAYER_LAYOUTS,
    NOT_VIEWABLE,
    OP_LAYOUTS,
    contiguous,
    is_contiguous,
    view_strides,
)
from torchport.advisor.dims import evaluate, symbols

torch = pytest.importorskip("torch")

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
DEVICES = ("cpu", "meta")
LAYOUTS = ("contiguous", "contiguous", "permuted", "sliced", "narrowed", "expanded")
VIEW_ERROR = "view size is not compatible with input tensor's size and stride"


def _significant(shape: tuple[int, ...], strides: tuple[int, ...]) -> tuple[Any, ...]:
    """Strides with those of size-1 dims blanked: they never address memory."""
    return tuple(None if size == 1 else stride for size, stride in zip(shape, strides))


@st.composite
def laid_out(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[str, Any]:
    """A layout for a tensor of `shape` and how to make it from the device: (name, maker)."""
    kind = draw(st.sampled_from(LAYOUTS)) if shape else "contiguous"
    if kind == "permuted":
        order = draw(st.permutations(range(len(shape))))
        inverse = [order.index(i) for i in range(len(shape))]
        return kind, lambda make: make(tuple(shape[i] for i in order)).permute(*inverse)
    if kind in ("sliced", "narrowed"):
        d = draw(st.integers(0, len(shape) - 1))
        wider = (*shape[:d], shape[d] * 2 if kind == "sliced" else shape[d] + draw(st.integers(1, 3)), *shape[d + 1:])
        index = (slice(None),) * d + ((slice(None, None, 2),) if kind == "sliced" else (slice(0, shape[d]),))
        return kind, lambda make: make(wider)[index]
    if kind == "expanded":
        d = draw(st.integers(0, len(shape) - 1))
        return kind, lambda make: make((*shape[:d], 1, *shape[d + 1:])).expand(*shape)
    return kind, lambda make: make(shape)


def _maker(device: str, dtype: str) -> Any:
    kind = torch.long if dtype == "long" else torch.float32
    return lambda shape: torch.zeros(shape, dtype=kind, device=device)


def _realise(value: Any, makers: dict[int, Any], device: str) -> Any:
    if isinstance(value, In):
        return makers[id(value)](_maker(device, value.dtype))
    if isinstance(value, (tuple, list)):
        return type(value)(_realise(v, makers, device) for v in value)
    return value


def _abstract(value: Any, real: Any) -> Any:
    """The catalogue's tensor with the real tensor's exact strides."""
    if isinstance(value, In):
        return Tensor(value.shape, strides=tuple(real.stride()))
    if isinstance(value, (tuple, list)):
        return type(value)(_abstract(v, r) for v, r in zip(value, real))
    return value


def _inputs(value: Any) -> list[In]:
    if isinstance(value, In):
        return [value]
    if isinstance(value, (tuple, list)):
        return [i for v in value for i in _inputs(v)]
    if isinstance(value, dict):
        return [i for v in value.values() for i in _inputs(v)]
    return []


def _claims(abstract: Any, real: Any) -> list[tuple[Any, Any]]:
    """(claimed, torch's) significant strides of every output the catalogue gives strides for."""
    if isinstance(abstract, Tensor) and isinstance(real, torch.Tensor):
        if abstract.strides is None:
            return []
        shape = tuple(real.shape)
        return [(_significant(shape, abstract.strides), _significant(shape, tuple(real.stride())))]
    if isinstance(abstract, tuple) and isinstance(real, (tuple, list)) and len(abstract) == len(real):
        return [c for a, r in zip(abstract, real) for c in _claims(a, r)]
    return []


def _torch_op(name: str, args: tuple, kwargs: dict) -> Any:
    module, _, attr = name.rpartition(".")
    if module == "torch.Tensor":
        target = getattr(args[0], attr)
        return target if attr in ("T", "mT") else target(*args[1:], **kwargs)
    owner = {"operator": __import__("operator"), "torch.nn.functional": torch.nn.functional}.get(module, torch)
    return getattr(owner, attr)(*args, **kwargs)


# The families of the shape catalogue's strategies whose operations the layout table lists, and extra
# cases for the ones they draw rarely (views after a transpose, the Keras port's `.view(N, -1)`).
@st.composite
def transposed_view(draw: st.DrawFn) -> OpCase:
    x = draw(cs.shape(2, 4, st.integers(1, 5)))
    new = (x[0], -1) if draw(st.booleans()) else (-1,)
    return OpCase(draw(st.sampled_from(("torch.Tensor.view", "torch.Tensor.reshape"))), (In(x), *new))


FAMILIES = ("unary", "binary", "reshape", "dims", "expand", "split", "cat", "getitem", "softmax", "linear", "norm",
            "misc", "creation")
op_cases = st.one_of(st.one_of(*(cs.OP_STRATEGIES[f] for f in FAMILIES)), transposed_view())  # half are views


@SETTINGS
@given(op_cases, st.data())
def test_operation_strides_are_torchs(case: OpCase, data: st.DataObject) -> None:
    makers = {id(i): data.draw(laid_out(i.shape))[1] for i in _inputs((case.args, case.kwargs))}
    for device in DEVICES:
        args, kwargs = _realise(case.args, makers, device), _realise(case.kwargs, makers, device)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                real = _torch_op(case.name, args, kwargs)
                error = None
            except Exception as raised:  # noqa: BLE001 - any failure of torch counts
                real, error = None, raised
        result = call_op(case.name, _abstract(case.args, args), {k: _abstract(v, kwargs[k]) for k, v in kwargs.items()})
        reported = [p for p in result.errors if p.code == "strides"]
        if reported:
            assert error is not None and VIEW_ERROR in str(error), f"{device}: torch gives {real}, not {reported}"
        if error is not None:
            continue
        for claimed, actual in _claims(result.value, real):
            assert claimed == actual, f"{case.name} on {device}: strides {claimed}, torch has {actual}"


def test_another_memory_format_is_not_claimed() -> None:
    """channels_last is contiguous for its own format only; a Conv2d whose weights are channels_last (a
    `model.to(memory_format=...)` the file may not show) makes channels-last outputs from contiguous inputs."""
    x = Tensor((2, 3, 8, 8), strides=contiguous((2, 3, 8, 8)))
    channels_last = torch.channels_last
    assert call_op("torch.Tensor.contiguous", [x], {"memory_format": channels_last}).value.strides is None
    assert call_op("torch.Tensor.to", [x], {"memory_format": channels_last}).value.strides is None
    conv = torch.nn.Conv2d(3, 4, 3).to(memory_format=channels_last)
    assert not conv(torch.zeros(2, 3, 8, 8)).is_contiguous()
    assert build("torch.nn.Conv2d", (3, 4, 3))(x).value.strides is None


def test_the_table_names_real_operations() -> None:
    for name in OP_LAYOUTS:
        module, _, attr = name.rpartition(".")
        owner = {"torch.Tensor": torch.Tensor, "operator": __import__("operator"),
                 "torch.nn.functional": torch.nn.functional, "torch": torch}[module]
        assert hasattr(owner, attr), name
    for name in LAYER_LAYOUTS:
        assert hasattr(torch.nn, name.rpartition(".")[2]), name


# ------------------------------------------------------------------------------------------ layers

LAYER_CASES: dict[str, st.SearchStrategy[LayerCase]] = {
    "Linear": cs.linear(), "LazyLinear": cs.lazy_linear(), "LayerNorm": cs.layer_norm("LayerNorm"),
    "Embedding": cs.embedding(), "Identity": cs.elementwise("Identity"), "Flatten": cs.flatten(),
    "GroupNorm": cs.group_norm(), "PixelShuffle": cs.pixel(True),
    **{k: cs.rnn(k) for k in ("RNN", "LSTM", "GRU")},
    **{k: cs.with_dim(k) for k in ("Softmax", "LogSoftmax")},
    **{k: cs.dropout(k) for k in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout")},
    **{k: cs.elementwise(k) for k in ("ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "SiLU", "Mish", "Sigmoid",
                                      "Tanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign",
                                      "GELU", "Hardtanh")},
    "Conv1d": cs.conv(1), "ConvTranspose1d": cs.conv(1, transposed=True),
    **{f"{k}Pool{d}d": cs.pool(k, d) for k in ("Max", "Avg") for d in (1, 2, 3)},
    **{f"Adaptive{k}Pool{d}d": cs.adaptive(k, d) for k in ("Max", "Avg") for d in (1, 2, 3)},
    **{f"{k}Norm{d}d": cs.norm(k, d) for k in ("Batch", "Instance") for d in (1, 2, 3)},
    "ZeroPad2d": cs.pad("Zero", 2), "ConstantPad1d": cs.pad("Constant", 1), "ConstantPad2d": cs.pad("Constant", 2),
    "Upsample": cs.upsample("Upsample"),
}


def test_every_layer_of_the_table_is_tested() -> None:
    assert {f"torch.nn.{name}" for name in LAYER_CASES} == set(LAYER_LAYOUTS)


@pytest.mark.parametrize("name", sorted(LAYER_CASES))
def test_layer_strides_are_torchs(name: str) -> None:
    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(LAYER_CASES[name], st.data())
    def check(case: LayerCase, data: st.DataObject) -> None:
        makers = {id(i): data.draw(laid_out(i.shape))[1] for i in _inputs(case.inputs)}
        layer = build(f"torch.nn.{case.name}", case.args, case.kwargs)
        if layer is None or layer.errors:
            return
        for device in DEVICES:
            inputs = _realise(case.inputs, makers, device)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    with torch.device(device):
                        module = getattr(torch.nn, case.name)(*case.args, **case.kwargs)
                    real = module(*inputs, **case.forward)
                except Exception:  # noqa: BLE001 - the shape tests judge errors
                    continue
            result = layer(*_abstract(case.inputs, inputs), **case.forward)
            for claimed, actual in _claims(result.value, real):
                assert claimed == actual, f"{case} on {device}: strides {claimed}, torch has {actual}"

    check()


# -------------------------------------------------------------------------------- view on symbols

@st.composite
def strided_views(draw: st.DrawFn) -> tuple[tuple[int, ...], Any, tuple[int, ...]]:
    """A shape, a layout of it and a new shape with the same number of elements."""
    shape = draw(cs.shape(1, 4, st.integers(1, 4)))
    _, make = draw(laid_out(shape))
    factors = [p for n in shape for p in _primes(n)]
    cuts = draw(st.lists(st.integers(0, len(factors)), max_size=3))
    bounds = sorted({0, len(factors), *cuts})
    new = [math.prod(factors[a:b]) for a, b in zip(bounds, bounds[1:])] or [1]
    ones = draw(st.lists(st.integers(0, len(new)), max_size=2))
    for at in ones:
        new.insert(at, 1)
    return shape, make, tuple(draw(st.permutations(new)) if draw(st.booleans()) else new)


def _primes(n: int) -> list[int]:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@SETTINGS
@given(strided_views(), st.data())
def test_view_strides_is_torchs_compute_stride(case: Any, data: st.DataObject) -> None:
    """With every size known, the verdict is torch's (never unknown), and so are the strides; with some
    sizes symbolic (any value >= 1, 1 included), a verdict holds for every value tried."""
    shape, make, new = case
    real = make(_maker("cpu", "float"))
    strides = tuple(real.stride())
    verdict = view_strides(shape, strides, new)
    try:
        viewed = real.view(new)
    except RuntimeError as error:
        assert VIEW_ERROR in str(error)
        assert verdict == NOT_VIEWABLE
    else:
        assert isinstance(verdict, tuple)
        assert _significant(new, verdict) == _significant(new, tuple(viewed.stride()))

    # the same view with the sizes of some dims made symbols (both shapes, the strides follow)
    a, b = symbols("A B")
    chosen = data.draw(st.lists(st.integers(0, len(shape) - 1), max_size=2, unique=True))
    named = dict(zip(chosen, (a, b)))
    if not named or any(shape[d] not in new for d in named):
        return
    sym_shape = tuple(named.get(d, size) for d, size in enumerate(shape))
    sym_new = list(new)
    for d, symbol in named.items():
        if shape[d] not in sym_new:
            return
        sym_new[sym_new.index(shape[d])] = symbol
    sym_strides = contiguous(sym_shape) if is_contiguous(shape, strides) else None
    if sym_strides is None:
        return
    symbolic = view_strides(sym_shape, sym_strides, tuple(sym_new))
    for values in ({"A": 1, "B": 1}, {"A": 2, "B": 3}, {"A": 5, "B": 1}):
        concrete = tuple(evaluate(d, values) for d in sym_shape)
        concrete_new = tuple(evaluate(d, values) for d in sym_new)
        torch_ok = True
        try:
            torch.zeros(concrete).view(concrete_new)
        except RuntimeError:
            torch_ok = False
        if symbolic == NOT_VIEWABLE:
            assert not torch_ok
        elif isinstance(symbolic, tuple):
            assert torch_ok


def test_a_symbolic_batch_may_be_one() -> None:
    """(N, T, H) after a batch-first LSTM: view(N, -1) works when N == 1, so nothing is certain; with
    the batch known (4), torch raises and so does the verdict."""
    n = symbols("N")[0]
    assert view_strides((n, 7, 32), (32, n * 32, 1), (n, 224)) is None
    assert view_strides((4, 7, 32), (32, 128, 1), (4, 224)) == NOT_VIEWABLE
    # a transposed (N, 20, 11) is certain whatever N: the trailing chunk is 11, not 220
    assert view_strides((n, 20, 11), (220, 1, 20), (n, 220)) == NOT_VIEWABLE
    # and a contiguous one views as torch does, N == 1 or not
    assert view_strides((n, 20, 11), (220, 11, 1), (n, 220)) == (220, 1)
