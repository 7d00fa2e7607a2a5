"""Memory layout: a tensor's strides where torchport is sure of them, and torch's rule for `view()`.

A `Tensor` carries `strides` (a tuple of Dims, one per dim) or None when they are not known. None is the
default: a rule says what it knows, and only the operations and layers of the tables below say anything.
Each entry is checked against torch, on the CPU and on the meta device, with hypothesis on real strided
tensors (tests/advisor/catalogue/test_layout.py). Strides of size-1 dims decide neither `is_contiguous` nor
whether a view is possible, in torch as here, nor TensorIterator's choice of an element-wise output's
layout; but the memory format torch suggests for a layer's or a cat's output looks at them, and the rules
here do not track them as torch sets them: those rules want inputs without size-1 dims (a symbolic size
that may be 1 counts as one).

`view_strides` is torch's `computeStride` (aten/src/ATen/TensorUtils.cpp): the dims of the tensor fall
into chunks that are each contiguous in memory, and a view is possible only when the new sizes split into
groups, from the last dim, whose products are exactly the chunks' element counts. Every comparison is
exact for ints and decided for symbolic dims only when it holds for every value of the symbols; anything
else gives None (unknown), never a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from torchport.advisor.catalogue.core import Result, Tensor
from torchport.advisor.catalogue.op import is_one
from torchport.advisor.dims import Dim, Unknown, is_dim, sign

Strides = tuple[Dim, ...]
Args = Mapping[str, Any]
NOT_VIEWABLE = "not viewable"  # view_strides: torch raises "view size is not compatible ..."


def contiguous(shape: Sequence[Dim]) -> Strides:
    """The strides of a contiguous tensor of this shape."""
    strides: list[Dim] = []
    step: Dim = 1
    for size in reversed(shape):
        strides.append(step)
        step = step * size  # type: ignore[operator]
    return tuple(reversed(strides))


@lru_cache(maxsize=4096)  # dims are immutable; a model asks about the same few strides again and again
def _equal(a: Dim, b: Dim) -> bool | None:
    """Whether a == b for every value of the symbols (True), for none (False), or it depends or cannot be
    decided cheaply (None): bounds of the difference only, no search (strides are products of sizes)."""
    if isinstance(a, int) and isinstance(b, int) or a is b:
        return a == b
    if not is_dim(a) or not is_dim(b) or isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if a == b:  # the same expression
        return True
    difference = a - b  # type: ignore[operator]
    if isinstance(difference, int):
        return difference == 0
    return False if sign(difference) == 1 or sign(-difference) == 1 else None


def _less(a: Dim, b: Dim) -> bool | None:
    if isinstance(a, int) and isinstance(b, int):
        return a < b
    if not is_dim(a) or not is_dim(b) or isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    s = sign(b - a)  # type: ignore[operator]
    return None if s is None else s > 0


@lru_cache(maxsize=4096)
def _is_one(d: Dim) -> bool | None:
    return None if isinstance(d, Unknown) or not is_dim(d) else is_one(d)


def is_contiguous(shape: Sequence[Dim], strides: Strides | None) -> bool | None:
    """torch's `is_contiguous()`: the strides of a contiguous tensor on every dim of size > 1."""
    if strides is None or len(strides) != len(shape):
        return None
    expected: Dim = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        one = _is_one(size)
        if one is None:
            return None
        if not one:
            same = _equal(stride, expected)
            if same is not True:
                return same
        expected = expected * size  # type: ignore[operator]
    return True


def dense(shape: Sequence[Dim], strides: Strides | None) -> bool:
    """Whether the tensor certainly covers its memory exactly once, in some order of its dims (a permuted
    contiguous tensor): what `empty_like` and TensorIterator copy as they find it."""
    if strides is None or len(strides) != len(shape):
        return False
    left = [i for i, size in enumerate(shape) if _is_one(size) is not True]  # a size that may be 1 must fit too
    expected: Dim = 1
    while left:
        found = [i for i in left if strides[i] == expected]  # as written: cheap, and what dense tensors have
        if not found:
            found = [i for i in left if _equal(strides[i], expected) is True]
        if len(found) != 1:
            return False
        left.remove(found[0])
        expected = expected * shape[found[0]]  # type: ignore[operator]
    return True


