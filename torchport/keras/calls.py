"""Calling a Keras layer on symbolic tensors: its output shape and, at the first call (when Keras
builds it), its parameter counts, from the rules of the layer table (layers.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torchport.keras.layers import CALL_ARGUMENTS, LAYERS, WRAPPERS, Output, Unknown
from torchport.keras.model import Shape
from torchport.keras.values import UNKNOWN, Layer, Node, Tensor

_ATTENTION = ("query", "value", "key")


def apply_layer(layer: Layer, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`layer(*args, **kwargs)`: a Tensor, or a tuple of Tensors for a layer with several outputs."""
    tensors = _call_inputs(layer.type, args, kwargs)
    if layer.type not in LAYERS and not layer.built:
        layer.notes.append(f"{layer.type} is not in the reader's layer table: its output shape and parameters "
                           "are unknown")
    if tensors is None:
        return Tensor(None, None, None, f"a call of {layer.type} (line {layer.line}) is not read")
    tensors = [t if isinstance(t, Tensor) else
               Tensor(None, None, None, f"an input of {layer.type} (line {layer.line}) could not be read")
               for t in tensors]
    call_args = {name: kwargs.get(name, default) for name, default in CALL_ARGUMENTS.get(layer.type, ())}
    shapes = [t.shape for t in tensors]
    known = all(shape is not None for shape in shapes)
    node = Node(layer, tuple(tensors), None)
    first = not layer.built
    if first:
        layer.built = True
        layer.call_args = call_args
    if known and layer.type in LAYERS:
        node.output = _attempt(layer, lambda: output_shape(layer, shapes, call_args))  # type: ignore[arg-type]
    if first and layer.type in LAYERS:
        layer.params = _attempt(layer, lambda: count(layer, shapes), quiet=not known)  # type: ignore[arg-type]
    layer.nodes.append(node)
    if is_multi(node.output):
        return tuple(Tensor(node, i, shape) for i, shape in enumerate(node.output))  # type: ignore[union-attr]
    return Tensor(node, None, node.output)  # type: ignore[arg-type]


def is_multi(output: Output | None) -> bool:
    return isinstance(output, tuple) and bool(output) and isinstance(output[0], tuple)


def output_shape(layer: Layer, shapes: Sequence[Shape], call_args: dict[str, Any]) -> Output:
    config = {**layer.config, **call_args}
    wrapper = WRAPPERS.get(layer.type)
    if wrapper is None:
        return LAYERS[layer.type].shape(config, shapes)
    inner = _wrapped(layer)
    shape = shapes[0] if len(shapes) == 1 else None
    if shape is None:
        raise Unknown(f"{layer.type} expects one input tensor, got {len(shapes)}")
    inner_output = output_shape(inner, [wrapper.inner_input(shape)], {})
    if not inner.nodes:
        inner.nodes.append(Node(inner, (), inner_output))
        inner.built = True
    return wrapper.output(inner_output, shape, config, inner.config)


def count(layer: Layer, shapes: Sequence[Shape | None]) -> tuple[int, int]:
    """(params, trainable params) as Keras counts them once the layer is built on `shapes`, while the
    layer is trainable (`records` applies `trainable=False`)."""
    known = [shape for shape in shapes if shape is not None]
    wrapper = WRAPPERS.get(layer.type)
    if wrapper is not None:
        inner = _wrapped(layer)
        inner.params = count(inner, [wrapper.inner_input(shape) for shape in known])
        total, trainable = (wrapper.copies * n for n in inner.params)
    else:
        total, trainable = LAYERS[layer.type].count(layer.config, known)
    return total, trainable


def _wrapped(layer: Layer) -> Layer:
    if layer.wrapped is None or layer.wrapped.type not in LAYERS or layer.wrapped.type in WRAPPERS:
        raise Unknown(f"the layer wrapped by {layer.type} could not be read")
    if layer.config.get("backward_layer") is not None or "backward_layer" in layer.unknown:
        raise Unknown("backward_layer= is not read")
    return layer.wrapped


def _attempt(layer: Layer, rule: Any, quiet: bool = False) -> Any:
    try:
        return rule()
    except Unknown as reason:
        if not quiet:
            layer.notes.append(str(reason))
    except KeyError as missing:
        if not quiet and missing.args[0] not in layer.unknown:  # an unknown argument has its own note
            layer.notes.append(f"argument {missing} could not be read")
    return None


def _call_inputs(layer_type: str, args: list[Any], kwargs: dict[str, Any]) -> list[Any] | None:
    """The tensors a layer is called with, by its call style; None when they cannot be read."""
    spec = LAYERS.get(layer_type)
    first = args[0] if args else kwargs.get("inputs", UNKNOWN)
    style = spec.call if spec is not None else "list" if isinstance(first, (list, tuple)) else "tensor"
    if style == "attention":
        given = dict(zip(_ATTENTION, args))
        given.update({name: kwargs[name] for name in _ATTENTION if name in kwargs})
        if "query" not in given or "value" not in given:
            return None
        return [given[name] for name in _ATTENTION if name in given]
    if style == "list":
        return list(first) if isinstance(first, (list, tuple)) else None
    return [first] if not isinstance(first, (list, tuple)) else None
