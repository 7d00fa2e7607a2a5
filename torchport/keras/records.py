"""Turn the evaluator's objects into KerasModel records: Keras's automatic names, `model.layers`
order (Keras 3's `map_graph` for Functional models) and each layer's inputs, shapes and counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torchport.keras.calls import apply_layer
from torchport.keras.layers import auto_name
from torchport.keras.model import KerasCall, KerasInput, KerasLayer, KerasModel, Note, Shape, TensorRef
from torchport.keras.values import UNKNOWN, FunctionalObj, InputObj, Layer, Node, SequentialObj, Tensor

_INPUT_PREFIX = "input_layer"


def keras_names(objects: Iterable[Layer | InputObj]) -> dict[Any, str]:
    """Keras's names: `name=` when given, else the snake-case type with a per-prefix counter, in
    construction order (as in a fresh Keras session)."""
    names: dict[Any, str] = {}
    counters: dict[str, int] = {}
    for obj in sorted(set(objects), key=lambda o: o.seq):
        if obj.explicit_name:
            names[obj] = obj.explicit_name
            continue
        prefix = _INPUT_PREFIX if isinstance(obj, InputObj) else auto_name(obj.type)
        if isinstance(obj, Layer) and "name" in obj.unknown:  # `name=` not readable: no automatic number taken
            names[obj] = f"{prefix}@{obj.line}"
            continue
        number = counters.get(prefix, 0)
        counters[prefix] = number + 1
        names[obj] = prefix if number == 0 else f"{prefix}_{number}"
    return names


def _named(layers: Iterable[Layer], inside: frozenset[int] = frozenset()) -> list[Layer | InputObj]:
    """Everything that takes an automatic name with these layers: wrapped layers, and the layers and
    inputs of models used as layers (Keras numbers names per session, across nested models).
    `inside`: the models being listed (a model that contains itself is listed once)."""
    result: list[Layer | InputObj] = []
    for layer in layers:
        result.append(layer)
        if layer.wrapped is not None:
            result.append(layer.wrapped)
        if layer.model is None or id(layer.model) in inside:
            continue
        if isinstance(layer.model, SequentialObj):
            result.extend(_sequential_named(layer.model, inside))
        else:
            inner_layers, _, _ = _map_graph(_inputs(layer.model), _outputs(layer.model))
            result.extend(_named(inner_layers, inside | {id(layer.model)}))
            result.extend(t.source for t in _inputs(layer.model))  # type: ignore[misc]
    return result


def _sequential_named(model: SequentialObj, inside: frozenset[int] = frozenset()) -> list[Layer | InputObj]:
    inner = [e.source if isinstance(e, Tensor) else e for e in model.layers]
    return [*_named((e for e in inner if isinstance(e, Layer)), inside | {id(model)}), *model.builds,
            *(e for e in [model.input, *inner] if isinstance(e, InputObj))]


def apply(layer: Layer, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`layer(*args, **kwargs)` for any layer, a model used as a layer included."""
    return apply_layer(layer, args, kwargs) if layer.model is None else _apply_model(layer, args)


def _apply_model(layer: Layer, args: list[Any]) -> Any:
    """A Sequential or Functional model called as a layer: one layer of the outer model, whose output
    and counts are its own model's."""
    tensor = args[0] if len(args) == 1 and isinstance(args[0], Tensor) else \
        Tensor(None, None, None, f"the input of the model used as a layer at line {layer.line} could not be read")
    if layer.applying:  # a model that contains itself
        return Tensor(None, None, None, f"the model at line {layer.line} contains itself")
    layer.applying = True
    try:
        return _apply_model_once(layer, tensor)
    finally:
        layer.applying = False


