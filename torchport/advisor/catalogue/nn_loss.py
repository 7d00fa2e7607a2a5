"""Loss modules: pointwise (MSE, L1, Huber, BCE) and class losses (cross-entropy, NLL); 0-d output
unless reduction='none'. Weight tensors given to the constructor are buffers, not parameters."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import Ctx, Tensor, Undecidable, shape_of
from torchport.advisor.catalogue.layer import Args, CountRule, LayerSpec, OutputRule, input_shape, simple
from torchport.advisor.dims import Dim, prod

_LEGACY = "size_average=None, reduce=None, reduction='mean'"


def _reduction(a: Args) -> Any:
    """The reduction in force; the legacy size_average/reduce arguments override it (left unknown)."""
    if a.get("size_average") is not None or a.get("reduce") is not None:
        raise Undecidable
    return a["reduction"]


def _pointwise(name: str, same_size: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x, t = input_shape(f), input_shape(f, "target")
        return Tensor(shapes.pointwise_loss(ctx, name, x, t, _reduction(a), same_size))
    return out


def _classes(name: str, probabilities: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x, t = input_shape(f), input_shape(f, "target")
        return Tensor(shapes.class_loss(ctx, name, x, t, _reduction(a), probabilities, f["target"].integer))
    return out


def _weight_buffers(*names: str) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        total: Dim = 0
        for n in names:
            value = a[n]
            if value is not None:
                total = total + prod(shape_of(value))  # type: ignore[operator]
        return 0, total
    return count


_FORWARD = "input, target"

SPECS: list[LayerSpec] = [
    simple("MSELoss", _LEGACY, _pointwise("MSELoss", False), forward=_FORWARD),
    simple("L1Loss", _LEGACY, _pointwise("L1Loss", False), forward=_FORWARD),
    simple("SmoothL1Loss", f"{_LEGACY}, beta=1.0", _pointwise("SmoothL1Loss", False), forward=_FORWARD),
    simple("HuberLoss", "reduction='mean', delta=1.0", _pointwise("HuberLoss", False), forward=_FORWARD),
    simple("BCELoss", f"weight=None, {_LEGACY}", _pointwise("BCELoss", True), forward=_FORWARD,
           count=_weight_buffers("weight")),
    simple("BCEWithLogitsLoss", f"weight=None, {_LEGACY}, pos_weight=None", _pointwise("BCEWithLogitsLoss", True),
           forward=_FORWARD, count=_weight_buffers("weight", "pos_weight")),
    simple("CrossEntropyLoss", "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', "
           "label_smoothing=0.0", _classes("CrossEntropyLoss", True), forward=_FORWARD,
           count=_weight_buffers("weight")),
    simple("NLLLoss", "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'",
           _classes("NLLLoss", False), forward=_FORWARD, count=_weight_buffers("weight")),
]
