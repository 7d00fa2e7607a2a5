"""The operation record (`OpSpec`) and the helpers the family modules of the operations table share."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Shape,
    Tensor,
    Undecidable,
    invalid,
    norm_dim,
    shape_of,
)
from torchport.advisor.catalogue.signature import Signature, parse
from torchport.advisor.dims import Dim, Expr, Unknown, is_dim, sign

Args = Mapping[str, Any]  # bound arguments, defaults filled in
Rule = Callable[[Ctx, Args], Any]  # (ctx, arguments) -> the operation's value

F = "torch.nn.functional."
T = "torch.Tensor."


@dataclass(frozen=True)
class OpSpec:
    """One entry of the table."""

    name: str
    signature_text: str  # parameters as written in a def: "input, dim=None, keepdim=False"
    rule: Rule

    @property
    def signature(self) -> Signature:
        return parse(self.signature_text)  # parsed on first use (cached)


def entries(names: Sequence[str], signature: str, rule: Rule) -> list[OpSpec]:
    """The same rule and signature under several names (`torch.flatten`, `torch.Tensor.flatten`)."""
    return [OpSpec(name, signature, rule) for name in names]


def renamed(rule: Rule, **names: str) -> Rule:
    """The rule for a signature that names a parameter differently (`torch.split(tensor, ...)`)."""
    def wrapped(ctx: Ctx, a: Args) -> Any:
        return rule(ctx, {**a, **{new: a[old] for old, new in names.items()}})
    return wrapped


def tensor_shape(a: Args, name: str = "input") -> Shape:
    return shape_of(a[name])


def broadcast_shape(value: Any) -> Shape:
    """A tensor's shape; a Python number broadcasts like a 0-d tensor."""
    if isinstance(value, Tensor):
        return shape_of(value)
    if isinstance(value, (int, float, bool)) or isinstance(value, Expr):
        return ()
    raise Undecidable


def size_list(value: Any, name: str) -> tuple[Any, ...]:
    """`view(2, 3)` / `view((2, 3))` / `view([2, 3])` / `view(torch.Size)` -> (2, 3)."""
    if not value:
        raise Invalid(Problem("bad-call", f"missing the required argument '{name}'", arg=name))
    if len(value) == 1 and isinstance(value[0], (tuple, list)):
        value = tuple(value[0])
    if any(isinstance(v, Unknown) for v in value):
        raise Undecidable
    for v in value:
        if not is_dim(v):
            raise Undecidable
    return tuple(value)


def dims_arg(value: Any, rank: int, name: str = "dim") -> tuple[int, ...] | None:
    """A `dim` argument (None, int, tuple/list of ints) as sorted non-negative indices; None for all."""
    if value is None:
        return None
    items = value if isinstance(value, (tuple, list)) else (value,)
    out = sorted({norm_dim(d, rank, name=name) for d in items})
    if isinstance(value, (tuple, list)) and len(out) != len(items):
        raise invalid(f"dim {value} appears multiple times in the list of dims", name, value)
    return tuple(out)


def reduced_shape(x: Shape, dims: tuple[int, ...] | None, keepdim: bool) -> Shape:
    """The shape after reducing `dims` (None or (): all of them)."""
    if not dims:
        return (1,) * len(x) if keepdim else ()
    if keepdim:
        return tuple(1 if i in dims else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in dims)


def is_one(d: Dim) -> bool | None:
    """True if d is 1, False if never 1, None if it depends on the symbols."""
    if isinstance(d, int):
        return d == 1
    if isinstance(d, Expr):
        return False if sign(d - 1) == 1 else None
    return None
