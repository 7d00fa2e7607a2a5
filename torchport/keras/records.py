"""Turn the evaluator's objects into KerasModel records: Keras's automatic names, `model.layers`
order (Keras 3's `map_graph` for Functional models) and each layer's inputs, shapes and counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torchport.keras.calls import apply_layer
from torchport.keras.layers import auto_name
from torchport.keras.model import KerasInput, KerasLayer, KerasModel
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


def _with_wrapped(layers: Iterable[Layer]) -> list[Layer]:
    result = []
    for layer in layers:
        result.append(layer)
        if layer.wrapped is not None:
            result.append(layer.wrapped)
    return result


def sequential_model(obj: SequentialObj, name: str, file: str) -> KerasModel:
    notes = list(obj.notes)
    entries = list(obj.layers)
    source = obj.input
    first = entries[0] if entries else None
    if isinstance(first, Tensor) and isinstance(first.source, InputObj):
        first = first.source
    if isinstance(first, InputObj):
        source = source or first
        entries = entries[1:]
    elif source is None and entries and isinstance(entries[0], Layer) and entries[0].input_shape:
        source = InputObj(entries[0].input_shape, None, None, entries[0].line, entries[0].seq - 1)
    if source is None or source.shape is None:
        notes.append("the input shape is not given (no Input, input_shape= or build), so shapes are unknown")
    tensor: Any = Tensor(source, None, source.shape) if source is not None else Tensor(None, None, None)
    layers: list[Layer] = []
    for entry in entries:
        if not isinstance(entry, Layer):
            tensor = Tensor(None, None, None)
            if entry is not UNKNOWN:
                notes.append("an entry of the Sequential that is not a layer is not read")
            continue
        layers.append(entry)
        tensor = apply_layer(entry, [tensor], {})
        if isinstance(tensor, tuple):
            tensor = Tensor(None, None, None)
    if any(entry is UNKNOWN for entry in entries) and not obj.notes:
        notes.append("an entry of the Sequential could not be read")
    inputs = [source] if source is not None else []
    names = keras_names([*_with_wrapped(layers), *inputs])
    records = [_layer_record(layer, names, None, obj.trainable) for layer in layers]
    model_inputs = tuple(KerasInput(names[i], i.shape, i.dtype) for i in inputs if i.shape is not None)
    outputs = (records[-1].name,) if records else ()
    return KerasModel(name, file, obj.line, "sequential", model_inputs, tuple(records), outputs,
                      _notes(notes, layers, names))


def functional_model(obj: FunctionalObj, name: str, file: str) -> KerasModel:
    notes = list(obj.notes)
    inputs = [t for t in obj.inputs if isinstance(t, Tensor) and isinstance(t.source, InputObj)]
    outputs = [t for t in obj.outputs if isinstance(t, Tensor)]
    if len(inputs) != len(obj.inputs):
        notes.append("some of the model's inputs could not be read")
    if len(outputs) != len(obj.outputs):
        notes.append("some of the model's outputs could not be read")
    layers, graph, opaque = _map_graph(inputs, outputs)
    notes.extend(opaque)
    sources: list[InputObj] = [t.source for t in inputs]  # type: ignore[misc]
    names = keras_names([*_with_wrapped(layers), *sources])
    records = [_layer_record(layer, names, graph, obj.trainable) for layer in layers]
    model_inputs = tuple(KerasInput(names[s], s.shape, s.dtype) for s in sources if s.shape is not None)
    if any(s.shape is None for s in sources):
        notes.append("an Input's shape could not be read, so shapes are unknown")
    return KerasModel(name, file, obj.line, "functional", model_inputs, tuple(records),
                      tuple(_source_name(t, names) for t in outputs if t.source is not None),
                      _notes(notes, layers, names))


def subclass_model(name: str, file: str, line: int, layers: list[Layer], source: InputObj,
                   outputs: list[Any], notes: list[str]) -> KerasModel:
    names = keras_names(_with_wrapped(layers))
    names[source] = source.explicit_name or _INPUT_PREFIX
    records = [_layer_record(layer, names, None) for layer in layers]
    model_inputs = (KerasInput(names[source], source.shape),) if source.shape is not None else ()
    output_names = tuple(_source_name(t, names) for t in outputs if isinstance(t, Tensor) and t.source is not None
                         and (not isinstance(t.source, Node) or t.source.layer in names))
    return KerasModel(name, file, line, "subclass", model_inputs, tuple(records), output_names,
                      _notes(notes, layers, names))


def _source_name(tensor: Tensor, names: dict[Any, str]) -> str:
    source = tensor.source
    return names.get(source.layer if isinstance(source, Node) else source, "?")


def _layer_record(layer: Layer, names: dict[Any, str], graph: set[Node] | None,
                  model_trainable: bool | None = True) -> KerasLayer:
    nodes = [node for node in layer.nodes if graph is None or node in graph]
    inputs: list[str] = []
    for node in nodes:
        for tensor in node.inputs:
            if tensor.source is not None:
                source_name = _source_name(tensor, names)
                if source_name not in inputs:
                    inputs.append(source_name)
    params = layer.params
    trainable = _trainable(params, layer.trainable, model_trainable)
    return KerasLayer(
        name=names[layer], type=layer.type, config=dict(layer.config), line=layer.line, inputs=tuple(inputs),
        output_shape=nodes[0].output if nodes else None,
        params=None if params is None else params[0], trainable_params=trainable,
        wrapped=_layer_record(layer.wrapped, names, None) if layer.wrapped is not None else None,
        unknown=layer.unknown)


def _trainable(params: tuple[int, int] | None, *flags: bool | None) -> int | None:
    """A layer's trainable count: none when it or its model is frozen (`trainable=False`)."""
    if params is None:
        return None
    if False in flags:
        return 0
    return None if None in flags else params[1]


def _notes(notes: list[str], layers: list[Layer], names: dict[Any, str]) -> tuple[str, ...]:
    result = list(dict.fromkeys(notes))
    for layer in _with_wrapped(layers):
        for note in dict.fromkeys(layer.notes):
            result.append(f"{names.get(layer, layer.type)} (line {layer.line}): {note}")
        if layer.unknown:
            result.append(f"{names.get(layer, layer.type)} (line {layer.line}): "
                          f"could not read {', '.join(layer.unknown)}")
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