def view_strides(shape: Sequence[Dim], strides: Strides | None, new_shape: Sequence[Dim]) -> Strides | str | None:
    """The strides `view(new_shape)` gives, NOT_VIEWABLE when torch certainly raises, None when unknown.
    torch's computeStride, step by step; `new_shape` has the input's element count (sizes inferred)."""
    if strides is None or len(strides) != len(shape):
        return None
    if not shape:
        return (1,) * len(new_shape)
    if any(isinstance(d, int) and d == 0 for d in (*shape, *new_shape)):
        return None  # an empty tensor's strides follow other rules
    new: list[Dim] = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    base: Dim = strides[-1]
    tensor_numel: Dim = 1
    view_numel: Dim = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel = tensor_numel * shape[tensor_d]  # type: ignore[operator]
        if tensor_d > 0:  # the chunk goes on over a dim of size 1 or one whose stride joins it
            joined = _equal(strides[tensor_d - 1], tensor_numel * base)  # type: ignore[operator]
            prev_one = None if joined else _is_one(shape[tensor_d - 1])
            if joined or prev_one:
                continue
            if joined is None or prev_one is None:
                return None
        while view_d >= 0:
            smaller = _less(view_numel, tensor_numel)
            if smaller is None and _equal(view_numel * new_shape[view_d], tensor_numel) is True:  # type: ignore[operator]
                smaller = True  # it completes the chunk: taken when smaller, and when not it is 1 and taken too
            if smaller is None:
                return None
            if not smaller:
                one = _is_one(new_shape[view_d])
                if one is None:  # taken or not, a size-1 dim leaves the count: only a mismatch is certain
                    return NOT_VIEWABLE if _equal(view_numel, tensor_numel) is False else None
                if not one:
                    break
            new[view_d] = view_numel * base  # type: ignore[operator]
            view_numel = view_numel * new_shape[view_d]  # type: ignore[operator]
            view_d -= 1
        same = _equal(view_numel, tensor_numel)
        if same is None:
            return None
        if not same:
            return NOT_VIEWABLE
        if tensor_d > 0:
            base, tensor_numel, view_numel = strides[tensor_d - 1], 1, 1
    return tuple(new) if view_d == -1 else NOT_VIEWABLE


def reshape_strides(shape: Sequence[Dim], strides: Strides | None, new_shape: Sequence[Dim]) -> Strides | None:
    """`reshape`: a view when one is possible, else a contiguous copy."""
    viewed = view_strides(shape, strides, new_shape)
    if viewed == NOT_VIEWABLE:
        return contiguous(new_shape)
    return viewed if isinstance(viewed, tuple) else None


# --------------------------------------------------------------------------------- the tables

OpLayout = Callable[[Args, Any], Any]  # (bound arguments, the rule's value) -> strides (or a tuple of them)
LayerLayout = Callable[[Args, Args, Any], Any]  # (constructor args, forward args, value) -> strides


def _input(a: Args, name: str = "input") -> tuple[tuple[Dim, ...], Strides] | None:
    """The shape and strides of a tensor argument, when both are known."""
    value = a.get(name)
    if isinstance(value, Tensor) and isinstance(value.shape, tuple) and value.strides is not None:
        return value.shape, value.strides
    return None


def _shape(value: Any) -> tuple[Dim, ...] | None:
    return value.shape if isinstance(value, Tensor) and isinstance(value.shape, tuple) else None


def _fresh(a: Args, value: Any) -> Strides | None:
    """A new contiguous tensor whatever the input's layout (unless another `memory_format` is asked for)."""
    shape = _shape(value)
    return None if shape is None or "memory_format" in a else contiguous(shape)


def _no_ones(shape: Sequence[Dim]) -> bool:
    """Whether every dim is certainly larger than 1 (see the module docstring)."""
    return all(_is_one(d) is False for d in shape)


def _preserve(a: Args, value: Any) -> Strides | None:
    """empty_like / TensorIterator on one tensor: a dense input's strides kept (a contiguous one stays
    contiguous); anything else, or a `memory_format` asked for, is not modelled."""
    known = _input(a)
    if known is None or not dense(*known) or _shape(value) != known[0] or "memory_format" in a:
        return None
    return known[1]


def _contiguous_in(*names: str, memory_format: bool = False) -> OpLayout:
    """Contiguous when every tensor operand is (broadcast ones included); unknown otherwise. `memory_format`:
    torch suggests the output's memory format from the operands' strides, size-1 dims' included, so the
    operands must have no size-1 dim (layers, cat)."""
    def rule(a: Args, value: Any) -> Strides | None:
        shape = _shape(value)
        operands = [v for n in names for v in (a.get(n) if isinstance(a.get(n), (list, tuple)) else (a.get(n),))]
        tensors = [v for v in operands if isinstance(v, Tensor)]
        if shape is None or not tensors or not all(
                isinstance(t.shape, tuple) and (not memory_format or _no_ones(t.shape))
                and is_contiguous(t.shape, t.strides) for t in tensors):
            return None
        return contiguous(shape)
    return rule


