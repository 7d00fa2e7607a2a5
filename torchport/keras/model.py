"""What torchport reads from a Keras model's source: its layers in order, how they connect, their
arguments (Keras defaults filled in), output shapes and parameter counts the way Keras computes them.

Shapes are Keras's: channels-last, batch first and `None` (as `model.output_shape` prints them);
a dim that cannot be known statically is `None` too. One reader fills these records
(`torchport.keras.reader`); `compare` and `port` consume them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Shape = tuple[int | None, ...]  # e.g. (None, 26, 26, 32)
Style = Literal["sequential", "functional", "subclass"]
# What a note says is unknown: "flow", layers or connections may be missing (a loop or an `if` not followed, an
# unread Sequential entry, model input or output); "layer", one layer's argument, shape or count; "shapes",
# the input shape, so every shape; "assumption", a condition decided by an assumption the text states.
NoteKind = Literal["flow", "layer", "shapes", "assumption"]


@dataclass(frozen=True)
class Note:
    """What the reader could not read, and why (one sentence), or what it assumed."""

    kind: NoteKind
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def structural(self) -> bool:
        """Whether layers or connections may be missing from the record (not only values)."""
        return self.kind == "flow"


@dataclass(frozen=True)
class TensorRef:
    """One tensor of the model: an Input, or output `index` (None: the only one) of call `call` of a layer."""

    layer: str  # the layer's or the Input's name
    call: int = 0  # which call of the layer produced it, in `KerasLayer.calls` order
    index: int | None = None


@dataclass(frozen=True)
class KerasCall:
    """One call of a layer: what it read and the shape it returned (a shared layer has several)."""

    inputs: tuple[TensorRef, ...]
    output_shape: Shape | tuple[Shape, ...] | None = None


@dataclass(frozen=True)
class KerasLayer:
    name: str  # Keras's name: the `name=` argument or the automatic one ("dense", "dense_1", ...)
    type: str  # the Keras class name: "Dense", "Conv2D", "LSTM", ...
    config: dict[str, Any]  # constructor arguments by Keras's parameter names, defaults filled in;
    # values are Python literals (int, float, str, bool, None, tuples); a value the reader could not
    # evaluate statically is absent and its name is in `unknown`
    line: int  # where the layer is constructed
    inputs: tuple[str, ...] = ()  # names of the layers or Inputs feeding it, in call order
    output_shape: Shape | tuple[Shape, ...] | None = None  # None: not inferred; a tuple of shapes for several outputs
    params: int | None = None  # as `layer.count_params()`: trainable + non-trainable
    trainable_params: int | None = None
    wrapped: KerasLayer | None = None  # the inner layer of a wrapper (Bidirectional, TimeDistributed)
    unknown: tuple[str, ...] = ()  # argument names whose value could not be read statically
    calls: tuple[KerasCall, ...] = ()  # every call in the model, in call order; () when not recorded
    attribute: str | None = None  # a subclass model's attribute holding it: `self.encoder = ...` -> "encoder"
    model: KerasModel | None = None  # a Sequential or Functional model used as a layer: its own record

    def call_list(self) -> tuple[KerasCall, ...]:
        """The layer's calls; a record without them (built by hand) has one call reading `inputs`."""
        return self.calls or (KerasCall(tuple(TensorRef(name) for name in self.inputs), self.output_shape),)


@dataclass(frozen=True)
class KerasInput:
    name: str  # Keras's name ("input_layer", or `name=`), or the `call` parameter for a subclass
    shape: Shape  # with the batch dim: Input(shape=(28, 28, 1)) -> (None, 28, 28, 1)
    dtype: str | None = None


@dataclass(frozen=True)
class KerasModel:
    name: str  # the variable the model is bound to, the function that returns it, or the class name
    file: str
    line: int
    style: Style
    inputs: tuple[KerasInput, ...]
    layers: tuple[KerasLayer, ...]  # in `model.layers` order, without InputLayer
    outputs: tuple[str, ...]  # names of the layers whose outputs are the model's outputs
    notes: tuple[Note, ...] = field(default=())  # what could not be read, and why, one sentence each
    output_refs: tuple[TensorRef, ...] = ()  # the output tensors exactly (which call, which output); () when
    # not recorded: then the first call's output of each layer of `outputs`

    def output_tensors(self) -> tuple[TensorRef, ...]:
        return self.output_refs or tuple(TensorRef(name) for name in self.outputs)

    @property
    def total_params(self) -> int | None:
        counts = [layer.params for layer in self.layers]
        return None if any(count is None for count in counts) else sum(counts)  # type: ignore[misc]

    def layer(self, name: str) -> KerasLayer:
        return next(layer for layer in self.layers if layer.name == name)
