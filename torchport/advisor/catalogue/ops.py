"""The operations TABLE: shape rules for tensor operations, keyed by canonical name.

Names: functional and torch functions by their qualified name ("torch.nn.functional.conv2d",
"torch.cat"); Tensor methods and attributes as "torch.Tensor.<name>" with the tensor as first
argument (`x.view(N, -1)` -> call_op("torch.Tensor.view", (x, N, -1))); Python operators as
"operator.<name>" (`x @ w` -> "operator.matmul", `x[:, -1]` -> "operator.getitem" with the index as
a tuple of ints, Dims, `slice`s, None, Ellipsis or Tensors). `getitem` also indexes tuples of dims
(`x.shape[1:]`). Entries are declared by the family modules `op_*`.

    call_op("torch.Tensor.view", (Tensor((N, 32, 7, 7)), N, -1)).value == Tensor((N, 1568))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from torchport.advisor.catalogue import (
    layout,
    op_create,
    op_elementwise,
    op_index,
    op_linalg,
    op_loss,
    op_nn,
    op_reduce,
    op_reshape,
)
from torchport.advisor.catalogue.core import Result, run_rule
from torchport.advisor.catalogue.op import OpSpec
from torchport.advisor.catalogue.signature import BindError, bind
from torchport.advisor.dims import UNKNOWN

__all__ = ["OPS", "OpSpec", "call_op", "op_spec"]

_FAMILIES = (op_elementwise, op_linalg, op_reduce, op_reshape, op_index, op_nn, op_loss, op_create)

OPS: dict[str, OpSpec] = {spec.name: spec for family in _FAMILIES for spec in family.SPECS}


def op_spec(name: str) -> OpSpec | None:
    return OPS.get(name)


def call_op(name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *,
            more_args: bool = False, more_kwargs: bool = False) -> Result:
    """The result of operation `name` on abstract arguments; UNKNOWN value when not catalogued.

    `more_args` / `more_kwargs`: the call also passes `*x` / `**x` of unknown contents.
    """
    spec = OPS.get(name)
    if spec is None:
        return Result(UNKNOWN)
    try:
        bound = bind(spec.signature, args, kwargs, more_args=more_args, more_kwargs=more_kwargs)
    except BindError:
        # Most torch functions and Tensor methods are builtins whose signatures cannot be inspected, and
        # many accept spellings the table does not list (x.permute(dims=...)): a call that does not fit
        # is left unknown, never reported.
        return Result(UNKNOWN)
    return layout.attach_op(name, bound, run_rule(lambda ctx: spec.rule(ctx, bound)))
