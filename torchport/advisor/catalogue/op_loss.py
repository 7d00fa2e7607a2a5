"""Functional losses: F.mse_loss, F.l1_loss, F.cross_entropy... (shape rules shared with nn_loss)."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import Ctx, Tensor, Undecidable
from torchport.advisor.catalogue.op import F, Args, OpSpec, Rule, entries, tensor_shape


def _reduction(a: Args) -> Any:
    if a.get("size_average") is not None or a.get("reduce") is not None:
        raise Undecidable  # the legacy arguments decide the reduction
    return a["reduction"]


def _pointwise(name: str, same_size: bool) -> Rule:
    def rule(ctx: Ctx, a: Args) -> Tensor:
        x, t = tensor_shape(a), tensor_shape(a, "target")
        return Tensor(shapes.pointwise_loss(ctx, name, x, t, _reduction(a), same_size))
    return rule


def _classes(name: str, probabilities: bool) -> Rule:
    def rule(ctx: Ctx, a: Args) -> Tensor:
        x, t = tensor_shape(a), tensor_shape(a, "target")
        return Tensor(shapes.class_loss(ctx, name, x, t, _reduction(a), probabilities, a["target"].integer))
    return rule


_LEGACY = "size_average=None, reduce=None, reduction='mean'"

SPECS: list[OpSpec] = [
    *entries([F + "mse_loss"], f"input, target, {_LEGACY}, weight=None", _pointwise("mse_loss", False)),
    *entries([F + "l1_loss"], f"input, target, {_LEGACY}, weight=None", _pointwise("l1_loss", False)),
    *entries([F + "smooth_l1_loss"], f"input, target, {_LEGACY}, beta=1.0", _pointwise("smooth_l1_loss", False)),
    *entries([F + "huber_loss"], "input, target, reduction='mean', delta=1.0, weight=None",
             _pointwise("huber_loss", False)),
    *entries([F + "binary_cross_entropy"], f"input, target, weight=None, {_LEGACY}",
             _pointwise("binary_cross_entropy", True)),
    *entries([F + "binary_cross_entropy_with_logits"], f"input, target, weight=None, {_LEGACY}, pos_weight=None",
             _pointwise("binary_cross_entropy_with_logits", True)),
    *entries([F + "cross_entropy"], "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "
             "reduction='mean', label_smoothing=0.0", _classes("cross_entropy", True)),
    *entries([F + "nll_loss"], "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "
             "reduction='mean'", _classes("nll_loss", False)),
]
