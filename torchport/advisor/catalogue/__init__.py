"""Shape catalogue: what each torch.nn layer and tensor operation does to shapes, and what it rejects.

Layers: `build(name, args, kwargs)` -> `Layer`; `layer(*inputs)` -> `Result`; `layer.param_count()`.
Operations: `call_op(name, args, kwargs)` -> `Result`. Values are `Tensor`s of Dims
(`torchport.advisor.dims`), literals, tuples and `UNKNOWN`.
"""

from torchport.advisor.catalogue.core import PROBLEM_CODES, Problem, Result, Tensor
from torchport.advisor.catalogue.layers import LAYERS, Constraint, Layer, LayerSpec, ParamCount, build, layer_spec
from torchport.advisor.catalogue.ops import OPS, OpSpec, call_op, op_spec

__all__ = [
    "LAYERS",
    "OPS",
    "PROBLEM_CODES",
    "Constraint",
    "Layer",
    "LayerSpec",
    "OpSpec",
    "ParamCount",
    "Problem",
    "Result",
    "Tensor",
    "build",
    "call_op",
    "layer_spec",
    "op_spec",
]
