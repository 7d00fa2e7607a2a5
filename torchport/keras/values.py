"""What the Keras reader's evaluator computes with: layers, inputs, symbolic tensors and models under
construction. They are mutable while the code is followed and turned into records (`records.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.keras.layers import Output
from torchport.keras.model import Note, Shape


UNKNOWN: Any = dims.UNKNOWN  # a value the evaluator could not compute (the shape interpreter's, shared)


@dataclass(eq=False)
class Layer:
    type: str
    config: dict[str, Any]
    unknown: tuple[str, ...]
    line: int
    seq: int  # construction order within the file: automatic names are given in this order
    explicit_name: str | None
    trainable: bool | None  # `trainable=` or a later `layer.trainable = ...`; None: could not be read
    wrapped: Layer | None = None
    input_shape: Shape | None = None  # from `input_shape=` / `input_dim=` (first layer of a Sequential)
    call_args: dict[str, Any] = field(default_factory=dict)  # CALL_ARGUMENTS as given at the first call
    nodes: list[Node] = field(default_factory=list)  # one per call, in call order
    built: bool = False
    params: tuple[int, int] | None = None  # (all, trainable while the layer is trainable) once built
    notes: list[str] = field(default_factory=list)
    model: SequentialObj | FunctionalObj | None = None  # a model used as a layer ("Sequential", "Functional")
    applying: bool = False  # the model used as a layer is being applied (guards a model containing itself)
    attribute: str | None = None  # a subclass model's attribute holding it ("encoder"; "blocks_0" in a list)


@dataclass(eq=False)
class InputObj:
    shape: Shape | None  # with the batch dim; None: unknown
    dtype: str | None
    explicit_name: str | None
    line: int
    seq: int


@dataclass(eq=False)
class Node:
    """One call of a layer: the tensors it received and what it returned."""

    layer: Layer
    inputs: tuple[Tensor, ...]
    output: Output | None  # None: not inferred


@dataclass(frozen=True, eq=False)
class Tensor:
    """A symbolic tensor: output `index` (None: the only one) of a layer call, or of an Input."""

    source: Node | InputObj | None  # None: produced by code the reader could not follow
    index: int | None
    shape: Shape | None
    reason: str = ""  # why the source is unknown


@dataclass(eq=False)
class SequentialObj:
    layers: list[Any]  # Layer, or UNKNOWN for an entry that could not be read
    line: int
    seq: int
    input: InputObj | None = None
    notes: list[Note] = field(default_factory=list)
    trainable: bool | None = True
    explicit_name: str | None = None
    as_layer: Layer | None = None  # the model used as a layer of another, once it is
    # Keras builds a Functional inside a Sequential whenever it (re)builds it with a known input: on
    # construction, each `.add`/`.pop`, `.build`, or a first call. Each takes an automatic "functional"
    # name, which shifts the names of Functional models nested later. One Layer stands for each.
    builds: list[Layer] = field(default_factory=list)


@dataclass(eq=False)
class FunctionalObj:
    inputs: list[Any]  # Tensors (UNKNOWN when unreadable)
    outputs: list[Any]
    line: int
    seq: int
    notes: list[Note] = field(default_factory=list)
    trainable: bool | None = True
    explicit_name: str | None = None
    as_layer: Layer | None = None


@dataclass(eq=False)
class SubclassInstance:
    cls: nodes.ClassDef
    args: list[Any]  # the constructor's arguments
    kwargs: dict[str, Any]
    build_shape: Any = None  # the shape given to `.build(...)`, when it is
