"""The interpreter's one door to the shape catalogue (`torchport.advisor.catalogue`).

Every call into the catalogue goes through here, converting the interpreter's values
(`TensorValue`, `ModuleInstance`, `ParamValue`) to the catalogue's (`Tensor`, `Layer`) and back, so
that a change of the catalogue's API touches this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torchport.advisor import catalogue
from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.values import ModuleInstance, ParamValue, TensorValue


@dataclass(frozen=True)
class Outcome:
    """What a layer or operation gives: its value (interpreter values), the definite errors and the
    conditions on symbols it found (catalogue `Problem`s)."""

    value: Any
    errors: tuple[catalogue.Problem, ...] = ()
    constraints: tuple[catalogue.Problem, ...] = ()


def build_layer(qname: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The catalogue's bound layer for `qname(*args, **kwargs)`, or None when it is not catalogued."""
    return catalogue.build(qname, [to_catalogue(a) for a in args], {k: to_catalogue(v) for k, v in kwargs.items()})


def layer_errors(layer: Any) -> tuple[catalogue.Problem, ...]:
    """Constructor problems (a call torch would reject)."""
    return tuple(layer.errors)


def layer_arguments(layer: Any) -> dict[str, Any]:
    """The bound constructor arguments, defaults filled in."""
    return {name: from_catalogue(value) for name, value in layer.args.items()}


def layer_params(layer: Any, first_input: Any = UNKNOWN) -> int | None:
    """Number of parameters of a torch layer; None when unknown (a lazy layer before its first call)."""
    count = layer.param_count(to_catalogue(first_input))
    return None if isinstance(count, Unknown) else count.total


def is_lazy(layer: Any) -> bool:
    return bool(layer.spec.lazy)


def call_layer(layer: Any, args: list[Any], kwargs: dict[str, Any]) -> Outcome:
    """The output of a torch layer's forward on abstract inputs."""
    result = layer(*[to_catalogue(a) for a in args], **{k: to_catalogue(v) for k, v in kwargs.items()})
    return _outcome(result)


def has_op(name: str) -> bool:
    """Whether the catalogue knows operation `name`: "torch.cat", "torch.nn.functional.relu",
    "torch.Tensor.view" (a method, the tensor first), "operator.add" (a Python operator)."""
    return catalogue.op_spec(name) is not None


def call_op(name: str, args: list[Any], kwargs: dict[str, Any]) -> Outcome:
    """The result of a catalogued operation on abstract arguments."""
    result = catalogue.call_op(name, [to_catalogue(a) for a in args], {k: to_catalogue(v) for k, v in kwargs.items()})
    return _outcome(result)


def layer_attribute(layer: Any, name: str) -> Any:
    """A constructor argument torch keeps under the same attribute name (`fc.in_features`)."""
    if name in _STORED_AS_GIVEN and name in layer.args:
        return from_catalogue(layer.args[name])
    return UNKNOWN


# Constructor arguments torch stores unchanged as attributes of the same name (kernel_size and the like
# are normalised to tuples by torch, so they are not listed).
_STORED_AS_GIVEN = frozenset({
    "in_features", "out_features", "in_channels", "out_channels", "num_features", "hidden_size", "input_size",
    "num_layers", "embedding_dim", "num_embeddings", "embed_dim", "num_heads", "batch_first", "bidirectional",
    "groups", "num_groups", "num_channels", "p", "eps", "momentum",
})


def input_constraints(layer: Any) -> list[tuple[str, int, int | str, Any]]:
    """What the layer's arguments say about its inputs: (argument, input index, dim or "trailing", value)."""
    return [(c.arg, c.operand, c.dim, from_catalogue(layer.args.get(c.arg, UNKNOWN))) for c in layer.spec.constrains]


# ----------------------------------------------------------------------------- conversion

def to_catalogue(value: Any) -> Any:
    if isinstance(value, TensorValue):
        return catalogue.Tensor(value.shape, strides=value.strides)
    if isinstance(value, ParamValue):
        return catalogue.Tensor(value.shape)
    if isinstance(value, ModuleInstance):
        return value.layer if value.layer is not None else UNKNOWN
    if isinstance(value, tuple):
        return tuple(to_catalogue(v) for v in value)
    if isinstance(value, list):
        return [to_catalogue(v) for v in value]
    if isinstance(value, dict):
        return {k: to_catalogue(v) for k, v in value.items()}
    return value


def from_catalogue(value: Any) -> Any:
    if isinstance(value, catalogue.Tensor):
        return TensorValue(value.shape, strides=value.strides)
    if isinstance(value, tuple):
        return tuple(from_catalogue(v) for v in value)
    if isinstance(value, list):
        return [from_catalogue(v) for v in value]
    if isinstance(value, dict):
        return {k: from_catalogue(v) for k, v in value.items()}
    return value


def _outcome(result: catalogue.Result) -> Outcome:
    value = result.value if result.ok else result.assumed
    return Outcome(from_catalogue(value), tuple(result.errors), tuple(result.constraints))

