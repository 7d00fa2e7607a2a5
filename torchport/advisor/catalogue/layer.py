"""The layer record (`LayerSpec`), a built layer (`Layer`) and the helpers every family module of the
table uses to declare its entries."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torchport.advisor.catalogue import layout
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Result,
    Tensor,
    Undecidable,
    as_int,
    invalid,
    run_rule,
    shape_of,
)
from torchport.advisor.catalogue.signature import BindError, Signature, bind, parse
from torchport.advisor.dims import UNKNOWN, Dim, Unknown

Args = Mapping[str, Any]  # bound arguments, defaults filled in
OutputRule = Callable[[Ctx, Args, Args], Any]  # (ctx, constructor args, forward args) -> output value
CountRule = Callable[[Args, Any], tuple[Dim, Dim]]  # (constructor args, first input) -> (params, buffers)
Validate = Callable[[Args], None]  # raises Invalid for arguments the constructor rejects

FACTORY = "device=None, dtype=None"  # the factory keywords ending most constructors
ANY_ARGS = "*args, **kwargs"  # constructors that accept and ignore anything (nn.Identity, nn.Tanh...)


@dataclass(frozen=True)
class Constraint:
    """Argument `arg` must equal dim `dim` of input `operand` (negative: from the end;
    "trailing": the input's last len(arg) dims)."""

    arg: str
    operand: int
    dim: int | str


@dataclass(frozen=True)
class ParamCount:
    """What `sum(p.numel() for p in layer.parameters())` and the buffers' count give in torch."""

    total: int
    trainable: int  # every parameter of a freshly built layer requires grad
    buffers: int  # running statistics and the like: not parameters


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the table."""

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
        return layout.attach_layer(self.spec.name, self.args, fwd,
                                   run_rule(lambda ctx: self.spec.output(ctx, self.args, fwd)))

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


def input_shape(f: Args, name: str = "input") -> tuple[Dim, ...]:
    return shape_of(f[name])


def same_shape(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(input_shape(f))


def size_arg(a: Args, name: str, minimum: int = 0) -> Dim:
    return as_int(a[name], name, minimum=minimum)


def checked_arg(a: Args, name: str) -> Dim:
    """An argument only compared with the input: UNKNOWN (no check) when it is not a known int."""
    try:
        return as_int(a[name], name)
    except Undecidable:
        return UNKNOWN


def check_sizes(*names: str, minimum: int = 0) -> Validate:
    def validate(a: Args) -> None:
        for n in names:
            value = a[n]
            if isinstance(value, int) and not isinstance(value, bool) and value < minimum:
                raise invalid(f"{n} must be at least {minimum}, got {value}", n, value, minimum)
    return validate


def probability(name: str = "p") -> Validate:
    def validate(a: Args) -> None:
        p = a[name]
        if isinstance(p, (int, float)) and not isinstance(p, bool) and not 0 <= p <= 1:
            raise invalid(f"dropout probability has to be between 0 and 1, but got {p}", name, p, (0, 1))
    return validate


def simple(name: str, init: str, output: OutputRule = same_shape, *, forward: str = "input",
           count: CountRule | None = None, validate: Validate | None = None,
           constrains: tuple[Constraint, ...] = (), lazy: bool = False) -> LayerSpec:
    """An entry for torch.nn.<name>; by default a one-input layer that keeps its input's shape."""
    return LayerSpec(f"torch.nn.{name}", init, forward, output, count, validate, constrains, lazy)
