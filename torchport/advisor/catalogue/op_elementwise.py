"""Elementwise operations: activations, arithmetic with broadcasting, softmax, dropout forms."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
    check_rank,
    norm_dim,
)
from torchport.advisor.catalogue.op import (
    F,
    T,
    Args,
    OpSpec,
    Rule,
    broadcast_shape,
    entries,
    renamed,
    tensor_shape,
)
from torchport.advisor.dims import Unknown, exact_div


def _unary(ctx: Ctx, a: Args) -> Tensor:
    return Tensor(tensor_shape(a))


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
    return Tensor(shapes.broadcast(ctx, "broadcast", (broadcast_shape(left), broadcast_shape(right))))


def _where(ctx: Ctx, a: Args) -> Tensor:
    if a["input"] is None:  # torch.where(condition): a tuple of index tensors
        raise Undecidable
    return Tensor(shapes.broadcast(ctx, "where", tuple(broadcast_shape(a[k]) for k in ("condition", "input", "other"))))


def _softmax(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
    if a["dim"] is not None:
        norm_dim(a["dim"], len(x))
    return Tensor(x)


def _glu(ctx: Ctx, a: Args) -> Tensor:
    x = tensor_shape(a)
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
    x = tensor_shape(a)
    norm_dim(a["dim"], len(x))
    return Tensor(x)


def _feature_dropout(name: str, min_rank: int) -> Rule:
    def rule(ctx: Ctx, a: Args) -> Tensor:
        x = tensor_shape(a)
        if name == "dropout1d":
            check_rank(x, (2, 3), name)
        p, training = a["p"], a["training"]
        active = isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p < 1 and training is True
        if active and len(x) < min_rank:
            raise Invalid(Problem("rank", f"{name} needs at least {min_rank} dims, got {len(x)}", got=len(x),
                                  expected=f"at least {min_rank}"))
        return Tensor(x)
    return rule


_UNARY = ("relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh",
          "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink", "tanhshrink", "threshold",
          "logsigmoid", "leaky_relu", "rrelu", "dropout", "alpha_dropout", "prelu",
          "local_response_norm", "instance_norm")


_TORCH_UNARY = ("relu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "neg", "sin", "cos", "clamp",
                "clip", "sign", "floor", "ceil", "round", "square", "reciprocal", "erf", "log1p", "expm1",
                "sigmoid_", "relu_", "nan_to_num", "isnan", "isinf", "logical_not", "exp2", "log2", "log10",
                "tril", "triu", "cumsum", "cumprod", "flip", "roll")


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


SPECS: list[OpSpec] = [
    *entries([F + n for n in _UNARY], "input, *args, **kwargs", _unary),
    *entries(["torch." + n for n in _TORCH_UNARY], "input, *args, **kwargs", _unary),
    *entries([T + n for n in _METHOD_UNARY], "input, *args, **kwargs", _unary),
    *entries(["operator.neg", "operator.pos", "operator.invert", "operator.abs"], "input", _unary),
    *entries(["operator." + n for n in _BINARY_OPERATORS], "input, other", _binary),
    *entries(["torch." + n for n in _BINARY_FUNCTIONS if n not in _TENSOR_ONLY], "input, other, *args, **kwargs",
             _binary),
    *entries(["torch." + n for n in _TENSOR_ONLY], "input, other, *args, **kwargs", _tensor_binary),
    *entries([T + n for n in _BINARY_FUNCTIONS], "input, other, *args, **kwargs", _binary),
    *entries([T + "__" + n.rstrip("_") + "__" for n in _BINARY_OPERATORS], "input, other", _binary),
    *entries(["torch.where"], "condition, input=None, other=None", _where),
    *entries([T + "where"], "input, condition, y", renamed(_where, y="other")),
    *entries([F + "softmax", F + "log_softmax", F + "softmin"], "input, dim=None, _stacklevel=3, dtype=None", _softmax),
    *entries(["torch.softmax", "torch.log_softmax", T + "softmax", T + "log_softmax"], "input, dim, dtype=None",
             _softmax),
    *entries([F + "glu"], "input, dim=-1", _glu),
    *entries([F + "normalize"], "input, p=2.0, dim=1, eps=1e-12, out=None", _normalize),
    *entries([F + "dropout1d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout1d", 2)),
    *entries([F + "dropout2d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout2d", 2)),
    *entries([F + "dropout3d"], "input, p=0.5, training=True, inplace=False", _feature_dropout("dropout3d", 1)),
    *entries([F + "feature_alpha_dropout"], "input, p=0.5, training=False, inplace=False",
             _feature_dropout("feature_alpha_dropout", 2)),
]
