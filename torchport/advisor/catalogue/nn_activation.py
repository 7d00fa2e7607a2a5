"""Activations, the softmax family, GLU, PReLU and the dropouts: shape-keeping layers."""

from __future__ import annotations

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
    check_rank,
    invalid,
    norm_dim,
)
from torchport.advisor.catalogue.layer import (
    ANY_ARGS,
    FACTORY,
    Args,
    Constraint,
    LayerSpec,
    OutputRule,
    input_shape,
    probability,
    simple,
    size_arg,
)
from torchport.advisor.dims import Unknown, exact_div, fmt


# Channel-wise dropouts: the minimum rank torch's kernel checks when 0 < p < 1 (Dropout3d adds a
# batch dim itself); Dropout1d checks for a 2-d or 3-d input in Python, whatever p is.
_FEATURE_DROPOUTS = {"Dropout1d": 2, "Dropout2d": 2, "Dropout3d": 1, "FeatureAlphaDropout": 2}


def _feature_dropout_out(name: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        if name == "Dropout1d":
            check_rank(x, (2, 3), name)
        p = a["p"]
        active = isinstance(p, (int, float)) and not isinstance(p, bool) and 0 < p < 1  # unknown p: silent
        if active and len(x) < _FEATURE_DROPOUTS[name]:
            raise Invalid(Problem("rank", f"{name} drops whole channels and needs at least "
                                          f"{_FEATURE_DROPOUTS[name]} dims, got {len(x)}", got=len(x),
                                  expected=f"at least {_FEATURE_DROPOUTS[name]}"))
        return Tensor(x)
    return out


def _prelu_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    n = size_arg(a, "num_parameters", 1)
    if not (isinstance(n, int) and n == 1):
        if not x:
            raise Invalid(Problem("rank", "PReLU with num_parameters > 1 needs an input of at least 1 dim",
                                  got=0, expected="at least 1"))
        if len(x) < 2:  # torch takes the channel size of a 0-d or 1-d input as 1
            raise Invalid(Problem("arg-mismatch", f"PReLU: num_parameters={fmt(n)} but a {len(x)}-d input has 1 "
                                                  "channel: num_parameters should be 1", arg="num_parameters",
                                  got=n, expected=1))
        shapes.channels(ctx, "PReLU", x, 1, n, "num_parameters")
    return Tensor(x)


def _dim_out(name: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        if a["dim"] is not None:
            norm_dim(a["dim"], len(x))
        return Tensor(x)
    return out


def _softmax2d_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    check_rank(x, (3, 4), "Softmax2d")
    return Tensor(x)


def _glu_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    if not x:
        raise Invalid(Problem("rank", "GLU does not accept a 0-d input", got=0, expected="at least 1"))
    d = norm_dim(a["dim"], len(x))
    half = exact_div(x[d], 2)
    if isinstance(half, Unknown):
        if isinstance(x[d], int):
            raise Invalid(Problem("size-mismatch", f"GLU halves dim {d}, whose size {x[d]} is odd", dim=d, got=x[d],
                                  expected="an even size"))
        raise Undecidable
    return Tensor((*x[:d], half, *x[d + 1:]))


def _hardtanh_validate(a: Args) -> None:
    lo = a["min_value"] if a["min_value"] is not None else a["min_val"]
    hi = a["max_value"] if a["max_value"] is not None else a["max_val"]
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and not hi > lo:
        raise invalid(f"Hardtanh: max_val ({hi}) must be greater than min_val ({lo})", "max_val", hi, lo)


def _gelu_validate(a: Args) -> None:
    if isinstance(a["approximate"], str) and a["approximate"] not in ("none", "tanh"):
        raise invalid(f"GELU: approximate must be 'none' or 'tanh', got {a['approximate']!r}", "approximate")


# Elementwise activations: (name, constructor signature); all keep the input's shape.
_ACTIVATIONS = (
    ("ReLU", "inplace=False"), ("ReLU6", "inplace=False"), ("LeakyReLU", "negative_slope=0.01, inplace=False"),
    ("ELU", "alpha=1.0, inplace=False"), ("SELU", "inplace=False"), ("CELU", "alpha=1.0, inplace=False"),
    ("SiLU", "inplace=False"), ("Mish", "inplace=False"), ("Sigmoid", ANY_ARGS), ("Tanh", ANY_ARGS),
    ("Hardsigmoid", "inplace=False"), ("Hardswish", "inplace=False"), ("Softplus", "beta=1.0, threshold=20.0"),
    ("Softsign", ANY_ARGS), ("Softshrink", "lambd=0.5"), ("Hardshrink", "lambd=0.5"), ("Tanhshrink", ANY_ARGS),
    ("Threshold", "threshold, value, inplace=False"), ("LogSigmoid", ANY_ARGS),
    ("RReLU", "lower=0.125, upper=0.3333333333333333, inplace=False"),
)


_DROPOUTS = ("Dropout", "AlphaDropout")


SPECS: list[LayerSpec] = [
    simple("PReLU", f"num_parameters=1, init=0.25, {FACTORY}", _prelu_out,
           count=lambda a, x: (size_arg(a, "num_parameters", 1), 0), constrains=(Constraint("num_parameters", 0, 1),)),
    simple("GELU", "approximate='none'", validate=_gelu_validate),
    simple("Hardtanh", "min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None",
           validate=_hardtanh_validate),
    simple("GLU", "dim=-1", _glu_out),
    simple("Softmax2d", ANY_ARGS, _softmax2d_out),
    *(simple(name, "dim=None", _dim_out(name)) for name in ("Softmax", "LogSoftmax", "Softmin")),
    *(simple(name, init) for name, init in _ACTIVATIONS),
    *(simple(name, "p=0.5, inplace=False", validate=probability()) for name in _DROPOUTS),
    *(simple(name, "p=0.5, inplace=False", _feature_dropout_out(name), validate=probability())
      for name in _FEATURE_DROPOUTS),
]
