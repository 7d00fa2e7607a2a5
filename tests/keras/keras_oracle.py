"""Keras as the oracle: build a model file's model in real Keras 3 (torch backend, no tensorflow) and
record what Keras says about every layer: name, class, output shape, count_params, trainable params.

keras is imported once, when this module is; each model is built after `clear_session()`, so its
automatic names start afresh, as the reader counts them.
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def tensorflow_alias() -> Iterator[None]:
    """`tensorflow.keras` as Keras 3 itself while a model file runs: the model files use every import
    style (`import tensorflow as tf`, `from tensorflow.keras import layers`) and no tensorflow is
    installed. The alias is removed afterwards."""
    tensorflow = types.ModuleType("tensorflow")
    tensorflow.keras = keras  # type: ignore[attr-defined]
    aliases = {"tensorflow": tensorflow, "tensorflow.keras": keras, "tensorflow.keras.layers": keras.layers,
               "tensorflow.keras.models": keras.models}
    saved = {name: sys.modules.get(name) for name in aliases}
    sys.modules.update(aliases)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


def build(path: Path, name: str) -> keras.Model:
    """The model `name` of the file at `path`: a module-level model, a function's return value, or
    the built instance of a Model subclass defined in the file."""
    keras.backend.clear_session()
    with warnings.catch_warnings(), tensorflow_alias():
        warnings.simplefilter("ignore")  # Keras warns about `input_shape=` in Sequential layers
        namespace = load_namespace(path)
        value = namespace[name]
        if isinstance(value, keras.Model):
            return value
        if isinstance(value, type):
            return next(v for v in namespace.values() if isinstance(v, value))
        keras.backend.clear_session()
        return value()


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
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return None
    outputs = keras.tree.flatten(nodes[0].outputs)
    shapes = tuple(tuple(tensor.shape) for tensor in outputs)
    return shapes[0] if len(shapes) == 1 else shapes
