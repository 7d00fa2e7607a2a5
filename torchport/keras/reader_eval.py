"""The Keras reader's evaluator: follows a file (evaluator.Evaluator) with Keras's values: layers,
symbolic tensors, `Input`, `Sequential` (`.add`, `.build`), `Model(inputs, outputs)` and `keras.Model`
subclasses, and collects the file's models as records (records.py).

Keras names are recognised by astroid's lexical lookup (`analysis.names.qualified_name`), never by
inference: `keras.layers.Dense`, `tf.keras.layers.Dense`, `from tensorflow.keras.layers import Dense`...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from astroid import nodes

from torchport.analysis.names import qualified_name
from torchport.keras.evaluator import Evaluator, Return, is_literal, literal
from torchport.keras.layers import COMMON_ARGUMENTS, LAYERS, NORMALIZED, REQUIRED, WRAPPERS
from torchport.keras.model import KerasModel, Note
from torchport.keras.records import apply, functional_model, sequential_model, subclass_model
from torchport.keras.values import (
    UNKNOWN,
    FunctionalObj,
    InputObj,
    Layer,
    SequentialObj,
    SubclassInstance,
    Tensor,
)

_KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})
_MODEL_CLASSES = frozenset({"Model", "Functional"})
_COMMON = frozenset(name for name, _ in COMMON_ARGUMENTS)
_LAYER_CLASSES = frozenset({"Layer", "layers.Layer"})  # keras.Layer, keras.layers.Layer
# Activation functions given as functions (`activation=tf.nn.relu`), which Keras records by name.
_ACTIVATION_MODULES = frozenset({"keras.activations", "tensorflow.keras.activations", "tensorflow.nn",
                                 "tf_keras.activations"})
_ACTIVATIONS = frozenset({"relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "elu", "selu", "gelu",
                          "silu", "swish", "softplus", "softsign", "exponential", "linear", "leaky_relu",
                          "hard_sigmoid", "hard_silu", "mish"})


def keras_class(node: nodes.NodeNG) -> str | None:
    """`Dense` for `keras.layers.Dense`, `tf.keras.layers.Dense`, `layers.Dense` (from keras), ...;
    a class of `keras.layers` that the layer table does not know is returned as `layers.<Name>`."""
    name = qualified_name(node)
    if not name:
        return None
    parts = name.split(".")
    if parts[0] not in _KERAS_ROOTS or len(parts) < 2 or not any("keras" in part for part in parts):
        return None
    if parts[-1] not in (*LAYERS, "Input", "InputLayer") and "layers" in parts[:-1] and parts[-1][:1].isupper():
        return f"layers.{parts[-1]}"
    return parts[-1]


class FileReader(Evaluator):
    """Evaluates one module and collects its Keras models."""

    def __init__(self, module: nodes.Module, file: str) -> None:
        super().__init__(module)
        self.file = file
        self.seq = 0  # construction order of layers and inputs: Keras numbers automatic names in it
        self._classes: dict[nodes.NodeNG, str | None] = {}
        self.created: list[tuple[Any, int]] = []  # (model object, call depth at creation)
        self.subclass_usage: dict[nodes.ClassDef, SubclassInstance] = {}
        self.noted: list[Note] = []  # what the evaluator noted (`note`), for the models read while it did

    # ---- entry point ---------------------------------------------------------------------------

    def models(self) -> list[KerasModel]:
        found: list[KerasModel] = []
        env = self.globals
        try:
            self._block(self.module.body, env)
        except Return:  # a module-level `raise`: what ran before it is read
            pass
        found.extend(self._noting(0, self._bound_models(env, lambda value: self._depth_of(value) == 0)))
        for function in self._top_functions():
            start = len(self.noted)
            found.extend(self._noting(start, self._function_models(function)))
        for cls in self._model_classes():
            start = len(self.noted)
            found.extend(self._noting(start, [self._subclass(cls, self.subclass_usage.get(cls))]))
        if self.exhausted:
            note = Note("flow", "the file is too long to follow: the reader stopped, what follows is unknown")
            found = [replace(m, notes=(*m.notes, note)) for m in found]
        return _unique(found)

    def _noting(self, start: int, models: list[KerasModel]) -> list[KerasModel]:
        """The models with what the evaluator noted since `start` (while it read them)."""
        noted = tuple(note for note in dict.fromkeys(self.noted[start:]))
        return [replace(m, notes=(*m.notes, *(n for n in noted if n not in m.notes))) for m in models]

    def note(self, kind: str, text: str) -> None:
        self.noted.append(Note(kind, text))  # type: ignore[arg-type]

    def keras_class(self, node: nodes.NodeNG) -> str | None:
        """`keras_class`, once per node: loops and inlined calls evaluate the same calls many times."""
        if node not in self._classes:
            self._classes[node] = keras_class(node)
        return self._classes[node]

    def _bound_models(self, env: dict[str, Any], wanted: Callable[[Any], bool]) -> list[KerasModel]:
        """The models bound to names in `env` (each once, under its first name)."""
        found: list[KerasModel] = []
        seen: list[Any] = []
        for name, value in env.items():
            if self._is_model(value) and wanted(value) and not any(value is s for s in seen):
                seen.append(value)
                found.extend(self._record(value, name))
        return found

    def _top_functions(self) -> Iterator[nodes.FunctionDef]:
        return (n for n in self.module.body if isinstance(n, nodes.FunctionDef))

    def _model_classes(self) -> Iterator[nodes.ClassDef]:
        for node in self.module.body:
            if isinstance(node, nodes.ClassDef) and any(keras_class(b) in _MODEL_CLASSES for b in node.bases):
                yield node

    def _function_models(self, function: nodes.FunctionDef) -> list[KerasModel]:
        start = len(self.created)
        returned, env = self.call_function(function, [], {})
        mine = [obj for obj, depth in self.created[start:] if depth == 1]
        found: list[KerasModel] = []
        returned_models = [v for v in (returned if isinstance(returned, tuple) else (returned,)) if self._is_model(v)]
        for value in returned_models:
            found.extend(self._record(value, function.name))
        if returned_models:
            return found
        return self._bound_models(env, lambda value: any(value is obj for obj in mine))

    def _subclass(self, cls: nodes.ClassDef, usage: SubclassInstance | None) -> KerasModel:
        """Layers assigned in `__init__` (in assignment order, as Keras tracks them), data flow in `call`."""
        notes: list[Note] = []
        env: dict[str, Any] = {}
        init = _class_method(cls, "__init__")
        if init is not None:
            env = self.bind(init, usage.args if usage else [], usage.kwargs if usage else {}, skip=1)
            self.call_function(init, [], {}, env=env)
        layers: list[Layer] = []
        for key, value in env.items():
            if key.startswith("self."):
                items = list(value) if isinstance(value, (list, tuple)) else [value]
                for index, item in enumerate(items):
                    if isinstance(item, Layer) and item not in layers:
                        layers.append(item)
                        item.attribute = key.removeprefix("self.") + (f"_{index}" if len(items) > 1 else "")
        call = _class_method(cls, "call")
        parameters = _tensor_parameters(call) if call is not None else []
        given = usage.build_shape if usage is not None else None
        shapes = _input_shapes(given, len(parameters))
        if any(shape is None for shape in shapes):
            notes.append(Note("shapes", "the input shape is not given (no .build(shape) on an instance), so shapes "
                                        "are unknown"))
        line = call.lineno if call is not None else cls.lineno
        # call(self, inputs) given a list of shapes receives a list of tensors; call(self, a, b) one tensor each
        listed = len(parameters) == 1 and len(shapes) > 1
        names = [f"{parameters[0]}_{i}" for i in range(len(shapes))] if listed else parameters
        sources = []
        for name, shape in zip(names, shapes):
            self.seq += 1
            sources.append(InputObj(shape, None, name, line, self.seq))
        tensors = [Tensor(source, None, source.shape) for source in sources]
        outputs: list[Any] = []
        if call is None or not parameters:
            notes.append(Note("flow", "the class has no call(self, inputs) method to read"))
        else:
            call_env = {**self.bind(call, [tensors] if listed else tensors, {}, skip=1),
                        **{k: v for k, v in env.items() if k.startswith("self.")}}
            returned, _ = self.call_function(call, [], {}, env=call_env)
            outputs = _flat(returned)
        if any(isinstance(t, Tensor) and t.source is None for t in outputs) or any(
                not isinstance(t, Tensor) for t in outputs):
            notes.append(Note("flow", "part of call's data flow could not be followed"))
        return subclass_model(cls.name, self.file, cls.lineno, layers, sources, outputs, notes)

    def _is_model(self, value: Any) -> bool:
        return isinstance(value, (SequentialObj, FunctionalObj))

    def _depth_of(self, value: Any) -> int | None:
        return next((depth for obj, depth in self.created if obj is value), None)

    def _record(self, value: Any, name: str) -> list[KerasModel]:
        if isinstance(value, SequentialObj):
            return [sequential_model(value, name, self.file)]
        return [functional_model(value, name, self.file)]

    # ---- the evaluator's hooks --------------------------------------------------------------------

    def special_call(self, node: nodes.Call, args: list[Any], kwargs: dict[str, Any], env: dict[str, Any]) -> Any:
        if isinstance(node.func, nodes.Attribute):
            owner = self.ev(node.func.expr, env)
            if isinstance(owner, (SequentialObj, SubclassInstance)):
                return self._method(owner, node.func.attrname, node, args, kwargs)
        callee = self.ev(node.func, env)
        if isinstance(callee, SequentialObj) and not callee.builds:
            self._rebuilt(callee, node, always=True)  # built by its first call
        if isinstance(callee, (SequentialObj, FunctionalObj)):
            callee = self._as_layer(callee)
        if isinstance(callee, Layer):
            return apply(callee, args, kwargs)
        inputs = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        if isinstance(callee, SubclassInstance) and callee.build_shape is None and inputs \
                and all(isinstance(a, Tensor) and isinstance(a.source, InputObj) for a in inputs):
            # `model(keras.Input(...))`, `model([a, b])`, `model(a, b)` build a subclassed model
            callee.build_shape = inputs[0].shape if inputs is args and len(args) == 1 else [a.shape for a in inputs]
            self.subclass_usage.setdefault(callee.cls, callee)
        if isinstance(callee, SubclassInstance):
            return Tensor(None, None, None, f"a subclassed model called as a layer at line {node.lineno} is not read")
        if callee is not UNKNOWN:
            return UNKNOWN
        cls = self.keras_class(node.func)
        return NotImplemented if cls is None else self._keras(cls, node, args, kwargs)

    def project_class(self, cls: nodes.ClassDef, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if cls in set(self._model_classes()):
            return SubclassInstance(cls, args, kwargs)
        if any(keras_class(base) in _LAYER_CLASSES for base in cls.bases):
            return self._layer(cls.name, node, args, kwargs)  # a custom layer: listed, shape unknown
        return UNKNOWN

    def outside_name(self, node: nodes.Name | nodes.Attribute) -> Any:
        """`tf.nn.relu`, `keras.activations.gelu`: Keras records an activation function by its name."""
        name = qualified_name(node)
        if name is None:
            return UNKNOWN
        module, _, function = name.rpartition(".")
        return function if module in _ACTIVATION_MODULES and function in _ACTIVATIONS else UNKNOWN

    def attribute(self, owner: Any, name: str) -> Any:
        """`x.shape` of a symbolic tensor: its dims where the reader knows them (the batch dim is not known)."""
        if isinstance(owner, Tensor) and name == "shape":
            return UNKNOWN if owner.shape is None else tuple(UNKNOWN if d is None else d for d in owner.shape)
        return NotImplemented

    def assign_attribute(self, owner: Any, attribute: str, value: Any) -> None:
        if attribute == "trainable" and isinstance(owner, (Layer, SequentialObj, FunctionalObj)):
            owner.trainable = value if isinstance(value, bool) else None  # `base.trainable = False` freezes it

    def unpack(self, value: Any, count: int) -> list[Any]:
        if isinstance(value, Tensor) and value.shape is None and value.index is None and value.source is not None:
            # a layer whose output could not be inferred, unpacked: keep the link to the layer
            return [Tensor(value.source, i, None) for i in range(count)]
        return [UNKNOWN] * count

    def opaque_value(self, reason: str) -> Any:
        return Tensor(None, None, None, reason)

    def touch(self, value: Any, reason: str) -> None:
        if isinstance(value, SequentialObj):
            value.layers.append(UNKNOWN)
            value.notes.append(Note("flow", f"the layers it adds are unknown: {reason}"))
        elif isinstance(value, FunctionalObj):
            value.notes.append(Note("flow", f"the model may be changed there: {reason}"))

    # ---- Keras ------------------------------------------------------------------------------------

    def _method(self, owner: Any, method: str, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        shape = args[0] if args else kwargs.get("input_shape", UNKNOWN)
        if isinstance(owner, SubclassInstance):
            if method == "build" and owner.build_shape is None:
                owner.build_shape = shape
                self.subclass_usage.setdefault(owner.cls, owner)
            return UNKNOWN
        if method == "add":
            entry = args[0] if args else UNKNOWN
            if isinstance(entry, Tensor) and isinstance(entry.source, InputObj) and not owner.layers:
                entry = entry.source  # `model.add(keras.Input(...))`
            owner.layers.append(self._entry(entry))
            self._rebuilt(owner, node)
        elif method == "build" and owner.input is None:
            owner.input = self._input_from_shape(shape, node, with_batch=True)
            self._rebuilt(owner, node, always=True)
        elif method == "pop" and owner.layers:
            owner.layers.pop()
            self._rebuilt(owner, node)
        return UNKNOWN

    def _rebuilt(self, model: SequentialObj, node: nodes.NodeNG, always: bool = False) -> None:
        """Keras rebuilds a Sequential with a known input (and a layer after it): see SequentialObj.builds."""
        first = model.layers[0] if model.layers else None
        has_input = model.input is not None or isinstance(first, InputObj) or (
            isinstance(first, Tensor) and isinstance(first.source, InputObj)) or (
            isinstance(first, Layer) and first.input_shape is not None)
        layer_count = len(model.layers) + (1 if isinstance(first, Layer) and first.input_shape is not None else 0)
        if always or has_input and layer_count > 1:
            self.seq += 1
            model.builds.append(Layer("Functional", {}, (), node.lineno, self.seq, None, True))

    def _keras(self, cls: str, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        self.seq += 1
        name = kwargs.get("name")
        if cls == "Sequential":
            layers = args[0] if args else kwargs.get("layers", [])
            entries = [self._entry(e) for e in layers] if isinstance(layers, (list, tuple)) else [UNKNOWN]
            model: Any = SequentialObj(entries, node.lineno, self.seq)
        elif cls in _MODEL_CLASSES:
            model = FunctionalObj(_flat(args[0] if args else kwargs.get("inputs", UNKNOWN)),
                                  _flat(args[1] if len(args) > 1 else kwargs.get("outputs", UNKNOWN)), node.lineno,
                                  self.seq)
        if cls == "Sequential" or cls in _MODEL_CLASSES:
            model.explicit_name = name if isinstance(name, str) else None
            self.created.append((model, self.depth))
            if isinstance(model, SequentialObj):
                self._rebuilt(model, node)
            return model
        if cls in ("Input", "InputLayer"):
            return self._input(cls, node, args, kwargs)
        if cls in LAYERS or cls.startswith("layers."):
            return self._layer(cls.removeprefix("layers."), node, args, kwargs)
        return UNKNOWN

    def _entry(self, value: Any) -> Any:
        """An entry of a Sequential: a layer (a model used as one included), an Input, or UNKNOWN."""
        if isinstance(value, (SequentialObj, FunctionalObj)):
            return self._as_layer(value)
        return value if isinstance(value, (Layer, InputObj, Tensor)) else UNKNOWN

    def _as_layer(self, model: SequentialObj | FunctionalObj) -> Layer:
        """A model used as a layer of another: Keras lists it as one layer named like its class."""
        if model.as_layer is None:
            model.as_layer = Layer("Sequential" if isinstance(model, SequentialObj) else "Functional", {}, (),
                                   model.line, model.seq, model.explicit_name, True, model=model)
        return model.as_layer

    def _input(self, cls: str, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        shape = args[0] if args else kwargs.get("shape", kwargs.get("input_shape"))
        batch_shape = kwargs.get("batch_shape", kwargs.get("batch_input_shape"))
        obj = self._input_from_shape(batch_shape, node, with_batch=True) if batch_shape is not None else \
            self._input_from_shape(shape, node, with_batch=False)
        dtype = kwargs.get("dtype")
        obj.dtype = dtype if isinstance(dtype, str) else None
        name = kwargs.get("name")
        obj.explicit_name = name if isinstance(name, str) else None
        return obj if cls == "InputLayer" else Tensor(obj, None, obj.shape)

    def _input_from_shape(self, shape: Any, node: nodes.NodeNG, with_batch: bool) -> InputObj:
        self.seq += 1
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        known = isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape)
        full = (tuple(shape) if with_batch else (None, *shape)) if known else None
        return InputObj(full, None, None, node.lineno, self.seq)

    def _layer(self, cls: str, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Layer:
        """A layer of the table, or of a type it does not know (its arguments by keyword only)."""
        spec = LAYERS.get(cls)
        signature = spec.signature if spec is not None else ()
        given: dict[str, Any] = {}
        names = [name for name, _ in signature]
        for name, value in zip(names, args):
            given[name] = value
        if len(args) > len(names):
            given["*args"] = UNKNOWN
        given.update(kwargs)
        wrapped = None
        if cls in WRAPPERS:
            inner = given.pop("layer", UNKNOWN)
            wrapped = inner if isinstance(inner, Layer) else None
        config: dict[str, Any] = {}
        unknown: list[str] = [] if cls not in WRAPPERS or wrapped else ["layer"]
        for name, default in signature:
            if name == "layer" and cls in WRAPPERS or name in _COMMON:
                continue
            value = given.pop(name, default)
            if value is REQUIRED or not is_literal(value):
                unknown.append(name)
            else:
                config[name] = NORMALIZED.get(name, literal)(literal(value))
        common = {key: given.pop(key, default) for key, default in COMMON_ARGUMENTS}
        input_shape = _input_shape(given.pop("input_shape", None), given.pop("input_dim", None))  # Embedding's
        given.pop("batch_input_shape", None)  # input_dim is in its signature, taken above
        for name, value in given.items():  # arguments outside the signature, as given
            if is_literal(value):
                config[name] = literal(value)
            else:
                unknown.append(name)
        name, trainable = common["name"], common["trainable"]
        if name is not None and not isinstance(name, str):
            unknown.append("name")
        if not isinstance(trainable, bool):
            unknown.append("trainable")
        self.seq += 1
        return Layer(cls, config, tuple(unknown), node.lineno, self.seq, name if isinstance(name, str) else None,
                     trainable if isinstance(trainable, bool) else None, wrapped, input_shape)

def _class_method(cls: nodes.ClassDef, name: str) -> nodes.FunctionDef | None:
    return next((n for n in cls.body if isinstance(n, nodes.FunctionDef) and n.name == name), None)


def _flat(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value]


def _batch_shape(shape: Any) -> tuple[int | None, ...] | None:
    """A shape with its batch dim, as given to `build`."""
    if isinstance(shape, (tuple, list)) and shape and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    return None


def _input_shapes(given: Any, parameters: int) -> list[tuple[int | None, ...] | None]:
    """The shape of each input of a subclass model's `call`, from what `.build` or a call gave: one shape,
    or a list of them (one per parameter, or all for a single parameter that receives a list)."""
    if isinstance(given, (tuple, list)) and given and all(isinstance(s, (tuple, list)) for s in given):
        shapes = [_batch_shape(shape) for shape in given]
        return shapes if parameters in (1, len(shapes)) else [None] * parameters
    return [_batch_shape(given)] + [None] * (parameters - 1) if parameters else []


def _tensor_parameters(call: nodes.FunctionDef) -> list[str]:
    """The parameters of `call(self, ...)` that take tensors: the positional ones without a default
    (`training=False`, `mask=None` are not)."""
    positional = [*(call.args.posonlyargs or []), *(call.args.args or [])][1:]
    return [parameter.name for parameter in positional[:len(positional) - len(call.args.defaults or [])]]


def _input_shape(shape: Any, dim: Any) -> Any:
    if isinstance(dim, int) and not isinstance(dim, bool):
        return (None, dim)
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, (tuple, list)) and all(d is None or isinstance(d, int) for d in shape):
        return (None, *shape)
    return None


def _unique(models: list[KerasModel]) -> list[KerasModel]:
    """Model names are how users pick a model: a second model with a taken name gets `name:line`."""
    seen: set[str] = set()
    result = []
    for model in models:
        if model.name in seen:
            model = replace(model, name=f"{model.name}:{model.line}")
        seen.add(model.name)
        result.append(model)
    return result
