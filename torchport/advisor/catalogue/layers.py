"""The layer TABLE: for each supported torch.nn layer, its constructor and forward signatures (torch
2.13), output-shape rule, parameter and buffer counts, and which input dims its arguments constrain.

Entries are built by one function per family (`_conv(2)`, `_pool("max", 2)`...) and keyed by the
canonical name ("torch.nn.Conv2d"), the key `torchport.analysis.layers` uses for layer kinds.

    layer = build("torch.nn.Linear", (2048, 128))       # bind constructor arguments
    layer.errors                                         # constructor problems (bad call, groups...)
    layer(Tensor((N, 1568)))                              # Result: errors name in_features, 2048 -> 1568
    layer.param_count()                                   # ParamCount(total=262272, trainable=..., buffers=0)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Result,
    Tensor,
    Undecidable,
    arg_mismatch,
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
from torchport.advisor.dims import UNKNOWN, Dim, Unknown, exact_div, floordiv, fmt, prod

Args = Mapping[str, Any]
OutputRule = Callable[[Ctx, Args, Args], Any]  # (ctx, constructor args, forward args) -> output value
CountRule = Callable[[Args, Any], tuple[Dim, Dim]]  # (constructor args, first input) -> (params, buffers)
Validate = Callable[[Args], None]  # raises Invalid for arguments the constructor rejects

_FACTORY = "device=None, dtype=None"


@dataclass(frozen=True)
class Constraint:
    """Argument `arg` must equal dim `dim` of input `operand` (negative: from the end;
    "trailing": the input's last len(arg) dims)."""

    arg: str
    operand: int
    dim: int | str


@dataclass(frozen=True)
class ParamCount:
    total: int
    trainable: int  # every parameter of a freshly built layer requires grad
    buffers: int  # running statistics and the like: not parameters


@dataclass(frozen=True)
class LayerSpec:
    name: str
    init_text: str  # constructor parameters as written in a def: "in_features, out_features, bias=True, ..."
    forward_text: str
    output: OutputRule
    count: CountRule | None = None  # None: no parameters, no buffers
    validate: Validate | None = None
    constrains: tuple[Constraint, ...] = ()
    lazy: bool = False  # parameter count depends on the first input

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def init(self) -> Signature:
        return parse(self.init_text)  # parsed on first use (cached): importing the table stays cheap

    @property
    def forward(self) -> Signature:
        return parse(self.forward_text)


@dataclass(frozen=True)
class Layer:
    """A layer built with concrete (or UNKNOWN) constructor arguments."""

    spec: LayerSpec
    args: Args
    errors: tuple[Problem, ...] = ()

    def __call__(self, *inputs: Any, more_args: bool = False, **kwargs: Any) -> Result:
        """The output of calling the layer on abstract inputs (Tensors, None, UNKNOWN...)."""
        if self.errors:
            return Result(UNKNOWN)
        try:
            fwd = bind(self.spec.forward, inputs, kwargs, more_args=more_args)
        except BindError as error:
            return Result(UNKNOWN, (Problem("bad-call", f"{self.spec.short}.forward() {error}"),))
        return run_rule(lambda ctx: self.spec.output(ctx, self.args, fwd))

    def param_count(self, first_input: Any = UNKNOWN) -> ParamCount | Unknown:
        """Parameters and buffers; a lazy layer's depend on its first input (UNKNOWN without it)."""
        if self.errors:
            return UNKNOWN
        if self.spec.count is None:
            return ParamCount(0, 0, 0)
        try:
            params, buffers = self.spec.count(self.args, first_input)
        except (Undecidable, Invalid):
            return UNKNOWN
        except Exception:  # never crash on odd arguments
            return UNKNOWN
        if not isinstance(params, int) or not isinstance(buffers, int):
            return UNKNOWN
        return ParamCount(params, params, buffers)


def build(name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *,
          more_args: bool = False, more_kwargs: bool = False) -> Layer | None:
    """Bind constructor arguments to the layer `name` ("torch.nn.Conv2d"); None if not catalogued."""
    spec = LAYERS.get(name)
    if spec is None:
        return None
    try:
        bound = bind(spec.init, args, kwargs, more_args=more_args, more_kwargs=more_kwargs)
    except BindError as error:
        return Layer(spec, {}, (Problem("bad-call", f"{spec.short}() {error}"),))
    if spec.validate is not None:
        try:
            spec.validate(bound)
        except Invalid as error:
            return Layer(spec, bound, (error.problem,))
        except Exception:  # Undecidable or an odd literal: nothing to say
            pass
    return Layer(spec, bound, ())


# ------------------------------------------------------------------------------------- helpers

def _x(f: Args, name: str = "input") -> tuple[Dim, ...]:
    return shape_of(f[name])


def _same(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(_x(f))


def _size(a: Args, name: str, minimum: int = 0) -> Dim:
    return as_int(a[name], name, minimum=minimum)


def _checked(a: Args, name: str) -> Dim:
    """An argument only compared with the input: UNKNOWN (no check) when it is not a known int."""
    try:
        return as_int(a[name], name)
    except Undecidable:
        return UNKNOWN


def _check_sizes(*names: str, minimum: int = 0) -> Validate:
    def validate(a: Args) -> None:
        for n in names:
            value = a[n]
            if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
                raise invalid(f"{n} must be at least {minimum}, got {value}", n, value, minimum)
    return validate


def _validators(*checks: Validate) -> Validate:
    def validate(a: Args) -> None:
        for check in checks:
            check(a)
    return validate


def _probability(name: str = "p") -> Validate:
    def validate(a: Args) -> None:
        p = a[name]
        if isinstance(p, (int, float)) and not isinstance(p, bool) and not 0 <= p <= 1:
            raise invalid(f"dropout probability has to be between 0 and 1, but got {p}", name, p, (0, 1))
    return validate


def _no_params(a: Args, x: Any) -> tuple[Dim, Dim]:
    return 0, 0


# ------------------------------------------------------------------------------ linear family

def _linear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(shapes.linear(ctx, "Linear", _x(f), _checked(a, "in_features"), _size(a, "out_features")))


def _linear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    i, o = _size(a, "in_features"), _size(a, "out_features")
    return i * o + (o if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _lazy_linear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
    return Tensor(shapes.linear(ctx, "LazyLinear", x, x[-1] if x else 0, _size(a, "out_features")))


def _lazy_linear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    s = shape_of(x)
    return _linear_count({**a, "in_features": need(s[-1] if s else UNKNOWN)}, None)


def _bilinear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x1, x2 = _x(f, "input1"), _x(f, "input2")
    out = shapes.linear(ctx, "Bilinear", x1, _size(a, "in1_features"), _size(a, "out_features"), "in1_features")
    shapes.linear(ctx, "Bilinear", x2, _size(a, "in2_features"), _size(a, "out_features"), "in2_features", operand=1)
    if len(x1) != len(x2):
        raise Invalid(Problem("rank", f"Bilinear: input1 ({len(x1)}-d) and input2 ({len(x2)}-d) must have the same "
                                      "number of dims", operand=1, got=len(x2), expected=len(x1)))
    for d, (p, q) in enumerate(zip(x1[:-1], x2[:-1])):
        ctx.equal(q, p, size_mismatch(f"Bilinear: input2's dim {d} ({fmt(q)}) differs from input1's ({fmt(p)})",
                                      1, d, q, p))
    return Tensor(out)


def _bilinear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    i1, i2, o = _size(a, "in1_features"), _size(a, "in2_features"), _size(a, "out_features")
    return i1 * i2 * o + (o if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _identity_out(ctx: Ctx, a: Args, f: Args) -> Any:
    return f["input"]


# -------------------------------------------------------------------------------- convolutions

_CONV_INIT = ("in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True, "
              f"padding_mode='zeros', {_FACTORY}")
_TCONV_INIT = ("in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, "
               f"dilation=1, padding_mode='zeros', {_FACTORY}")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _conv_validate(nd: int, transposed: bool, lazy: bool) -> Validate:
    def validate(a: Args) -> None:
        groups = as_int(a["groups"], "groups")
        if isinstance(groups, int) and groups < 1:
            raise invalid("groups must be a positive integer", "groups", groups, 1)
        names = ("out_channels",) if lazy else ("in_channels", "out_channels")
        for n in names:
            c = a[n]
            if isinstance(c, int) and isinstance(groups, int) and c % groups:
                raise invalid(f"{n}={c} must be divisible by groups={groups}", n, c, groups)
        padding = a["padding"]
        if isinstance(padding, str):
            if transposed or padding not in ("same", "valid"):
                raise invalid(f"invalid padding string {padding!r}, should be one of ('valid', 'same')"
                              if not transposed else "ConvTranspose does not accept padding strings", "padding", padding)
            if padding == "same" and any(s != 1 for s in as_tuple(a["stride"], nd, "stride")):
                raise invalid("padding='same' is not supported for strided convolutions: use stride=1 or "
                              "an explicit padding", "padding", padding)
        mode = a["padding_mode"]
        if isinstance(mode, str) and mode not in _PADDING_MODES:
            raise invalid(f"padding_mode must be one of {_PADDING_MODES}, got {mode!r}", "padding_mode", mode)
        if transposed and isinstance(mode, str) and mode != "zeros":
            raise invalid(f"Only 'zeros' padding mode is supported for ConvTranspose{nd}d", "padding_mode", mode)
        for n in ("kernel_size", "stride", "dilation"):
            as_tuple(a[n], nd, n, minimum=1)
        if not isinstance(padding, str):
            as_tuple(padding, nd, "padding", minimum=0)
    return validate


def _conv_out(nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}Conv{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        cdim = shapes.spatial_input(name, x, nd)
        in_channels = x[cdim] if lazy else _checked(a, "in_channels")
        if lazy:
            _lazy_groups(ctx, name, in_channels, a)
        padding = a["padding"]
        pads = padding if isinstance(padding, str) else as_tuple(padding, nd, "padding")
        mode = need(a["padding_mode"])
        return Tensor(shapes.conv(ctx, name, x, nd, in_channels, _size(a, "out_channels"),
                                  as_tuple(a["kernel_size"], nd, "kernel_size"), as_tuple(a["stride"], nd, "stride"),
                                  pads, as_tuple(a["dilation"], nd, "dilation"), padding_mode=mode))
    return out


def _conv_count(nd: int, lazy: bool, transposed: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        if lazy:
            s = shape_of(x)
            in_c = need(s[len(s) - nd - 1]) if len(s) in (nd + 1, nd + 2) else need(UNKNOWN)
        else:
            in_c = _size(a, "in_channels")
        out_c, groups = _size(a, "out_channels"), _size(a, "groups", 1)
        k = prod(as_tuple(a["kernel_size"], nd, "kernel_size"))
        per = exact_div(out_c if transposed else in_c, groups)
        weight = (in_c if transposed else out_c) * need(per) * k  # type: ignore[operator]
        return weight + (out_c if as_bool(a["bias"]) else 0), 0
    return count


def _tconv_out(nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}ConvTranspose{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        cdim = shapes.spatial_input(name, x, nd)
        in_channels = x[cdim] if lazy else _checked(a, "in_channels")
        if lazy:
            _lazy_groups(ctx, name, in_channels, a)
        return Tensor(shapes.conv_transpose(
            ctx, name, x, nd, in_channels, _size(a, "out_channels"), as_tuple(a["kernel_size"], nd, "kernel_size"),
            as_tuple(a["stride"], nd, "stride"), as_tuple(a["padding"], nd, "padding"),
            as_tuple(a["output_padding"], nd, "output_padding"), as_tuple(a["dilation"], nd, "dilation")))
    return out


def _lazy_groups(ctx: Ctx, name: str, in_channels: Dim, a: Args) -> None:
    """A lazy conv learns in_channels from its input, which groups must divide."""
    groups = a["groups"]
    shapes.divisible(ctx, in_channels, groups, lambda: Problem(
        "invalid-arg", f"{name}: the input's {fmt(in_channels)} channels must be divisible by groups={groups}",
        arg="groups", got=groups, expected=in_channels))


def _conv(nd: int, *, transposed: bool = False, lazy: bool = False) -> LayerSpec:
    init = _TCONV_INIT if transposed else _CONV_INIT
    if lazy:
        init = init.replace("in_channels, ", "")
    kind = "ConvTranspose" if transposed else "Conv"
    return LayerSpec(
        f"torch.nn.{'Lazy' if lazy else ''}{kind}{nd}d", init, "input",
        (_tconv_out if transposed else _conv_out)(nd, lazy), _conv_count(nd, lazy, transposed),
        _conv_validate(nd, transposed, lazy),
        () if lazy else (Constraint("in_channels", 0, -(nd + 1)),), lazy,
    )


# ------------------------------------------------------------------------------------ pooling

def _pool_args(a: Args, nd: int, *, dilation: bool) -> tuple[Any, ...]:
    kernel = as_tuple(a["kernel_size"], nd, "kernel_size", minimum=1, allow_single=True)
    stride = kernel if a["stride"] is None else as_tuple(a["stride"], nd, "stride", allow_single=True)
    padding = as_tuple(a.get("padding", 0), nd, "padding", minimum=0, allow_single=True)
    dil = as_tuple(a["dilation"], nd, "dilation", minimum=1, allow_single=True) if dilation else (1,) * nd
    return kernel, stride, padding, dil, as_bool(a["ceil_mode"])


def _pool_out(kind: str, nd: int) -> OutputRule:
    name = f"{kind}Pool{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = _x(f)
        if kind == "LP" and nd == 1 and isinstance(a["kernel_size"], (tuple, list)):
            raise invalid("LPPool1d: kernel_size must be an int (lp_pool1d multiplies by it)", "kernel_size")
        # avg_pool3d (also under LPPool3d) wants every spatial size >= the kernel, padding aside
        y = Tensor(shapes.pool(ctx, name, x, nd, *_pool_args(a, nd, dilation=kind == "Max"),
                               input_at_least_kernel=nd == 3 and kind != "Max"))
        if kind == "Max" and as_bool(a["return_indices"]):
            return (y, y)
        return y
    return out


def _pool(kind: str, nd: int) -> LayerSpec:
    init = {
        "Max": "kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False",
        "Avg": "kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"
               + (", divisor_override=None" if nd > 1 else ""),
        "LP": "norm_type, kernel_size, stride=None, ceil_mode=False",
    }[kind]
    return LayerSpec(f"torch.nn.{kind}Pool{nd}d", init, "input", _pool_out(kind, nd))


def _adaptive_out(kind: str, nd: int) -> OutputRule:
    name = f"Adaptive{kind}Pool{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        size = need(a["output_size"])
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * nd
        if len(sizes) != nd or (nd == 1 and None in sizes):
            raise invalid(f"{name}: output_size must be an int or a tuple of {nd}", "output_size", size)
        y = Tensor(shapes.adaptive(name, _x(f), nd, sizes))
        return (y, y) if kind == "Max" and as_bool(a["return_indices"]) else y
    return out


def _adaptive(kind: str, nd: int) -> LayerSpec:
    init = "output_size" + (", return_indices=False" if kind == "Max" else "")
    return LayerSpec(f"torch.nn.Adaptive{kind}Pool{nd}d", init, "input", _adaptive_out(kind, nd))


# ------------------------------------------------------------------------------ normalisation

_BN_INIT = f"num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, {_FACTORY}, *, bias=True"
_IN_INIT = f"num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False, {_FACTORY}, *, bias=True"
_LAZY_NORM_INIT = f"eps=1e-05, momentum=0.1, affine=True, track_running_stats=True, {_FACTORY}, *, bias=True"
_NORM_RANKS = {("Batch", 1): (2, 3), ("Batch", 2): (4,), ("Batch", 3): (5,),
               ("Instance", 1): (2, 3), ("Instance", 2): (3, 4), ("Instance", 3): (4, 5)}


def _norm_out(kind: str, nd: int, lazy: bool) -> OutputRule:
    name = f"{'Lazy' if lazy else ''}{kind}Norm{nd}d"
    ranks = _NORM_RANKS[(kind, nd)]

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        check_rank(x, ranks, name)
        cdim = len(x) - nd - 1 if kind == "Instance" else 1
        # only per-channel tensors (affine weights, running statistics) make a mismatch an error;
        # a lazy layer takes num_features from dim 1, even for an unbatched InstanceNorm input
        features = x[1] if lazy else _checked(a, "num_features")
        if as_bool(a["affine"]) or as_bool(a["track_running_stats"]):
            shapes.channels(ctx, name, x, cdim, features, "num_features")
        if kind == "Instance" and not as_bool(a["track_running_stats"]) and prod(x[cdim + 1:]) == 1:
            # statistics over a single value, in training and evaluation alike
            raise Invalid(Problem("too-small", f"{name}: expected more than 1 spatial element, got "
                                               f"{fmt(prod(x[cdim + 1:]))}", dim=cdim + 1, got=1,
                                  expected="more than 1"))
        return Tensor(x)
    return out


def _norm_count(kind: str, nd: int, lazy: bool) -> CountRule:
    ranks = _NORM_RANKS[(kind, nd)]

    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        if lazy:
            s = shape_of(x)
            if len(s) not in ranks:
                raise Undecidable
            c = need(s[1])
        else:
            c = _size(a, "num_features")
        params = (c + (c if as_bool(a["bias"]) else 0)) if as_bool(a["affine"]) else 0
        buffers = 2 * c + 1 if as_bool(a["track_running_stats"]) else 0
        return params, buffers
    return count


def _norm(kind: str, nd: int, lazy: bool = False) -> LayerSpec:
    init = _LAZY_NORM_INIT if lazy else (_BN_INIT if kind == "Batch" else _IN_INIT)
    return LayerSpec(f"torch.nn.{'Lazy' if lazy else ''}{kind}Norm{nd}d", init, "input",
                     _norm_out(kind, nd, lazy), _norm_count(kind, nd, lazy),
                     None if lazy else _check_sizes("num_features"),
                     () if lazy else (Constraint("num_features", 0, 1),), lazy)


def _shape_arg(a: Args, name: str = "normalized_shape") -> tuple[Dim, ...]:
    value = need(a[name])
    return tuple(as_int(v, name) for v in value) if isinstance(value, (tuple, list)) else (as_int(value, name),)


def _layer_norm_out(name: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        shapes.trailing(ctx, name, x, _shape_arg(a))
        return Tensor(x)
    return out


def _layer_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    n = prod(_shape_arg(a))
    if not as_bool(a["elementwise_affine"]):
        return 0, 0
    return n + (n if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _rms_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    return (prod(_shape_arg(a)) if as_bool(a["elementwise_affine"]) else 0), 0


def _group_norm_validate(a: Args) -> None:
    g, c = a["num_groups"], a["num_channels"]
    if isinstance(g, int) and isinstance(c, int) and g > 0 and c % g:
        raise invalid(f"num_channels={c} must be divisible by num_groups={g}", "num_channels", c, g)


def _group_norm_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
    if len(x) < 2:
        raise Invalid(Problem("rank", f"GroupNorm expects an input of at least 2 dims (N, C, *), got {len(x)}-d",
                              got=len(x), expected="at least 2"))
    groups = a["num_groups"]
    if as_bool(a["affine"]):  # the per-channel weight must match; without it only the grouping matters
        shapes.channels(ctx, "GroupNorm", x, 1, _checked(a, "num_channels"), "num_channels")
    shapes.divisible(ctx, x[1], groups, lambda: Problem(
        "size-mismatch", f"GroupNorm: the input's {fmt(x[1])} channels are not divisible by num_groups={groups}",
        dim=1, got=x[1], expected=groups))
    if isinstance(groups, int) and groups > 0:
        # F.group_norm's _verify_batch_size: (N*C//G) * prod(spatial) values must be more than one
        values = floordiv(x[0] * x[1], groups) * prod(x[2:])  # type: ignore[operator]
        ctx.positive(values - 1, lambda: Problem(  # type: ignore[operator]
            "too-small", f"GroupNorm: expected more than 1 value per group, got {fmt(values)}", got=values,
            expected="more than 1"))
    return Tensor(x)


def _group_norm_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    c = _size(a, "num_channels")
    return ((c + (c if as_bool(a["bias"]) else 0)) if as_bool(a["affine"]) else 0), 0


def _lrn_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
    if len(x) < 3:
        raise Invalid(Problem("rank", f"LocalResponseNorm expects at least 3 dims, got {len(x)}", got=len(x),
                              expected="at least 3"))
    return Tensor(x)


# -------------------------------------------------------------------------------- activations

# Channel-wise dropouts: the minimum rank torch's kernel checks when 0 < p < 1 (Dropout3d adds a
# batch dim itself); Dropout1d checks for a 2-d or 3-d input in Python, whatever p is.
_FEATURE_DROPOUTS = {"Dropout1d": 2, "Dropout2d": 2, "Dropout3d": 1, "FeatureAlphaDropout": 2}


def _feature_dropout_out(name: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
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
    x = _x(f)
    n = _size(a, "num_parameters", 1)
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
        x = _x(f)
        if a["dim"] is not None:
            norm_dim(a["dim"], len(x))
        return Tensor(x)
    return out


def _softmax2d_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
    check_rank(x, (3, 4), "Softmax2d")
    return Tensor(x)


def _glu_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
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


# ------------------------------------------------------------------------------ flatten & co

def _flatten_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(shapes.flatten(_x(f), a["start_dim"], a["end_dim"], "Flatten"))


def _unflatten_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(shapes.unflatten(ctx, _x(f), a["dim"], need(a["unflattened_size"]), "Unflatten"))


def _embedding_validate(a: Args) -> None:
    _check_sizes("num_embeddings", "embedding_dim")(a)
    n, pad = a["num_embeddings"], a["padding_idx"]
    if isinstance(n, int) and isinstance(pad, int) and not -n <= pad < n:
        raise invalid(f"padding_idx={pad} must be within num_embeddings={n}", "padding_idx", pad, (-n, n - 1))


def _embedding_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor((*_x(f), _size(a, "embedding_dim")))


def _embedding_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    return _size(a, "num_embeddings") * _size(a, "embedding_dim"), 0  # type: ignore[operator]


def _bag_validate(a: Args) -> None:
    _embedding_validate(a)
    if isinstance(a["mode"], str) and a["mode"] not in ("sum", "mean", "max"):
        raise invalid(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {a['mode']!r}", "mode", a["mode"])


def _bag_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = _x(f)
    dim = _size(a, "embedding_dim")
    offsets = f["offsets"]
    if len(x) == 2:
        if offsets is not None:
            raise invalid("EmbeddingBag: offsets must be None for a 2-d input", "offsets")
        return Tensor((x[0], dim))
    if len(x) != 1:
        raise Invalid(Problem("rank", f"EmbeddingBag expects a 1-d or 2-d input, got {len(x)}-d", got=len(x),
                              expected=(1, 2)))
    if offsets is None:
        raise invalid("EmbeddingBag: offsets are required for a 1-d input", "offsets")
    o = shape_of(offsets)
    if len(o) != 1:
        raise Invalid(Problem("rank", f"EmbeddingBag: offsets must be 1-d, got {len(o)}-d", operand=1, got=len(o),
                              expected=1))
    bags = o[0] - 1 if as_bool(a["include_last_offset"]) else o[0]  # type: ignore[operator]
    return Tensor((bags, dim))


# ---------------------------------------------------------------------------------- recurrent

_RNN_INIT = {
    "RNN": f"input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0, "
           f"bidirectional=False, {_FACTORY}",
    "LSTM": f"input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False, "
            f"proj_size=0, {_FACTORY}",
    "GRU": f"input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False, "
           f"{_FACTORY}",
}
_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, "RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}


def _rnn_validate(kind: str) -> Validate:
    def validate(a: Args) -> None:
        _probability("dropout")(a)
        for n in ("hidden_size", "num_layers"):
            v = a[n]
            if isinstance(v, int) and not isinstance(v, bool) and v <= 0:
                raise invalid(f"{kind}: {n} must be greater than zero, got {v}", n, v, 1)
        if kind == "RNN" and isinstance(a["nonlinearity"], str) and a["nonlinearity"] not in ("tanh", "relu"):
            raise invalid(f"RNN: unknown nonlinearity {a['nonlinearity']!r}, select 'tanh' or 'relu'", "nonlinearity")
        if kind == "LSTM":
            p, h = a["proj_size"], a["hidden_size"]
            if isinstance(p, int) and p < 0:
                raise invalid("LSTM: proj_size should be a positive integer or zero to disable projections",
                              "proj_size", p, 0)
            if isinstance(p, int) and isinstance(h, int) and p >= h:
                raise invalid(f"LSTM: proj_size ({p}) has to be smaller than hidden_size ({h})", "proj_size", p, h)
    return validate


def _rnn_out(kind: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = _x(f)
        check_rank(x, (2, 3), kind)
        batched = len(x) == 3
        batch_first = as_bool(a["batch_first"])
        shapes.channels(ctx, kind, x, len(x) - 1, _checked(a, "input_size"), "input_size")
        seq, batch = (x[1], x[0]) if batched and batch_first else (x[0], x[1] if batched else None)
        d = 2 if as_bool(a["bidirectional"]) else 1
        hidden = _size(a, "hidden_size")
        proj = _size(a, "proj_size") if kind == "LSTM" else 0
        h_out = proj if not (isinstance(proj, int) and proj == 0) else hidden
        layers = _size(a, "num_layers")
        lead = (batch, seq) if batched and batch_first else (seq, batch) if batched else (seq,)
        output = Tensor((*lead, d * h_out))  # type: ignore[operator]
        state = (d * layers, batch) if batched else (d * layers,)  # type: ignore[operator]
        h = Tensor((*state, h_out))
        expected: tuple[Tensor, ...] = (h, Tensor((*state, hidden))) if kind == "LSTM" else (h,)
        _check_state(ctx, kind, f["hx"], expected)
        return (output, expected if kind == "LSTM" else h)
    return out


def _check_state(ctx: Ctx, kind: str, hx: Any, expected: tuple[Tensor, ...]) -> None:
    """An initial state passed to forward must have the shapes the layer returns."""
    if hx is None or isinstance(hx, Unknown):
        return
    given = hx if isinstance(hx, tuple) else (hx,)
    for i, (g, e) in enumerate(zip(given, expected)):
        if not isinstance(g, Tensor) or isinstance(g.shape, Unknown) or isinstance(e.shape, Unknown):
            continue
        if len(g.shape) != len(e.shape):
            raise Invalid(Problem("rank", f"{kind}: the initial state {i} should be {len(e.shape)}-d, got "
                                          f"{len(g.shape)}-d", operand=1, got=len(g.shape), expected=len(e.shape)))
        for d, (p, q) in enumerate(zip(g.shape, e.shape)):
            ctx.equal(p, q, size_mismatch(f"{kind}: dim {d} of the initial state {i} is {fmt(p)}, expected {fmt(q)}",
                                          1, d, p, q))


def _rnn_count(kind: str) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        gates = _GATES[kind]
        i, h = _size(a, "input_size"), _size(a, "hidden_size")
        layers = need(a["num_layers"])
        if not isinstance(layers, int):
            raise Undecidable
        proj = _size(a, "proj_size") if kind == "LSTM" else 0
        h_out = proj if proj else h
        d = 2 if as_bool(a["bidirectional"]) else 1
        bias = as_bool(a["bias"])
        total: Dim = 0
        for layer in range(layers):
            layer_in = i if layer == 0 else d * h_out  # type: ignore[operator]
            per = gates * h * layer_in + gates * h * h_out + (2 * gates * h if bias else 0)  # type: ignore[operator]
            if proj:
                per = per + proj * h  # type: ignore[operator]
            total = total + d * per  # type: ignore[operator]
        return total, 0
    return count


def _cell_out(kind: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = _x(f)
        check_rank(x, (1, 2), kind)
        shapes.channels(ctx, kind, x, len(x) - 1, _checked(a, "input_size"), "input_size")
        h = Tensor((*x[:-1], _size(a, "hidden_size")))
        expected = (h, h) if kind == "LSTMCell" else (h,)
        _check_state(ctx, kind, f["hx"], expected)
        return expected if kind == "LSTMCell" else h
    return out


def _cell_count(kind: str) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        g, i, h = _GATES[kind], _size(a, "input_size"), _size(a, "hidden_size")
        return g * h * (i + h) + (2 * g * h if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]
    return count


# ---------------------------------------------------------------------------------- attention

def _mha_validate(a: Args) -> None:
    _probability("dropout")(a)
    e, h = a["embed_dim"], a["num_heads"]
    if isinstance(e, int) and isinstance(h, int):
        if e <= 0 or h <= 0:
            raise invalid(f"embed_dim and num_heads must be greater than 0, got {e} and {h}", "embed_dim", e)
        if e % h:
            raise invalid(f"embed_dim={e} must be divisible by num_heads={h}", "num_heads", h, e)


def _mha_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    e = _size(a, "embed_dim")
    k = e if a["kdim"] is None else _size(a, "kdim")
    v = e if a["vdim"] is None else _size(a, "vdim")
    bias = as_bool(a["bias"])
    weights = e * e + e * k + e * v  # q, k, v projections (packed or separate: same count)  # type: ignore[operator]
    total = weights + (3 * e if bias else 0) + e * e + (e if bias else 0)  # type: ignore[operator]
    if as_bool(a["add_bias_kv"]):
        total = total + 2 * e  # type: ignore[operator]
    return total, 0


def _mha_out(ctx: Ctx, a: Args, f: Args) -> Any:
    q, k, v = _x(f, "query"), _x(f, "key"), _x(f, "value")
    name = "MultiheadAttention"
    check_rank(q, (2, 3), name)
    batched = len(q) == 3
    for operand, t in ((1, k), (2, v)):
        if len(t) != len(q):
            raise Invalid(Problem("rank", f"{name}: key and value must have as many dims as query ({len(q)}), "
                                          f"got {len(t)}", operand=operand, got=len(t), expected=len(q)))
    e = _size(a, "embed_dim")
    kdim = e if a["kdim"] is None else _size(a, "kdim")
    vdim = e if a["vdim"] is None else _size(a, "vdim")
    last = len(q) - 1
    shapes.channels(ctx, name, q, last, e, "embed_dim")
    ctx.equal(kdim, k[last], arg_mismatch(name, "kdim", kdim, k[last], 1, last), defer=True)
    ctx.equal(vdim, v[last], arg_mismatch(name, "vdim", vdim, v[last], 2, last), defer=True)
    batch_first = batched and as_bool(a["batch_first"])
    seq_dim = 1 if batch_first else 0
    ctx.equal(v[seq_dim], k[seq_dim], size_mismatch(f"{name}: key and value have different sequence lengths "
                                                    f"({fmt(k[seq_dim])} and {fmt(v[seq_dim])})", 2, seq_dim,
                                                    v[seq_dim], k[seq_dim]))
    if batched:
        bdim = 0 if batch_first else 1
        for operand, t in ((1, k), (2, v)):
            ctx.equal(t[bdim], q[bdim], size_mismatch(f"{name}: batch size {fmt(t[bdim])} differs from the "
                                                      f"query's {fmt(q[bdim])}", operand, bdim, t[bdim], q[bdim]))
    out = Tensor(q)
    if not as_bool(f["need_weights"]):
        return (out, None)
    L, S = q[seq_dim], k[seq_dim]
    S = S + int(as_bool(a["add_bias_kv"])) + int(as_bool(a["add_zero_attn"]))  # type: ignore[operator]
    heads = () if as_bool(f["average_attn_weights"]) else (_size(a, "num_heads"),)
    batch = (q[0 if batch_first else 1],) if batched else ()
    return (out, Tensor((*batch, *heads, L, S)))


def _transformer_validate(a: Args) -> None:
    _probability("dropout")(a)
    _mha_validate({"embed_dim": a["d_model"], "num_heads": a["nhead"], "dropout": 0.0})
    act = a["activation"]
    if isinstance(act, str) and act not in ("relu", "gelu"):
        raise invalid(f"activation should be relu/gelu, not {act}", "activation", act)


def _ln_params(e: Dim, bias: bool) -> Dim:
    return e * 2 if bias else e  # type: ignore[operator]


def _transformer_layer_count(decoder: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        e, ff = _size(a, "d_model"), _size(a, "dim_feedforward")
        bias = as_bool(a["bias"])
        attn = {"embed_dim": e, "kdim": None, "vdim": None, "bias": bias, "add_bias_kv": False}
        attention = _mha_count(attn, None)[0]
        mlp = e * ff + ff * e + ((ff + e) if bias else 0)  # type: ignore[operator]
        attentions, norms = (2, 3) if decoder else (1, 2)
        return attentions * attention + mlp + norms * _ln_params(e, bias), 0  # type: ignore[operator]
    return count


def _transformer_layer_out(decoder: bool) -> OutputRule:
    name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f, "tgt" if decoder else "src")
        check_rank(x, (2, 3), name)
        e = _size(a, "d_model")
        shapes.channels(ctx, name, x, len(x) - 1, e, "d_model")
        if decoder:
            m = _x(f, "memory")
            check_rank(m, (len(x),), name, operand=1)
            ctx.equal(e, m[-1], arg_mismatch(name, "d_model", e, m[-1], 1, len(m) - 1), defer=True)
        return Tensor(x)
    return out


def _stack_validate(a: Args) -> None:
    layer = a.get("encoder_layer", a.get("decoder_layer"))
    if isinstance(layer, Layer) and layer.errors:
        raise Invalid(layer.errors[0])


def _stack_out(decoder: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        layer = a["decoder_layer" if decoder else "encoder_layer"]
        if not isinstance(layer, Layer):
            raise Undecidable
        keys = ("tgt", "memory") if decoder else ("src",)
        inner = layer(*(f[k] for k in keys))
        ctx.constraints.extend(inner.constraints)
        if inner.errors:
            raise Invalid(inner.errors[0], inner.assumed)
        value = need(inner.value)
        norm = a["norm"]
        if isinstance(norm, Layer):
            normed = norm(value)
            ctx.constraints.extend(normed.constraints)
            if normed.errors:
                raise Invalid(normed.errors[0], normed.assumed)
            return normed.value
        if norm is not None:
            raise Undecidable
        return value
    return out


def _stack_count(decoder: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        layer = a["decoder_layer" if decoder else "encoder_layer"]
        n = need(a["num_layers"])
        if not isinstance(layer, Layer) or not isinstance(n, int):
            raise Undecidable
        inner = layer.param_count()
        norm = a["norm"]
        extra = ParamCount(0, 0, 0) if norm is None else norm.param_count() if isinstance(norm, Layer) else UNKNOWN
        if isinstance(inner, Unknown) or isinstance(extra, Unknown):
            raise Undecidable
        return n * inner.total + extra.total, n * inner.buffers + extra.buffers
    return count


# --------------------------------------------------------------------------- resize & padding

def _upsample_out(mode: str | None) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        m = need(a["mode"]) if mode is None else mode
        if mode is not None:
            check_rank(x, (4,), "Upsampling")
        align = a.get("align_corners") if mode is None else (True if mode == "bilinear" else None)
        return Tensor(shapes.interpolate(ctx, "Upsample", x, a["size"], a["scale_factor"], m, align))
    return out


def _pixel_out(shuffle: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        if shuffle:
            return Tensor(shapes.pixel_shuffle(ctx, "PixelShuffle", x, _size(a, "upscale_factor", 1)))
        return Tensor(shapes.pixel_unshuffle(ctx, "PixelUnshuffle", x, _size(a, "downscale_factor", 1)))
    return out


_PAD_MODES = {"Zero": "constant", "Constant": "constant", "Reflection": "reflect", "Replication": "replicate",
              "Circular": "circular"}


def _pad_out(kind: str, nd: int) -> OutputRule:
    name = f"{kind}Pad{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = _x(f)
        check_rank(x, (nd + 1, nd + 2), name)
        pads = as_tuple(a["padding"], 2 * nd, "padding")
        return Tensor(shapes.pad(ctx, name, x, pads, _PAD_MODES[kind]))
    return out


def _pad(kind: str, nd: int) -> LayerSpec:
    init = "padding, value" if kind == "Constant" else "padding"
    return LayerSpec(f"torch.nn.{kind}Pad{nd}d", init, "input", _pad_out(kind, nd))


# ---------------------------------------------------------------------------------- the TABLE

def _simple(name: str, init: str, output: OutputRule = _same, *, forward: str = "input",
            count: CountRule | None = None, validate: Validate | None = None,
            constrains: tuple[Constraint, ...] = (), lazy: bool = False) -> LayerSpec:
    return LayerSpec(f"torch.nn.{name}", init, forward, output, count, validate, constrains, lazy)


_ANY = "*args, **kwargs"
# Elementwise activations: (name, constructor signature); all keep the input's shape.
_ACTIVATIONS = (
    ("ReLU", "inplace=False"), ("ReLU6", "inplace=False"), ("LeakyReLU", "negative_slope=0.01, inplace=False"),
    ("ELU", "alpha=1.0, inplace=False"), ("SELU", "inplace=False"), ("CELU", "alpha=1.0, inplace=False"),
    ("SiLU", "inplace=False"), ("Mish", "inplace=False"), ("Sigmoid", _ANY), ("Tanh", _ANY),
    ("Hardsigmoid", "inplace=False"), ("Hardswish", "inplace=False"), ("Softplus", "beta=1.0, threshold=20.0"),
    ("Softsign", _ANY), ("Softshrink", "lambd=0.5"), ("Hardshrink", "lambd=0.5"), ("Tanhshrink", _ANY),
    ("Threshold", "threshold, value, inplace=False"), ("LogSigmoid", _ANY),
    ("RReLU", "lower=0.125, upper=0.3333333333333333, inplace=False"),
)
_DROPOUTS = ("Dropout", "AlphaDropout")


def _table() -> dict[str, LayerSpec]:
    specs: list[LayerSpec] = [
        _simple("Linear", f"in_features, out_features, bias=True, {_FACTORY}", _linear_out, count=_linear_count,
                validate=_check_sizes("in_features", "out_features"), constrains=(Constraint("in_features", 0, -1),)),
        _simple("LazyLinear", f"out_features, bias=True, {_FACTORY}", _lazy_linear_out, count=_lazy_linear_count,
                validate=_check_sizes("out_features"), lazy=True),
        _simple("Bilinear", f"in1_features, in2_features, out_features, bias=True, {_FACTORY}", _bilinear_out,
                forward="input1, input2", count=_bilinear_count,
                validate=_check_sizes("in1_features", "in2_features", "out_features"),
                constrains=(Constraint("in1_features", 0, -1), Constraint("in2_features", 1, -1))),
        _simple("Identity", _ANY, _identity_out),
        _simple("LayerNorm", f"normalized_shape, eps=1e-05, elementwise_affine=True, bias=True, {_FACTORY}",
                _layer_norm_out("LayerNorm"), count=_layer_norm_count,
                constrains=(Constraint("normalized_shape", 0, "trailing"),)),
        _simple("RMSNorm", f"normalized_shape, eps=None, elementwise_affine=True, {_FACTORY}",
                _layer_norm_out("RMSNorm"), count=_rms_norm_count,
                constrains=(Constraint("normalized_shape", 0, "trailing"),)),
        _simple("GroupNorm", f"num_groups, num_channels, eps=1e-05, affine=True, {_FACTORY}, *, bias=True",
                _group_norm_out, count=_group_norm_count, validate=_group_norm_validate,
                constrains=(Constraint("num_channels", 0, 1),)),
        _simple("LocalResponseNorm", "size, alpha=0.0001, beta=0.75, k=1.0", _lrn_out),
        _simple("PReLU", f"num_parameters=1, init=0.25, {_FACTORY}", _prelu_out,
                count=lambda a, x: (_size(a, "num_parameters", 1), 0), constrains=(Constraint("num_parameters", 0, 1),)),
        _simple("GELU", "approximate='none'", validate=_gelu_validate),
        _simple("Hardtanh", "min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None",
                validate=_hardtanh_validate),
        _simple("GLU", "dim=-1", _glu_out),
        _simple("Softmax2d", _ANY, _softmax2d_out),
        _simple("Flatten", "start_dim=1, end_dim=-1", _flatten_out),
        _simple("Unflatten", "dim, unflattened_size", _unflatten_out),
        _simple("Embedding", "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, "
                f"scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, {_FACTORY}", _embedding_out,
                count=_embedding_count, validate=_embedding_validate),
        _simple("EmbeddingBag", "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, "
                f"mode='mean', sparse=False, _weight=None, include_last_offset=False, padding_idx=None, {_FACTORY}",
                _bag_out, forward="input, offsets=None, per_sample_weights=None", count=_embedding_count,
                validate=_bag_validate),
        _simple("MultiheadAttention", "embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, "
                f"add_zero_attn=False, kdim=None, vdim=None, batch_first=False, {_FACTORY}", _mha_out,
                forward="query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, "
                        "average_attn_weights=True, is_causal=False",
                count=_mha_count, validate=_mha_validate,
                constrains=(Constraint("embed_dim", 0, -1), Constraint("kdim", 1, -1), Constraint("vdim", 2, -1))),
        _simple("Upsample", "size=None, scale_factor=None, mode='nearest', align_corners=None, "
                "recompute_scale_factor=None", _upsample_out(None)),
        _simple("UpsamplingNearest2d", "size=None, scale_factor=None", _upsample_out("nearest")),
        _simple("UpsamplingBilinear2d", "size=None, scale_factor=None", _upsample_out("bilinear")),
        _simple("PixelShuffle", "upscale_factor", _pixel_out(True)),
        _simple("PixelUnshuffle", "downscale_factor", _pixel_out(False)),
    ]
    for decoder, kind in ((False, "Encoder"), (True, "Decoder")):
        specs.append(_simple(
            f"Transformer{kind}Layer", "d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu', "
            f"layer_norm_eps=1e-05, batch_first=False, norm_first=False, bias=True, {_FACTORY}",
            _transformer_layer_out(decoder),
            forward=("tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, "
                     "memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False") if decoder
            else "src, src_mask=None, src_key_padding_mask=None, is_causal=False",
            count=_transformer_layer_count(decoder), validate=_transformer_validate,
            constrains=(Constraint("d_model", 0, -1),)))
    specs.append(_simple("TransformerEncoder", "encoder_layer, num_layers, norm=None, enable_nested_tensor=True, "
                         "mask_check=True", _stack_out(False), forward="src, mask=None, src_key_padding_mask=None, "
                         "is_causal=None", count=_stack_count(False), validate=_stack_validate))
    specs.append(_simple("TransformerDecoder", "decoder_layer, num_layers, norm=None", _stack_out(True),
                         forward="tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, "
                                 "memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False",
                         count=_stack_count(True), validate=_stack_validate))
    for kind in ("RNN", "LSTM", "GRU"):
        specs.append(_simple(kind, _RNN_INIT[kind], _rnn_out(kind), forward="input, hx=None", count=_rnn_count(kind),
                             validate=_rnn_validate(kind), constrains=(Constraint("input_size", 0, -1),)))
    for kind in ("RNNCell", "LSTMCell", "GRUCell"):
        init = "input_size, hidden_size, bias=True" + (", nonlinearity='tanh'" if kind == "RNNCell" else "")
        specs.append(_simple(kind, f"{init}, {_FACTORY}", _cell_out(kind), forward="input, hx=None",
                             count=_cell_count(kind), validate=_check_sizes("input_size", "hidden_size"),
                             constrains=(Constraint("input_size", 0, -1),)))
    specs += [_simple(name, init) for name, init in _ACTIVATIONS]
    specs += [_simple(name, "p=0.5, inplace=False", validate=_probability()) for name in _DROPOUTS]
    specs += [_simple(name, "p=0.5, inplace=False", _feature_dropout_out(name), validate=_probability())
              for name in _FEATURE_DROPOUTS]
    specs += [_simple(name, "dim=None", _dim_out(name)) for name in ("Softmax", "LogSoftmax", "Softmin")]
    for nd in (1, 2, 3):
        specs += [_conv(nd), _conv(nd, lazy=True), _conv(nd, transposed=True), _conv(nd, transposed=True, lazy=True)]
        specs += [_pool(kind, nd) for kind in ("Max", "Avg", "LP")]
        specs += [_adaptive(kind, nd) for kind in ("Avg", "Max")]
        specs += [_norm(kind, nd, lazy) for kind in ("Batch", "Instance") for lazy in (False, True)]
        specs += [_pad(kind, nd) for kind in _PAD_MODES]
    return {spec.name: spec for spec in specs}


LAYERS: dict[str, LayerSpec] = _table()


def layer_spec(name: str) -> LayerSpec | None:
    """The catalogue entry of a canonical layer name, e.g. "torch.nn.Conv2d"."""
    return LAYERS.get(name)