def _apply_model_once(layer: Layer, tensor: Tensor) -> Tensor:
    model = layer.model
    output: Any = None
    inner: list[Layer] = []
    if isinstance(model, SequentialObj):
        entries, _ = _sequential_entries(model)
        result, inner, _, _ = _run(entries, tensor)
        output = result.shape
    elif isinstance(model, FunctionalObj):
        inputs, outputs = _inputs(model), _outputs(model)
        inner, _, _ = _map_graph(inputs, outputs)
        if len(inputs) == 1 == len(outputs) == len(model.inputs) == len(model.outputs) and \
                tensor.shape is not None and inputs[0].shape is not None and tensor.shape[1:] == inputs[0].shape[1:]:
            output = outputs[0].shape
        elif tensor.shape is not None:
            layer.notes.append("a Functional model used as a layer is read only when called on its input's shape")
    node = Node(layer, (tensor,), output)
    if not layer.built:
        layer.built = True
        counts = [(q.params, q.trainable) for q in inner]
        if all(p is not None for p, _ in counts):
            layer.params = (sum(p[0] for p, _ in counts),  # type: ignore[index]
                            sum(p[1] for p, flag in counts if flag is not False))  # type: ignore[index]
    layer.nodes.append(node)
    return Tensor(node, None, output)


def _layers_only(objects: list[Layer | InputObj]) -> list[Layer]:
    return [obj for obj in objects if isinstance(obj, Layer)]


def _sequential_entries(obj: SequentialObj) -> tuple[list[Any], InputObj | None]:
    """The Sequential's layers after its input, and its input (from an Input entry, `input_shape=`
    on its first layer, or `.build`)."""
    entries = list(obj.layers)
    source = obj.input
    first = entries[0] if entries else None
    if isinstance(first, Tensor) and isinstance(first.source, InputObj):
        first = first.source
    if isinstance(first, InputObj):
        source = source or first
        entries = entries[1:]
    elif source is None and isinstance(first, Layer) and first.input_shape:
        source = InputObj(first.input_shape, None, None, first.line, first.seq - 1)
    return entries, source


def _run(entries: list[Any], tensor: Any) -> tuple[Any, list[Layer], set[Node], list[Note]]:
    """Apply a Sequential's entries in turn: (the last output, the layers, their calls, notes)."""
    layers: list[Layer] = []
    calls: set[Node] = set()
    notes: list[Note] = []
    for entry in entries:
        if not isinstance(entry, Layer):
            tensor = Tensor(None, None, None)
            if entry is not UNKNOWN:
                notes.append(Note("flow", "an entry of the Sequential that is not a layer is not read"))
            continue
        layers.append(entry)
        tensor = apply(entry, [tensor], {})
        if isinstance(tensor, tuple):  # several outputs: a Sequential passes on none of them
            tensor = Tensor(tensor[0].source if tensor else None, None, None)
        if isinstance(tensor.source, Node):
            calls.add(tensor.source)
    return tensor, layers, calls, notes


def sequential_model(obj: SequentialObj, name: str, file: str, called_with: Shape | None = None) -> KerasModel:
    """The record of a Sequential; `called_with`: the input shape a Sequential without an input of its own is
    built on when it is first called as a layer of another model."""
    notes = list(obj.notes)
    entries, source = _sequential_entries(obj)
    if source is None and called_with is not None:
        source = InputObj(called_with, None, None, obj.line, obj.seq)
    if source is None or source.shape is None:
        notes.append(Note("shapes", "the input shape is not given (no Input, input_shape= or build), so shapes "
                                    "are unknown"))
    tensor: Any = Tensor(source, None, source.shape) if source is not None else Tensor(None, None, None)
    _, layers, calls, run_notes = _run(entries, tensor)
    notes.extend(run_notes)
    if any(entry is UNKNOWN for entry in entries) and not obj.notes:
        notes.append(Note("flow", "an entry of the Sequential could not be read"))
    inputs = [source] if source is not None else []
    names = keras_names([*_sequential_named(obj), *inputs])
    records = [_layer_record(layer, names, calls, obj.trainable) for layer in layers]
    model_inputs = tuple(KerasInput(names[i], i.shape, i.dtype) for i in inputs if i.shape is not None)
    outputs = (records[-1].name,) if records else ()
    return KerasModel(name, file, obj.line, "sequential", model_inputs, tuple(records), outputs,
                      _notes(notes, layers, names))


def _inputs(obj: FunctionalObj) -> list[Tensor]:
    return [t for t in obj.inputs if isinstance(t, Tensor) and isinstance(t.source, InputObj)]