def _dim(value: Any, rank: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not -max(rank, 1) <= value < max(rank, 1):
        return None
    return value % rank if rank else 0


def _transposed(first: str, second: str) -> OpLayout:
    def rule(a: Args, value: Any) -> Strides | None:
        known = _input(a)
        if known is None:
            return None
        strides = list(known[1])
        i, j = _dim(a.get(first), len(strides)), _dim(a.get(second), len(strides))
        if i is None or j is None:
            return None
        if strides:
            strides[i], strides[j] = strides[j], strides[i]
        return tuple(strides)
    return rule


def _reversed(a: Args, value: Any) -> Strides | None:
    known = _input(a)
    return None if known is None else tuple(reversed(known[1]))


def _matrix_transposed(a: Args, value: Any) -> Strides | None:
    known = _input(a)
    if known is None or len(known[1]) < 2:
        return None
    s = known[1]
    return (*s[:-2], s[-1], s[-2])


def _permuted(a: Args, value: Any) -> Strides | None:
    known = _input(a)
    order = tuple(a.get("*args") or ()) or a.get("dims")
    if isinstance(order, (tuple, list)) and len(order) == 1 and isinstance(order[0], (tuple, list)):
        order = tuple(order[0])
    if known is None or not isinstance(order, (tuple, list)) or len(order) != len(known[1]):
        return None
    index = [_dim(o, len(order)) for o in order]
    if None in index:
        return None
    return tuple(known[1][i] for i in index)  # type: ignore[index]


def _unsqueezed(a: Args, value: Any) -> Strides | None:
    known = _input(a)
    if known is None:
        return None
    shape, strides = known
    d = _dim(a.get("dim"), len(shape) + 1)
    if d is None:
        return None
    inserted = shape[d] * strides[d] if d < len(shape) else 1  # type: ignore[operator]
    return (*strides[:d], inserted, *strides[d:])


def _squeezed(a: Args, value: Any) -> Strides | None:
    """The strides of the dims kept: squeeze removes the size-1 dims among those named (all by default)."""
    known = _input(a)
    if known is None:
        return None
    shape, strides = known
    named = a.get("dim")
    items = named if isinstance(named, (tuple, list)) else tuple(range(len(shape))) if named is None else (named,)
    targets = {_dim(d, len(shape)) for d in items}
    if None in targets:
        return None
    kept: list[Dim] = []
    for i, (size, stride) in enumerate(zip(shape, strides)):
        one = _is_one(size) if i in targets else False
        if one is None:
            return None
        if not one:
            kept.append(stride)
    return tuple(kept)


def _viewed(a: Args, value: Any) -> Strides | None:
    """view / view_as / unflatten: the viewed strides (the rules raise where torch does)."""
    known, shape = _input(a), _shape(value)
    if known is None or shape is None:
        return None
    viewed = view_strides(*known, shape)
    return viewed if isinstance(viewed, tuple) else None


def _reshaped(a: Args, value: Any) -> Strides | None:
    known, shape = _input(a), _shape(value)
    return None if known is None or shape is None else reshape_strides(*known, shape)


def _flattened(a: Args, value: Any) -> Strides | None:
    """flatten: the input itself when it merges no dims, else as reshape."""
    known = _input(a)
    if known is not None and _shape(value) == known[0]:
        return known[1]
    return _reshaped(a, value)


def _expanded(a: Args, value: Any) -> Strides | None:
    known, shape = _input(a), _shape(value)
    if known is None or shape is None:
        return None
    lead = len(shape) - len(known[0])
    strides: list[Dim] = [0] * lead
    for size, old, stride in zip(shape[lead:], known[0], known[1]):
        same = _equal(size, old)
        if same is None:
            return None
        strides.append(stride if same else 0)
    return tuple(strides)


def _pieces(a: Args, value: Any) -> Any:
    """chunk / split: each piece keeps the input's strides (a narrowed view)."""
    known = _input(a)
    if known is None or not isinstance(value, tuple):
        return None
    return tuple(known[1] if isinstance(piece, Tensor) else None for piece in value)


def _unbound(a: Args, value: Any) -> Any:
    known = _input(a)
    if known is None or not isinstance(value, tuple):
        return None
    d = _dim(a.get("dim"), len(known[1]))
    return None if d is None else tuple((*known[1][:d], *known[1][d + 1:]) for _ in value)


def _indexed(a: Args, value: Any) -> Strides | None:
    """Basic indexing (ints, slices, None, one Ellipsis): a view; advanced indexing is not modelled."""
    known, shape = _input(a), _shape(value)
    index = a.get("index")
    items = index if isinstance(index, tuple) else (index,)
    if known is None or shape is None or sum(i is Ellipsis for i in items) > 1:
        return None
    old_shape, old = known
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    strides: list[Dim] = []
    dim = 0
    for item in items:
        if item is None:  # as unsqueeze
            strides.append(old_shape[dim] * old[dim] if dim < len(old) else 1)  # type: ignore[operator]
        elif item is Ellipsis:
            skip = len(old) - consumed
            strides.extend(old[dim:dim + skip])
            dim += skip
        elif isinstance(item, slice):
            step = 1 if item.step is None else item.step
            if not isinstance(step, int) or isinstance(step, bool) or step < 1:
                return None
            strides.append(old[dim] * step)  # type: ignore[operator]
            dim += 1
        elif isinstance(item, int) and not isinstance(item, bool):
            dim += 1
        else:
            return None
    strides.extend(old[dim:])
    return tuple(strides) if len(strides) == len(shape) else None


T = "torch.Tensor."
F = "torch.nn.functional."

# element-wise operations on one tensor (activations, dropout, casts, copies): a dense layout is kept
_PRESERVING = (
    *(F + n for n in ("relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh",
                      "hardtanh", "hardsigmoid", "hardswish", "softplus", "softsign", "leaky_relu",
                      "dropout", "alpha_dropout")),
    *("torch." + n for n in ("relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "neg", "sin", "cos",
                             "clamp", "clip", "square", "reciprocal", "erf")),
    *(T + n for n in ("relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "neg", "sin", "cos", "clamp",
                      "clip", "square", "reciprocal", "erf", "float", "double", "half", "long", "int", "bool",
                      "to", "cpu", "clone", "type_as", "detach")),
    *("torch." + n for n in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "full_like")),
    "operator.neg",
)
# operations whose output is contiguous when every tensor operand is
_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum")
_COMBINING = (
    *("operator." + n for n in ("add", "sub", "mul", "truediv")),
    *("torch." + n for n in _BINARY),
    *(T + n for n in _BINARY),
    *(T + f"__{n}__" for n in ("add", "sub", "mul", "truediv")),
)
_CREATING = (*("torch." + n for n in ("zeros", "ones", "empty", "rand", "randn", "full", "arange")),
             *(T + n for n in ("new_zeros", "new_ones", "new_empty", "new_full")))

