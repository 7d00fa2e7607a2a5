"""Keras as the oracle: build a model file's model in real Keras 3 (torch backend, no tensorflow) and
record what Keras says about every layer: name, class, output shape, count_params, trainable params.

keras is imported once, when this module is; each model is built after `clear_session()`, so its
automatic names start afresh, as the reader counts them.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported: no tensorflow needed

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import keras

from tests.support.torch_oracle import load_namespace

Shape = tuple[int | None, ...]


@dataclass(frozen=True)
class OracleLayer:
    name: str
    type: str
    output_shape: Shape | tuple[Shape, ...] | None  # of the layer's first call; None when never called
    params: int | None  # None when Keras never built the layer
    trainable_params: int | None


# The model files use every import style, `tensorflow.keras` included, and no tensorflow is installed:
# before a file runs, its tensorflow imports are rewritten to Keras 3 itself, line for line.
_TENSORFLOW_IMPORTS = (
    (re.compile(r"^from tensorflow import keras$", re.M), "import keras"),
    (re.compile(r"^from tensorflow\.keras(\.\w+)* import", re.M), lambda m: m.group(0).replace("tensorflow.", "", 1)),
    (re.compile(r"^import tensorflow as tf$", re.M), "import keras, types; tf = types.SimpleNamespace(keras=keras)"),
)


def keras_source(text: str) -> str:
    for pattern, replacement in _TENSORFLOW_IMPORTS:
        text = pattern.sub(replacement, text)
    return text


_first_outputs: dict[int, Shape | tuple[Shape, ...]] = {}  # id(layer) -> output of its first recorded call


def build(path: Path, name: str) -> keras.Model:
    """The model `name` of the file at `path`: a module-level model, a function's return value, or
    the built instance of a Model subclass defined in the file."""
    keras.backend.clear_session()
    _first_outputs.clear()  # keyed by id(): a collected layer's id may be reused by this model's layers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about `input_shape=` in Sequential layers
        namespace = load_namespace(path, keras_source(path.read_text()))
        value = namespace[name]
        if isinstance(value, keras.Model):
            return value
        if isinstance(value, type):
            instance = next(v for v in namespace.values() if isinstance(v, value))
            _run_symbolically(instance)
            return instance
        keras.backend.clear_session()
        return value()


def _run_symbolically(model: keras.Model) -> None:
    """Call a subclassed model on a symbolic input of the shape it was built with (Keras's `build`
    alone builds no sublayer), recording each layer's first output shape: Keras keeps no graph for
    subclassed models."""
    if model._inbound_nodes:  # called by the file on symbolic inputs: the same call again (several inputs too)
        arguments = keras.tree.map_structure(
            lambda t: keras.Input(batch_shape=tuple(t.shape)) if isinstance(t, keras.KerasTensor) else t,
            model._inbound_nodes[0].arguments.args)
    else:  # built by `.build(shape)`
        arguments = (keras.Input(batch_shape=next(iter(model._build_shapes_dict.values()))),)
    original = keras.layers.Layer.__call__

    def recording_call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        outputs = original(layer, *args, **kwargs)
        if layer is not model:
            # the torch backend runs the call on a stand-in batch: the batch dim is Keras's None
            shapes = tuple((None, *t.shape[1:]) for t in keras.tree.flatten(outputs))
            _first_outputs.setdefault(id(layer), shapes[0] if len(shapes) == 1 else shapes)
        return outputs

    keras.layers.Layer.__call__ = recording_call  # type: ignore[method-assign]
    try:
        model(*arguments)
    finally:
        keras.layers.Layer.__call__ = original  # type: ignore[method-assign]


def layers(model: keras.Model) -> list[OracleLayer]:
    """`model.layers` without InputLayers, as Keras computed them."""
    return [_layer(layer) for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _layer(layer: Any) -> OracleLayer:
    built = layer.built
    return OracleLayer(
        name=layer.name,
        type=type(layer).__name__,
        output_shape=_first_output(layer),
        params=layer.count_params() if built else None,
        trainable_params=sum(int(_size(w)) for w in layer.trainable_weights) if built else None,
    )


def _size(weight: Any) -> int:
    size = 1
    for dim in weight.shape:
        size *= dim
    return size


def _first_output(layer: Any) -> Shape | tuple[Shape, ...] | None:
    if id(layer) in _first_outputs:
        return _first_outputs[id(layer)]
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return None
    outputs = keras.tree.flatten(nodes[0].outputs)
    shapes = tuple(tuple(tensor.shape) for tensor in outputs)
    return shapes[0] if len(shapes) == 1 else shapes