def _outputs(obj: FunctionalObj) -> list[Tensor]:
    return [t for t in obj.outputs if isinstance(t, Tensor)]


def functional_model(obj: FunctionalObj, name: str, file: str) -> KerasModel:
    notes = list(obj.notes)
    inputs, outputs = _inputs(obj), _outputs(obj)
    if len(inputs) != len(obj.inputs):
        notes.append(Note("flow", "some of the model's inputs could not be read"))
    if len(outputs) != len(obj.outputs):
        notes.append(Note("flow", "some of the model's outputs could not be read"))
    layers, graph, opaque = _map_graph(inputs, outputs)
    notes.extend(Note("flow", text) for text in opaque)
    sources: list[InputObj] = [t.source for t in inputs]  # type: ignore[misc]
    names = keras_names([*_named(layers), *sources])
    records = [_layer_record(layer, names, graph, obj.trainable) for layer in layers]
    model_inputs = tuple(KerasInput(names[s], s.shape, s.dtype) for s in sources if s.shape is not None)
    if any(s.shape is None for s in sources):
        notes.append(Note("shapes", "an Input's shape could not be read, so shapes are unknown"))
    refs = _refs(outputs, names, graph)
    return KerasModel(name, file, obj.line, "functional", model_inputs, tuple(records),
                      tuple(ref.layer for ref in refs), _notes(notes, layers, names), refs)


def subclass_model(name: str, file: str, line: int, layers: list[Layer], sources: list[InputObj],
                   outputs: list[Any], notes: list[Note]) -> KerasModel:
    names = keras_names(_named(layers))
    for source in sources:  # named by `call`'s parameters
        names[source] = source.explicit_name or _INPUT_PREFIX
    records = [_layer_record(layer, names, None) for layer in layers]
    known = all(source.shape is not None for source in sources)
    model_inputs = tuple(KerasInput(names[source], source.shape) for source in sources) if known else ()
    refs = _refs(outputs, names, None)
    return KerasModel(name, file, line, "subclass", model_inputs, tuple(records), tuple(ref.layer for ref in refs),
                      _notes(notes, layers, names), refs)


def _source_name(tensor: Tensor, names: dict[Any, str]) -> str:
    source = tensor.source
    return names.get(source.layer if isinstance(source, Node) else source, "?")


def _calls(layer: Layer, graph: set[Node] | None) -> list[Node]:
    """The layer's calls in the model (all of them for a subclass model, which has no graph)."""
    return [node for node in layer.nodes if graph is None or node in graph]


def _ref(tensor: Tensor, names: dict[Any, str], graph: set[Node] | None) -> TensorRef:
    source = tensor.source
    call = _calls(source.layer, graph).index(source) if isinstance(source, Node) else 0
    return TensorRef(_source_name(tensor, names), call, tensor.index)


def _refs(tensors: Iterable[Any], names: dict[Any, str], graph: set[Node] | None) -> tuple[TensorRef, ...]:
    """References to the tensors the reader followed (an unknown source is left out)."""
    return tuple(_ref(t, names, graph) for t in tensors if isinstance(t, Tensor) and t.source is not None
                 and (not isinstance(t.source, Node) or t.source.layer in names))


def _layer_record(layer: Layer, names: dict[Any, str], graph: set[Node] | None,
                  model_trainable: bool | None = True) -> KerasLayer:
    calls = tuple(KerasCall(_refs(node.inputs, names, graph), node.output) for node in _calls(layer, graph))
    inputs = tuple(dict.fromkeys(ref.layer for call in calls for ref in call.inputs))
    params = layer.params
    trainable = _trainable(params, layer.trainable, model_trainable, layer.model.trainable if layer.model else True)
    return KerasLayer(
        name=names[layer], type=layer.type, config=dict(layer.config), line=layer.line, inputs=inputs,
        output_shape=calls[0].output_shape if calls else None,
        params=None if params is None else params[0], trainable_params=trainable,
        wrapped=_layer_record(layer.wrapped, names, None) if layer.wrapped is not None else None,
        unknown=layer.unknown, calls=calls, attribute=layer.attribute, model=_nested(layer, names[layer]))