OP_LAYOUTS: dict[str, OpLayout] = {
    **{name: _preserve for name in _PRESERVING},
    **{name: _contiguous_in("input", "other") for name in _COMBINING},
    **{name: _contiguous_in("tensors", memory_format=True) for name in ("torch.cat", "torch.concat", "torch.stack")},
    **{name: _fresh for name in _CREATING},
    T + "contiguous": _fresh,
    F + "linear": _fresh,
    F + "layer_norm": _fresh,
    F + "embedding": _fresh,
    **{name: _transposed("dim0", "dim1") for name in ("torch.transpose", T + "transpose", "torch.swapdims",
                                                      T + "swapdims")},
    **{name: _transposed("axis0", "axis1") for name in ("torch.swapaxes", T + "swapaxes")},
    "torch.t": _reversed, T + "t": _reversed, T + "T": _reversed,
    T + "mT": _matrix_transposed,
    "torch.permute": _permuted, T + "permute": _permuted,
    "torch.unsqueeze": _unsqueezed, T + "unsqueeze": _unsqueezed,
    "torch.squeeze": _squeezed, T + "squeeze": _squeezed,
    T + "view": _viewed, T + "view_as": _viewed, "torch.unflatten": _viewed, T + "unflatten": _viewed,
    T + "reshape": _reshaped, "torch.reshape": _reshaped, T + "reshape_as": _reshaped,
    "torch.flatten": _flattened, T + "flatten": _flattened,
    T + "expand": _expanded, T + "expand_as": _expanded,
    "torch.chunk": _pieces, T + "chunk": _pieces, "torch.split": _pieces, T + "split": _pieces,
    "torch.unbind": _unbound, T + "unbind": _unbound,
    "operator.getitem": _indexed, T + "__getitem__": _indexed,
}


