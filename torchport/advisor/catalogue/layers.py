"""The layer TABLE: for each supported torch.nn layer, its constructor and forward signatures (torch
2.13), output-shape rule, parameter and buffer counts, and which input dims its arguments constrain.

Entries are declared by family modules (`nn_conv`, `nn_norm`...) and keyed here by canonical name
("torch.nn.Conv2d"), the key `torchport.analysis.layers` uses for layer kinds.

    layer = build("torch.nn.Linear", (2048, 128))       # bind constructor arguments
    layer.errors                                         # constructor problems (bad call, groups...)
    layer(Tensor((N, 1568)))                              # Result: errors name in_features, 2048 -> 1568
    layer.param_count()                                   # ParamCount(total=262272, trainable=..., buffers=0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from torchport.advisor.catalogue import (
    nn_activation,
    nn_attention,
    nn_conv,
    nn_linear,
    nn_loss,
    nn_norm,
    nn_recurrent,
    nn_reshape,
)
from torchport.advisor.catalogue.core import Invalid, Problem
from torchport.advisor.catalogue.layer import Constraint, Layer, LayerSpec, ParamCount
from torchport.advisor.catalogue.signature import BindError, bind

__all__ = ["LAYERS", "Constraint", "Layer", "LayerSpec", "ParamCount", "build", "layer_spec"]

_FAMILIES = (nn_linear, nn_conv, nn_norm, nn_activation, nn_recurrent, nn_attention, nn_reshape, nn_loss)

LAYERS: dict[str, LayerSpec] = {spec.name: spec for family in _FAMILIES for spec in family.SPECS}


def layer_spec(name: str) -> LayerSpec | None:
    """The catalogue entry of a canonical layer name, e.g. "torch.nn.Conv2d"."""
    return LAYERS.get(name)


def build(name: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *,
          more_args: bool = False, more_kwargs: bool = False) -> Layer | None:
    """Bind constructor arguments to the layer `name` ("torch.nn.Conv2d"); None if not catalogued.

    `more_args` / `more_kwargs`: the call also passes `*x` / `**x` of unknown contents.
    """
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