_recording: set[int] = set()  # the models whose records are being made (a model containing itself stops)


def _nested(layer: Layer, name: str) -> KerasModel | None:
    """The record of a model used as a layer (its layers named afresh, as in a model of its own)."""
    model = layer.model
    if model is None or id(model) in _recording:
        return None
    _recording.add(id(model))
    try:
        if isinstance(model, SequentialObj):
            first = layer.nodes[0].inputs if layer.nodes else ()
            return sequential_model(model, name, "", first[0].shape if len(first) == 1 else None)
        return functional_model(model, name, "")
    finally:
        _recording.discard(id(model))


def _trainable(params: tuple[int, int] | None, *flags: bool | None) -> int | None:
    """A layer's trainable count: none when it or its model is frozen (`trainable=False`)."""
    if params is None:
        return None
    if False in flags:
        return 0
    return None if None in flags else params[1]


def _notes(notes: list[Note], layers: list[Layer], names: dict[Any, str]) -> tuple[Note, ...]:
    """The model's notes, then each layer's (what one layer's arguments, shape or count leave unknown)."""
    result = list(dict.fromkeys(notes))
    for layer in _layers_only(_named(layers)):
        for note in dict.fromkeys(layer.notes):
            result.append(Note("layer", f"{names.get(layer, layer.type)} (line {layer.line}): {note}"))
        if layer.unknown:
            result.append(Note("layer", f"{names.get(layer, layer.type)} (line {layer.line}): "
                                        f"could not read {', '.join(layer.unknown)}"))
    return tuple(result)


def _map_graph(inputs: list[Tensor], outputs: list[Tensor]) -> tuple[list[Layer], set[Node], list[str]]:
    """Keras 3's `map_graph` (keras/src/ops/function.py): the layers between `inputs` and
    `outputs`, ordered by decreasing depth, then by first traversal from the outputs."""
    finished: set[Any] = set()
    in_progress: set[Any] = set()
    ordered: list[Any] = []  # Nodes and InputObjs, from the inputs to the outputs
    first_seen: dict[Any, int] = {}
    opaque: list[str] = []
    given = set(inputs)

    def enter(tensor: Tensor) -> Node | InputObj | None:
        """The source to explore next, or None when it is unknown, done, or outside the graph."""
        source = tensor.source
        if source is None:
            opaque.append(tensor.reason or "part of the data flow could not be followed")
            return None
        if source in finished or source in in_progress:
            return None
        if isinstance(source, Node) and tensor in given:
            finished.add(source)
            return None
        first_seen.setdefault(source.layer if isinstance(source, Node) else source, len(first_seen))
        in_progress.add(source)
        return source

    for output in outputs:  # depth-first, parents before children (iterative: graphs can be deep)
        root = enter(output)
        stack = [(root, iter(root.inputs if isinstance(root, Node) else ()))] if root is not None else []
        while stack:
            source, parents = stack[-1]
            parent = next(parents, None)
            if parent is not None:
                child = enter(parent)
                if child is not None:
                    stack.append((child, iter(child.inputs if isinstance(child, Node) else ())))
                continue
            stack.pop()
            in_progress.discard(source)
            finished.add(source)
            ordered.append(source)
    in_graph = set(ordered)
    node_depth: dict[Any, int] = {}
    op_depth: dict[Any, int] = {}
    for item in reversed(ordered):
        operation = item.layer if isinstance(item, Node) else item
        depth = max(node_depth.setdefault(item, 0), op_depth.get(operation, 0))
        op_depth[operation] = node_depth[item] = depth
        if isinstance(item, Node):
            for parent in item.inputs:
                if parent.source in in_graph:
                    node_depth[parent.source] = max(depth + 1, node_depth.get(parent.source, 0))
    operations = sorted(op_depth, key=lambda op: (-op_depth[op], first_seen[op]))
    layers = [op for op in operations if isinstance(op, Layer)]
    return layers, {item for item in ordered if isinstance(item, Node)}, list(dict.fromkeys(opaque))
