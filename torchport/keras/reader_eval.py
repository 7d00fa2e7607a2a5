"""The Keras reader's evaluator: follows a file's statements with symbolic values (values.py).

It understands constants and arithmetic, tuples and lists (comprehensions over constants too),
`for` loops over constant iterables (unrolled, bounded), `if` on a constant, calls of the file's own
top-level functions (inlined, bounded depth), Keras layer construction and calls, `Sequential`,
`Model(inputs, outputs)`, `Input`, `.add` and `.build`. Anything else is UNKNOWN: names it assigns
become unknown and models it touches get a note. It never infers into keras or tensorflow.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from astroid import nodes

from torchport.analysis.budget import tick
from torchport.analysis.names import qualified_name
from torchport.keras.layers import COMMON_ARGUMENTS, LAYERS, REQUIRED, WRAPPERS
from torchport.keras.model import KerasModel
from torchport.keras.calls import apply_layer
from torchport.keras.records import functional_model, sequential_model, subclass_model
from torchport.keras.values import (
    UNKNOWN,
    FunctionalObj,
    InputObj,
    Layer,
    SequentialObj,
    SubclassInstance,
    Tensor,
)

_MAX_UNROLL = 256  # iterations of one loop (or comprehension) followed before giving up
_MAX_CALL_DEPTH = 6  # nested calls of the file's own functions
_MAX_STEPS = 10_000  # statements followed in one file (keras.applications.densenet, 4 models of up to 708 layers: 2,677)
_KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})
_MODEL_CLASSES = frozenset({"Model", "Functional"})
_LAYER_CLASSES = frozenset({"Layer", "layers.Layer"})  # keras.Layer, keras.layers.Layer
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
}
_LITERAL_TYPES = (int, float, str, bool, type(None))


def _range(*args: Any) -> Any:
    return list(range(*args)) if len(range(*args)) <= _MAX_UNROLL else None


# Builtins the evaluator computes on literal arguments (None: too big to follow).
_BUILTINS: dict[str, Callable[..., Any]] = {
    "range": _range, "len": len, "int": int, "float": float, "tuple": tuple, "list": list, "min": min,
    "max": max, "abs": abs, "round": round, "sum": sum, "str": str, "bool": bool,
}


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


def is_literal(value: Any) -> bool:
    if isinstance(value, _LITERAL_TYPES):
        return True
    return isinstance(value, (tuple, list)) and all(is_literal(v) for v in value)


def literal(value: Any) -> Any:
    """Lists become tuples: record values are hashable literals."""
    return tuple(literal(v) for v in value) if isinstance(value, (tuple, list)) else value


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class FileReader:
    """Evaluates one module and collects its Keras models."""

    def __init__(self, module: nodes.Module, file: str) -> None:
        self.module = module
        self.file = file
        self.globals: dict[str, Any] = {}
        self.seq = 0
        self.depth = 0
        self.steps = 0  # statements followed, bounded by _MAX_STEPS
        self._classes: dict[nodes.NodeNG, str | None] = {}
        self.created: list[tuple[Any, int]] = []  # (model object, call depth at creation)
        self.subclass_usage: dict[nodes.ClassDef, SubclassInstance] = {}

    # ---- entry point ---------------------------------------------------------------------------

    def models(self) -> list[KerasModel]:
        found: list[KerasModel] = []
        env = self.globals
        try:
            self._block(self.module.body, env)
        except _Return:  # a module-level `raise`: what ran before it is read
            pass
        found.extend(self._bound_models(env, lambda value: self._depth_of(value) == 0))
        for function in self._top_functions():
            found.extend(self._function_models(function))
        for cls in self._model_classes():
            found.append(self._subclass(cls, self.subclass_usage.get(cls)))
        if self.steps > _MAX_STEPS:
            note = f"the reader stopped following the file after {_MAX_STEPS} steps: what follows is unknown"
            found = [replace(m, notes=(*m.notes, note)) for m in found]
        return _unique(found)

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
        notes: list[str] = []
        env: dict[str, Any] = {}
        init = _method(cls, "__init__")
        if init is not None:
            env = self.bind(init, usage.args if usage else [], usage.kwargs if usage else {}, skip=1)
            self.call_function(init, [], {}, env=env)
        layers: list[Layer] = []
        for key, value in env.items():
            if key.startswith("self."):
                for item in value if isinstance(value, (list, tuple)) else (value,):
                    if isinstance(item, Layer) and item not in layers:
                        layers.append(item)
        shape = _batch_shape(usage.build_shape) if usage is not None else None
        if shape is None:
            notes.append("the input shape is not given (no .build(shape) on an instance), so shapes are unknown")
        call = _method(cls, "call")
        self.seq += 1
        parameters = [*(call.args.posonlyargs or []), *(call.args.args or [])] if call is not None else []
        source = InputObj(shape, None, parameters[1].name if len(parameters) > 1 else None,
                          call.lineno if call is not None else cls.lineno, self.seq)
        outputs: list[Any] = []
        if call is None or len(parameters) < 2:
            notes.append("the class has no call(self, inputs) method to read")
        else:
            call_env = {**self.bind(call, [Tensor(source, None, shape)], {}, skip=1),
                        **{k: v for k, v in env.items() if k.startswith("self.")}}
            returned, _ = self.call_function(call, [], {}, env=call_env)
            outputs = _flat(returned)
        if any(isinstance(t, Tensor) and t.source is None for t in outputs) or any(
                not isinstance(t, Tensor) for t in outputs):
            notes.append("part of call's data flow could not be followed")
        return subclass_model(cls.name, self.file, cls.lineno, layers, source, outputs, notes)

    def _is_model(self, value: Any) -> bool:
        return isinstance(value, (SequentialObj, FunctionalObj))

    def _depth_of(self, value: Any) -> int | None:
        return next((depth for obj, depth in self.created if obj is value), None)

    def _record(self, value: Any, name: str) -> list[KerasModel]:
        if isinstance(value, SequentialObj):
            return [sequential_model(value, name, self.file)]
        return [functional_model(value, name, self.file)]

    # ---- statements ----------------------------------------------------------------------------

    def _block(self, body: list[nodes.NodeNG], env: dict[str, Any]) -> None:
        for statement in body:
            tick()
            self.steps += 1
            if self.steps > _MAX_STEPS:  # unrolled loops of inlined calls of loops...: stop, with a note
                raise _Return(UNKNOWN)
            self._statement(statement, env)

    def _statement(self, node: nodes.NodeNG, env: dict[str, Any]) -> None:
        if isinstance(node, nodes.Assign):
            value = self.ev(node.value, env)
            for target in node.targets:
                self._assign(target, value, env)
        elif isinstance(node, nodes.AnnAssign) and node.value is not None:
            self._assign(node.target, self.ev(node.value, env), env)
        elif isinstance(node, nodes.AugAssign):
            self._assign(node.target, self._binary(node.op.rstrip("="), self.ev(node.target, env),
                                                   self.ev(node.value, env)), env)
        elif isinstance(node, nodes.Expr):
            self.ev(node.value, env)
        elif isinstance(node, nodes.Return):
            raise _Return(UNKNOWN if node.value is None else self.ev(node.value, env))
        elif isinstance(node, nodes.If):
            self._if(node, env)
        elif isinstance(node, nodes.For):
            self._for(node, env)
        elif isinstance(node, nodes.With):
            self._block(node.body, env)
        elif isinstance(node, nodes.Try):  # followed as when nothing is raised
            self._block([*node.body, *node.orelse, *node.finalbody], env)
        elif isinstance(node, nodes.Raise):
            raise _Return(UNKNOWN)
        elif isinstance(node, nodes.While):
            self._opaque(node, env, "`while` loop", "its iterations are unknown")
        elif isinstance(node, (nodes.Import, nodes.ImportFrom, nodes.Pass, nodes.Global, nodes.Nonlocal,
                               nodes.FunctionDef, nodes.ClassDef, nodes.Assert)):
            return
        else:
            self._opaque(node, env, f"{type(node).__name__} statement", "not supported")

    def _assign(self, target: nodes.NodeNG, value: Any, env: dict[str, Any]) -> None:
        if isinstance(target, nodes.AssignName):
            env[target.name] = value
        elif isinstance(target, nodes.AssignAttr):
            key = _attr_key(target)
            if key:
                env[key] = value
            elif target.attrname == "trainable":  # `base.trainable = False` freezes a layer or a model
                owner = self.ev(target.expr, env)
                if isinstance(owner, (Layer, SequentialObj, FunctionalObj)):
                    owner.trainable = value if isinstance(value, bool) else None
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            items = self._unpack(value, len(target.elts))
            for element, item in zip(target.elts, items):
                self._assign(element, item, env)
        elif isinstance(target, nodes.Subscript):
            return

    def _unpack(self, value: Any, count: int) -> list[Any]:
        if isinstance(value, (tuple, list)) and len(value) == count:
            return list(value)
        if isinstance(value, Tensor) and value.shape is None and value.index is None and value.source is not None:
            # a layer whose output could not be inferred, unpacked: keep the link to the layer
            return [Tensor(value.source, i, None) for i in range(count)]
        return [UNKNOWN] * count

    def _if(self, node: nodes.If, env: dict[str, Any]) -> None:
        test = self.ev(node.test, env)
        if test is UNKNOWN or not is_literal(test):
            self._opaque(node, env, "`if`", "its condition is not a constant")
            return
        self._block(node.body if test else node.orelse, env)

    def _for(self, node: nodes.For, env: dict[str, Any]) -> None:
        items = self._iterable(node.iter, env)
        if items is None or node.orelse or any(node.nodes_of_class((nodes.Break, nodes.Continue))):
            self._opaque(node, env, "loop", f"not over at most {_MAX_UNROLL} constant values, or with break/else")
            return
        for item in items:
            self._assign(node.target, item, env)
            self._block(node.body, env)

    def _iterable(self, node: nodes.NodeNG, env: dict[str, Any]) -> list[Any] | None:
        value = self.ev(node, env)
        if isinstance(value, (tuple, list)) and len(value) <= _MAX_UNROLL:
            return list(value)
        return None

    def _opaque(self, node: nodes.NodeNG, env: dict[str, Any], what: str, why: str) -> None:
        """A statement the reader does not follow: what it assigns becomes unknown, the models it
        touches get a note."""
        reason = f"the {what} at line {node.lineno} is not followed ({why})"
        for child in node.nodes_of_class((nodes.AssignName, nodes.AssignAttr)):
            key = child.name if isinstance(child, nodes.AssignName) else _attr_key(child)
            if key and key in env:
                self._touch(env[key], reason)
            if key:
                env[key] = Tensor(None, None, None, reason)
        for call in node.nodes_of_class(nodes.Call):
            if isinstance(call.func, nodes.Attribute) and isinstance(call.func.expr, nodes.Name):
                self._touch(env.get(call.func.expr.name), reason)

    def _touch(self, value: Any, reason: str) -> None:
        if isinstance(value, SequentialObj):
            value.layers.append(UNKNOWN)
            value.notes.append(f"the layers it adds are unknown: {reason}")
        elif isinstance(value, FunctionalObj):
            value.notes.append(f"the model may be changed there: {reason}")

    # ---- expressions ---------------------------------------------------------------------------

    def ev(self, node: nodes.NodeNG, env: dict[str, Any]) -> Any:
        tick()
        if isinstance(node, nodes.Const):
            return node.value if isinstance(node.value, _LITERAL_TYPES) else UNKNOWN
        if isinstance(node, nodes.Name):
            return self._name(node, env)
        if isinstance(node, (nodes.Tuple, nodes.List)):
            items = self._elements(node.elts, env)
            if items is UNKNOWN:
                return UNKNOWN
            return tuple(items) if isinstance(node, nodes.Tuple) else items
        if isinstance(node, nodes.Dict):
            return self._dict(node, env)
        if isinstance(node, nodes.BinOp):
            return self._binary(node.op, self.ev(node.left, env), self.ev(node.right, env))
        if isinstance(node, nodes.UnaryOp):
            return self._unary(node.op, self.ev(node.operand, env))
        if isinstance(node, nodes.BoolOp):
            return self._boolean(node, env)
        if isinstance(node, nodes.Compare):
            return self._compare(node, env)
        if isinstance(node, nodes.IfExp):
            test = self.ev(node.test, env)
            if test is UNKNOWN or not is_literal(test):
                return UNKNOWN
            return self.ev(node.body if test else node.orelse, env)
        if isinstance(node, nodes.Subscript):
            return self._subscript(node, env)
        if isinstance(node, nodes.Attribute):
            key = _attr_key(node)
            return env.get(key, UNKNOWN) if key else UNKNOWN
        if isinstance(node, nodes.ListComp):
            return self._comprehension(node, env)
        if isinstance(node, nodes.JoinedStr):
            return self._f_string(node, env)
        if isinstance(node, nodes.Call):
            return self._call(node, env)
        return UNKNOWN

    def _name(self, node: nodes.Name, env: dict[str, Any]) -> Any:
        if node.name in env:
            return env[node.name]
        if node.name in self.globals:
            return self.globals[node.name]
        if node.name == "__name__":
            return "__main__"
        return UNKNOWN

    def _elements(self, elements: list[nodes.NodeNG], env: dict[str, Any]) -> list[Any] | Any:
        items: list[Any] = []
        for element in elements:
            if isinstance(element, nodes.Starred):
                value = self.ev(element.value, env)
                if not isinstance(value, (tuple, list)):
                    return UNKNOWN
                items.extend(value)
            else:
                items.append(self.ev(element, env))
        return items

    def _dict(self, node: nodes.Dict, env: dict[str, Any]) -> Any:
        result = {}
        for key, value in node.items:
            k = self.ev(key, env) if not isinstance(key, nodes.DictUnpack) else UNKNOWN
            if not isinstance(k, (str, int)):
                return UNKNOWN
            result[k] = self.ev(value, env)
        return result

    def _binary(self, op: str, left: Any, right: Any) -> Any:
        function = _BINARY.get(op)
        if function is None or not is_literal(left) or not is_literal(right) or _too_big(op, left, right):
            return UNKNOWN
        try:
            result = function(left, right)
        except Exception:  # division by zero, a str * a float...: the value is unknown
            return UNKNOWN
        return result if is_literal(result) and _small(result) else UNKNOWN

    def _unary(self, op: str, value: Any) -> Any:
        if not is_literal(value):
            return UNKNOWN
        try:
            return {"-": operator.neg, "+": operator.pos, "not": operator.not_}[op](value)
        except (KeyError, TypeError):
            return UNKNOWN

    def _boolean(self, node: nodes.BoolOp, env: dict[str, Any]) -> Any:
        result: Any = None
        for operand in node.values:
            result = self.ev(operand, env)
            if not is_literal(result):
                return UNKNOWN
            if (node.op == "and") != bool(result):
                return result
        return result

    def _compare(self, node: nodes.Compare, env: dict[str, Any]) -> Any:
        left = self.ev(node.left, env)
        for op, right_node in node.ops:
            right = self.ev(right_node, env)
            function = _COMPARE.get(op)
            if function is None or not is_literal(left) or not is_literal(right):
                return UNKNOWN
            try:
                if not function(left, right):
                    return False
            except TypeError:
                return UNKNOWN
            left = right
        return True

    def _subscript(self, node: nodes.Subscript, env: dict[str, Any]) -> Any:
        value = self.ev(node.value, env)
        if isinstance(node.slice, nodes.Slice):
            parts = [None if n is None else self.ev(n, env) for n in (node.slice.lower, node.slice.upper, node.slice.step)]
            if isinstance(value, (tuple, list)) and all(p is None or isinstance(p, int) for p in parts):
                return value[slice(*parts)]
            return UNKNOWN
        index = self.ev(node.slice, env)
        if isinstance(value, (tuple, list)) and isinstance(index, int) and -len(value) <= index < len(value):
            return value[index]
        if isinstance(value, dict) and isinstance(index, (str, int)):
            return value.get(index, UNKNOWN)
        return UNKNOWN

    def _f_string(self, node: nodes.JoinedStr, env: dict[str, Any]) -> Any:
        """f"{name}_bn": layer names are often built this way."""
        text = ""
        for part in node.values:
            if isinstance(part, nodes.Const):
                text += str(part.value)
                continue
            if not isinstance(part, nodes.FormattedValue):
                return UNKNOWN
            value = self.ev(part.value, env)
            spec = "" if part.format_spec is None else self.ev(part.format_spec, env)
            if not is_literal(value) or not isinstance(spec, str):
                return UNKNOWN
            value = {-1: value, 115: str(value), 114: repr(value), 97: ascii(value)}.get(part.conversion, UNKNOWN)
            try:
                text += format(value, spec)
            except (TypeError, ValueError):
                return UNKNOWN
        return text

    def _comprehension(self, node: nodes.ListComp, env: dict[str, Any]) -> Any:
        if len(node.generators) != 1 or node.generators[0].ifs or node.generators[0].is_async:
            return UNKNOWN
        generator = node.generators[0]
        items = self._iterable(generator.iter, env)
        if items is None:
            return UNKNOWN
        inner = dict(env)
        result = []
        for item in items:
            self._assign(generator.target, item, inner)
            result.append(self.ev(node.elt, inner))
        return result

    # ---- calls ---------------------------------------------------------------------------------

    def _call(self, node: nodes.Call, env: dict[str, Any]) -> Any:
        args, kwargs = self._arguments(node, env)
        if isinstance(node.func, nodes.Attribute):
            owner = self.ev(node.func.expr, env)
            if isinstance(owner, (SequentialObj, SubclassInstance)):
                return self._method(owner, node.func.attrname, node, args, kwargs)
            if isinstance(owner, str) and node.func.attrname == "format":  # "{}_bn".format(name)
                return _builtin(owner.format, args, kwargs)
        callee = self.ev(node.func, env)
        if isinstance(callee, Layer):
            return apply_layer(callee, args, kwargs)
        if isinstance(callee, SubclassInstance) and callee.build_shape is None and args \
                and isinstance(args[0], Tensor) and isinstance(args[0].source, InputObj):
            callee.build_shape = args[0].shape  # `model(keras.Input(shape=...))` builds a subclassed model
            self.subclass_usage.setdefault(callee.cls, callee)
        if isinstance(callee, (SequentialObj, FunctionalObj, SubclassInstance)):
            return Tensor(None, None, None, f"a model called as a layer at line {node.lineno} is not read")
        if callee is not UNKNOWN:
            return UNKNOWN
        cls = self.keras_class(node.func)
        if cls is not None:
            return self._keras(cls, node, args, kwargs)
        if isinstance(node.func, nodes.Name) and node.func.name in _BUILTINS and node.func.name not in env \
                and node.func.name not in self.module.locals:
            return _builtin(_BUILTINS[node.func.name], args, kwargs)
        return self._project_call(node, args, kwargs)

    def _arguments(self, node: nodes.Call, env: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for arg in node.args:
            if isinstance(arg, nodes.Starred):
                value = self.ev(arg.value, env)
                if isinstance(value, (tuple, list)):
                    args.extend(value)
                else:
                    kwargs["*args"] = UNKNOWN
            else:
                args.append(self.ev(arg, env))
        for keyword in node.keywords or []:
            if keyword.arg is None:
                value = self.ev(keyword.value, env)
                if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                    kwargs.update(value)
                else:
                    kwargs["**kwargs"] = UNKNOWN
            else:
                kwargs[keyword.arg] = self.ev(keyword.value, env)
        return args, kwargs

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
            owner.layers.append(entry if isinstance(entry, (Layer, InputObj)) else UNKNOWN)
        elif method == "build" and owner.input is None:
            owner.input = self._input_from_shape(shape, node, with_batch=True)
        elif method == "pop" and owner.layers:
            owner.layers.pop()
        return UNKNOWN

    def _keras(self, cls: str, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        self.seq += 1
        if cls == "Sequential":
            layers = args[0] if args else kwargs.get("layers", [])
            model = SequentialObj(list(layers) if isinstance(layers, (list, tuple)) else [UNKNOWN],
                                  node.lineno, self.seq)
            self.created.append((model, self.depth))
            return model
        if cls in _MODEL_CLASSES:
            model = FunctionalObj(_flat(args[0] if args else kwargs.get("inputs", UNKNOWN)),
                                  _flat(args[1] if len(args) > 1 else kwargs.get("outputs", UNKNOWN)), node.lineno)
            self.created.append((model, self.depth))
            return model
        if cls in ("Input", "InputLayer"):
            return self._input(cls, node, args, kwargs)
        if cls in LAYERS or cls.startswith("layers."):
            return self._layer(cls.removeprefix("layers."), node, args, kwargs)
        return UNKNOWN

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
            if name == "layer" and cls in WRAPPERS:
                continue
            value = given.pop(name, default)
            if value is REQUIRED or not is_literal(value):
                unknown.append(name)
            else:
                config[name] = literal(value)
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

    def _project_call(self, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """A call of one of the file's own top-level functions (inlined) or Model subclasses."""
        if not isinstance(node.func, nodes.Name):
            return UNKNOWN
        target = next((n for n in self.module.body if isinstance(n, (nodes.FunctionDef, nodes.ClassDef))
                       and n.name == node.func.name), None)
        if target is None or self.globals.get(target.name, UNKNOWN) is not UNKNOWN:
            return UNKNOWN
        if isinstance(target, nodes.ClassDef):
            if target in set(self._model_classes()):
                return SubclassInstance(target, args, kwargs)
            if any(keras_class(base) in _LAYER_CLASSES for base in target.bases):
                return self._layer(target.name, node, args, kwargs)  # a custom layer: listed, shape unknown
            return UNKNOWN
        if self.depth >= _MAX_CALL_DEPTH:
            return UNKNOWN
        returned, _ = self.call_function(target, args, kwargs)
        return returned

    def call_function(self, function: nodes.FunctionDef, args: list[Any], kwargs: dict[str, Any],
                      env: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Evaluate `function`'s body with its parameters bound; (its return value, its locals)."""
        env = self.bind(function, args, kwargs) if env is None else env
        self.depth += 1
        try:
            self._block(function.body, env)
            returned = UNKNOWN
        except _Return as result:
            returned = result.value
        finally:
            self.depth -= 1
        return returned, env

    def bind(self, function: nodes.FunctionDef, args: list[Any], kwargs: dict[str, Any],
             skip: int = 0) -> dict[str, Any]:
        """Parameters bound to the given arguments, or to their defaults (UNKNOWN without one)."""
        arguments = function.args
        env: dict[str, Any] = {}
        positional = [*(arguments.posonlyargs or []), *(arguments.args or [])][skip:]
        defaults = arguments.defaults or []
        first_default = len(positional) - len(defaults)
        for i, parameter in enumerate(positional):
            if i < len(args):
                env[parameter.name] = args[i]
            elif parameter.name in kwargs:
                env[parameter.name] = kwargs[parameter.name]
            elif i >= first_default:
                env[parameter.name] = self.ev(defaults[i - first_default], self.globals)
            else:
                env[parameter.name] = UNKNOWN
        for parameter, default in zip(arguments.kwonlyargs or [], arguments.kw_defaults or []):
            if parameter.name in kwargs:
                env[parameter.name] = kwargs[parameter.name]
            else:
                env[parameter.name] = UNKNOWN if default is None else self.ev(default, self.globals)
        for extra in (arguments.vararg, arguments.kwarg):
            if extra:
                env[extra] = UNKNOWN
        return env


def _builtin(function: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not all(is_literal(a) for a in [*args, *kwargs.values()]):
        return UNKNOWN
    try:
        result = function(*args, **kwargs)
    except Exception:  # int("x"), min(()): the value is unknown
        return UNKNOWN
    return UNKNOWN if result is None or not is_literal(result) else result


def _method(cls: nodes.ClassDef, name: str) -> nodes.FunctionDef | None:
    return next((n for n in cls.body if isinstance(n, nodes.FunctionDef) and n.name == name), None)


def _attr_key(node: nodes.Attribute | nodes.AssignAttr) -> str | None:
    """`self.dense` -> "self.dense" (attributes are followed on `self` only)."""
    if isinstance(node.expr, nodes.Name) and node.expr.name == "self":
        return f"self.{node.attrname}"
    return None


def _flat(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (tuple, list)):
        return list(value)
    return [value]


def _too_big(op: str, left: Any, right: Any) -> bool:
    """`10 ** 10 ** 10` or `'a' * 10 ** 9` would take the reader's time and memory: unknown."""
    if op == "**":
        return not isinstance(right, (int, float)) or abs(right) > 64
    if op == "*" and (isinstance(left, (str, tuple, list)) or isinstance(right, (str, tuple, list))):
        count = right if isinstance(left, (str, tuple, list)) else left
        return isinstance(count, int) and count > 10_000
    return False


def _small(value: Any) -> bool:
    """Keeps `10 ** 10 ** 10` and `'a' * 10 ** 9` from being computed further."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) < 10**18
    return not isinstance(value, (str, tuple, list)) or len(value) < 10_000


def _batch_shape(shape: Any) -> tuple[int | None, ...] | None:
    """A shape with its batch dim, as given to `build`."""
    if isinstance(shape, (tuple, list)) and shape and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    return None


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