def _recurrent(init: Args, forward: Args, value: Any) -> Any:
    """RNN / LSTM / GRU: the output is computed time-major, (T, N, D*H), and batch_first returns it
    transposed, not copied: strides (D*H, N*D*H, 1). The hidden states are contiguous."""
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    output, state = value
    shape = _shape(output)
    if shape is None or len(shape) not in (2, 3) or init.get("batch_first") not in (True, False):
        return None
    if len(shape) == 3 and init["batch_first"]:
        strides: Strides = (shape[2], shape[0] * shape[2], 1)  # type: ignore[operator]
    else:
        strides = contiguous(shape)
    states = state if isinstance(state, tuple) else (state,)
    fresh = tuple(_fresh({}, s) for s in states)
    return strides, fresh if isinstance(state, tuple) else fresh[0]


def _layer_same(init: Args, forward: Args, value: Any) -> Strides | None:
    known = _input(forward)
    return None if known is None or _shape(value) != known[0] else known[1]


def _layer(rule: OpLayout) -> LayerLayout:
    return lambda init, forward, value: rule(forward, value)


def _flatten_layer(init: Args, forward: Args, value: Any) -> Strides | None:
    return _flattened(forward, value)


N = "torch.nn."
_LAYER_PRESERVING = ("ReLU", "ReLU6", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh", "Hardtanh",
                     "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "LeakyReLU", "Dropout",
                     "AlphaDropout")
# Conv2d/3d and their transposes are not listed: with weights in channels_last memory format (a
# `model.to(memory_format=torch.channels_last)` anywhere, outside the file too) they give channels-last
# outputs from contiguous inputs. Conv1d's 3-d weights have no such format.
_LAYER_CONTIGUOUS_IN = (
    "Conv1d", "ConvTranspose1d",
    *(f"{kind}{d}d" for kind in ("BatchNorm", "InstanceNorm", "MaxPool", "AvgPool", "AdaptiveAvgPool",
                                 "AdaptiveMaxPool") for d in (1, 2, 3)),
    "GroupNorm", "Upsample", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "PixelShuffle", "Softmax", "LogSoftmax",
    "Dropout1d", "Dropout2d", "Dropout3d",
)
LAYER_LAYOUTS: dict[str, LayerLayout] = {
    **{N + name: _layer(_preserve) for name in _LAYER_PRESERVING},
    **{N + name: _layer(_contiguous_in("input", memory_format=True)) for name in _LAYER_CONTIGUOUS_IN},
    **{N + name: _layer(_fresh) for name in ("Linear", "LazyLinear", "LayerNorm", "Embedding")},
    **{N + name: _recurrent for name in ("RNN", "LSTM", "GRU")},
    N + "Identity": _layer_same,
    N + "Flatten": _flatten_layer,
}


# --------------------------------------------------------------------------------- attaching

def with_strides(value: Any, strides: Any) -> Any:
    """The value with the strides a layout rule gave (a nesting of the value's own shape)."""
    if isinstance(value, Tensor):
        if value.strides is not None or not isinstance(strides, tuple) or not isinstance(value.shape, tuple) \
                or len(strides) != len(value.shape) or not all(is_dim(s) for s in strides):
            return value
        return replace(value, strides=strides)
    if isinstance(value, tuple) and isinstance(strides, tuple) and len(strides) == len(value):
        return tuple(with_strides(v, s) for v, s in zip(value, strides))
    return value


def attach(result: Result, rule: Callable[[Any], Any] | None) -> Result:
    """The result with the strides of its value (or assumed value) filled in by `rule(value)`."""
    if rule is None:
        return result
    try:
        if result.ok:
            return replace(result, value=with_strides(result.value, rule(result.value)))
        return replace(result, assumed=with_strides(result.assumed, rule(result.assumed)))
    except Exception:  # a layout is never worth a crash: unknown
        return result


def attach_op(name: str, args: Args, result: Result) -> Result:
    rule = OP_LAYOUTS.get(name)
    return attach(result, None if rule is None else lambda value: rule(args, value))


def attach_layer(name: str, init: Args, forward: Args, result: Result) -> Result:
    rule = LAYER_LAYOUTS.get(name)
    return attach(result, None if rule is None else lambda value: rule(init, forward, value))
