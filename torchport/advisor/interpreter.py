"""The shape interpreter: builds a model from its constructor and walks `forward` with abstract tensors.

`trace_model(cls, args, kwargs, inputs)` builds the module tree (`torchport.advisor.build`) and runs
`forward` on the given abstract inputs. Each call of a module is recorded as a `ModuleCall` (the module,
with its definition node; the call site; input and output values; the problems the catalogue found), so
that the 73xx checker can say "layer X defined at line L received shape S; the catalogue says argument A
should be V". Torch's meaning of calls, attributes, indexing and operators lives here; Python's in
`torchport.advisor.evaluator`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor import build, module_methods, shape_rules
from torchport.advisor.catalogue import Problem
from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.evaluator import Budget, Evaluator, Frame, OutOfBudget, decorator_kind
from torchport.advisor.pybuiltins import BUILTINS, MAX_SIZE, Untracked
from torchport.advisor.values import (
    RECORDS,
    ClassRef,
    FunctionRef,
    MethodRef,
    ModuleInstance,
    NameRef,
    ObjectInstance,
    ParamValue,
    SuperRef,
    TensorValue,
    clone,
)
from torchport.analysis.modules import is_module_class, is_torch_module_name

_TENSORS = (TensorValue, ParamValue)


@dataclass(eq=False)
class ModuleCall:
    """One call of a module during forward."""

    module: ModuleInstance
    node: nodes.NodeNG  # the call site
    inputs: tuple[Any, ...]
    output: Any = UNKNOWN
    errors: tuple[Problem, ...] = ()  # definite errors: torch raises on this call
    constraints: tuple[Problem, ...] = ()  # conditions on the input's symbols for the call to work


@dataclass(eq=False)
class OpCall:
    """One tensor operation (`torch.cat`, `x.view`, `a + b`) during forward."""

    name: str
    node: nodes.NodeNG | None  # the expression (None for one the interpreter makes, e.g. inside sum())
    inputs: tuple[Any, ...]
    output: Any
    errors: tuple[Problem, ...] = ()
    constraints: tuple[Problem, ...] = ()


@dataclass
class Trace:
    """What the interpreter learnt about one model."""

    root: ModuleInstance | None
    inputs: tuple[Any, ...]
    output: Any
    module_calls: list[ModuleCall] = field(default_factory=list)
    op_calls: list[OpCall] = field(default_factory=list)
    construction_errors: list[tuple[nodes.NodeNG, ModuleInstance, tuple[Problem, ...]]] = field(default_factory=list)
    notes: list[tuple[nodes.NodeNG, str]] = field(default_factory=list)  # what could not be followed
    stopped: str | None = None  # why the interpretation stopped early, if it did
    read_training: bool = False  # forward read `module.training`: the trace holds for the mode it ran in only

    def calls_by_module(self) -> dict[int, list[ModuleCall]]:
        """Each called module's calls in order, by the module's id()."""
        calls: dict[int, list[ModuleCall]] = {}
        for call in self.module_calls:
            calls.setdefault(id(call.module), []).append(call)
        return calls


class Interpreter(Evaluator):
    """Torch's semantics on top of the Python evaluator."""

    def __init__(self, budget: Budget | None = None) -> None:
        super().__init__(budget)
        # What `module.training` reads: True while building (a new Module is in training mode), then the
        # mode forward runs in; None (unknown) lets both the train() and the eval() paths be followed.
        self.training: bool | None = True
        self.training_read = False  # whether forward's path depended on `training` (set when it is read)
        self.building: list[ModuleInstance] = []  # instances whose __init__ is running
        self.module_calls: list[ModuleCall] = []
        self.op_calls: list[OpCall] = []
        self.construction_errors: list[tuple[nodes.NodeNG, ModuleInstance, tuple[Problem, ...]]] = []

    def note(self, node: nodes.NodeNG, text: str) -> None:
        if len(self.notes) < 200 and not any(n is node and t == text for n, t in self.notes):
            self.notes.append((node, text))

    def problem(self, node: nodes.NodeNG, module: ModuleInstance, errors: tuple[Problem, ...]) -> None:
        self.construction_errors.append((node, module, errors))

    # --------------------------------------------------------------------------- calls
    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG, frame: Frame) -> Any:
        if callee is UNKNOWN:  # a fifth of all calls; the base answers UNKNOWN for it too, after every test
            return UNKNOWN
        if isinstance(callee, NameRef):
            return self._call_name(callee, args, kwargs, node, frame)
        if isinstance(callee, ClassRef):
            if is_module_class(callee.classdef):
                return build.new_project_module(self, callee.classdef, args, kwargs, node)
            return build.new_object(self, callee.classdef, args, kwargs)
        if isinstance(callee, ModuleInstance):
            return self.call_module(callee, args, kwargs, node)
        if isinstance(callee, MethodRef):
            return self._call_method(callee, args, kwargs, node, frame)
        return super().call(callee, args, kwargs, node, frame)

    def _call_name(self, callee: NameRef, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG,
                   frame: Frame) -> Any:
        qname = callee.qname
        route = _route(qname)
        if route is _Route.SPECIAL:
            return _SPECIAL_CALLS[qname](self, args, kwargs, frame)
        if route is _Route.TORCH_MODULE:
            return build.new_torch_module(self, qname, args, kwargs, node)
        if route is _Route.INITIALISER:  # weight initialisation changes values, not shapes
            return args[0] if qname.endswith("_") and args else UNKNOWN
        if route is _Route.OPERATION:
            return self.operation(qname, args, kwargs, node)
        if route is _Route.UNCATALOGUED:
            if not _discarded(node, args, kwargs):
                self.note(node, f"{qname} is not in the shape catalogue: its result is unknown")
            return UNKNOWN
        result = super().call(callee, args, kwargs, node, frame)
        if route is _Route.BUILTIN:  # Python's builtins change no Module (`isinstance(m, nn.Conv2d)` is only unknown)
            return result
        if isinstance(result, Unknown) and any(isinstance(v, (*_TENSORS, ModuleInstance, ObjectInstance))
                                               for v in (*args, *kwargs.values())):
            self.note(node, f"{qname} is outside the analysed project: what it returns or changes is unknown")
            self.unfollowed_call([*args, *kwargs.values()])
        return result

    def unfollowed_call(self, arguments: list[Any]) -> None:
        """A call not followed may have registered or replaced submodules of a Module it received."""
        for value in arguments:
            if isinstance(value, ModuleInstance):
                value.complete = False
            elif isinstance(value, ObjectInstance):
                build.forget_object(value)

    def operation(self, name: str, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG | None) -> Any:
        """A catalogued tensor operation, recorded with what the catalogue found."""
        outcome = shape_rules.call_op(name, args, kwargs)
        self.op_calls.append(OpCall(name, node, tuple(args) + tuple(kwargs.values()), outcome.value, outcome.errors,
                                    outcome.constraints))
        return outcome.value

    def _call_method(self, callee: MethodRef, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG,
                     frame: Frame) -> Any:
        receiver, name = callee.receiver, callee.name
        if isinstance(receiver, ModuleInstance):
            if name in ("forward", "__call__"):
                return self.call_module(receiver, args, kwargs, node)
            return module_methods.module_method(self, receiver, name, args, kwargs, node)
        if isinstance(receiver, SuperRef):
            return self._call_super_method(receiver, name, args, kwargs, node)
        if isinstance(receiver, _TENSORS):
            return self.tensor_method(receiver, name, args, kwargs, node)
        return super().call(callee, args, kwargs, node, frame)

    def tensor_method(self, tensor: Any, name: str, args: list[Any], kwargs: dict[str, Any],
                      node: nodes.NodeNG) -> Any:
        if name == "requires_grad_" and isinstance(tensor, ParamValue):  # `self.pos.requires_grad_(False)`
            flag = args[0] if args else kwargs.get("requires_grad", True)
            tensor.trainable = flag if isinstance(flag, bool) and not self.forked else None
            return tensor
        op = f"torch.Tensor.{name}"
        if shape_rules.has_op(op):
            result = self.operation(op, [tensor, *args], kwargs, node)
        else:
            self.note(node, f"Tensor.{name} is not in the shape catalogue: its result is unknown")
            result = UNKNOWN
        if name.endswith("_") and not name.endswith("__") and not (
                isinstance(result, TensorValue) and result.shape == tensor.shape):
            raise Untracked  # an in-place change of shape (`x.unsqueeze_(1)`): the tensor itself is unknown now
        return result

    def call_module(self, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG) -> Any:
        """Run a module on abstract inputs: a torch layer by its catalogue rule, a Sequential child by child,
        a project Module by its `forward`. The call is recorded."""
        record = ModuleCall(module, node, tuple(args) + tuple(kwargs.values()))
        self.module_calls.append(record)
        if self.budget.depth >= self.budget.max_depth:
            return UNKNOWN
        self.budget.depth += 1
        try:
            record.output = self._run_module(module, args, kwargs, node, record)
        finally:
            self.budget.depth -= 1
        return record.output

    def _run_module(self, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG,
                    record: ModuleCall) -> Any:
        if module.classdef is not None:
            forward = self.class_attribute(module.classdef, "forward")
            if isinstance(forward, FunctionRef):
                return self.call_function(FunctionRef(forward.node, bound=module), args, kwargs)
        if build.container_kind(self, module) == build.SEQUENTIAL:
            return self._sequential(module, args, kwargs, node)
        if module.layer is None:  # ModuleList, ModuleDict, a layer the catalogue lacks
            return UNKNOWN
        outcome = shape_rules.call_layer(module.layer, args, kwargs)
        record.errors, record.constraints = outcome.errors, outcome.constraints
        if shape_rules.is_lazy(module.layer) and "*" in module.params and args:
            build.set_layer_params(module, shape_rules.layer_params(module.layer, args[0]))
        return outcome.value

    def _sequential(self, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG) -> Any:
        if len(args) != 1 or kwargs or not module.complete:  # children not all known: neither is the chain
            return UNKNOWN
        value = args[0]
        for child in module.children.values():
            if child is not None:
                value = self.call_module(child, [value], {}, node)
        return value

    # ------------------------------------------------------------------------ super()
    def _super(self, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
        if len(args) == 2 and isinstance(args[0], ClassRef):
            return SuperRef(args[0].classdef, args[1])
        scope = frame.scope
        if args or frame.owner is None or not isinstance(scope, nodes.FunctionDef) or not scope.args.args:
            return UNKNOWN
        found, instance = frame.find(scope.args.args[0].name)
        return SuperRef(frame.owner, instance) if found else UNKNOWN

    def _super_attribute(self, ref: SuperRef, name: str) -> Any:
        instance = ref.instance
        if not isinstance(instance, (ModuleInstance, ObjectInstance)) or instance.classdef is None:
            return UNKNOWN
        if isinstance(instance, ObjectInstance) and name == "__init__":
            return MethodRef(ref, name)  # a base's own __init__, or the one @dataclass generates
        order = self.mro(instance.classdef)
        after = next((i for i, klass in enumerate(order) if klass is ref.owner), None)
        if after is None:
            return UNKNOWN
        for klass in order[after + 1:]:
            if name in klass.locals:
                value = self.class_attribute(klass, name)
                return self.bind_method(value, instance) if isinstance(value, FunctionRef) else value
        return MethodRef(ref, name)  # torch's own method: __init__, forward, parameters...

    def _call_super_method(self, ref: SuperRef, name: str, args: list[Any], kwargs: dict[str, Any],
                           node: nodes.NodeNG) -> Any:
        instance = ref.instance
        if isinstance(instance, ObjectInstance) and name == "__init__":
            order = self.mro(instance.classdef)
            after = next((i for i, klass in enumerate(order) if klass is ref.owner), None)
            if after is None or not build.init_object(self, instance, order[after + 1:], args, kwargs):
                build.forget_object(instance)
            return None
        if not isinstance(instance, ModuleInstance) or instance.classdef is None:
            return UNKNOWN
        base = build.torch_base(self, instance.classdef)
        if name == "__init__":
            if not build.init_torch_base(self, instance, base, args, kwargs):
                instance.complete = False
            return None
        if name == "forward" and base == build.SEQUENTIAL:
            return self._sequential(instance, args, kwargs, node)
        return module_methods.module_method(self, instance, name, args, kwargs, node)

    def bind_method(self, function: FunctionRef, instance: Any) -> Any:
        """A function found on a class, as seen through an instance (staticmethod, property...)."""
        kind = decorator_kind(function.node) if isinstance(function.node, nodes.FunctionDef) else None
        if kind == "staticmethod":
            return function
        if kind == "classmethod":
            owner = function.node.parent
            return FunctionRef(function.node, bound=ClassRef(owner)) if isinstance(owner, nodes.ClassDef) else UNKNOWN
        if kind == "property":
            return self.call_function(FunctionRef(function.node, bound=instance), [], {})
        return FunctionRef(function.node, bound=instance)

    # ---------------------------------------------------------------------- attributes
    def get_attribute(self, value: Any, name: str, node: nodes.NodeNG) -> Any:
        if value is UNKNOWN:  # an eighth of all reads; the base answers UNKNOWN for it too, after every test
            return UNKNOWN
        if isinstance(value, ModuleInstance):
            return build.module_attribute(self, value, name)
        if isinstance(value, _TENSORS):
            return self.tensor_attribute(value, name, node)
        if isinstance(value, SuperRef):
            return self._super_attribute(value, name)
        if isinstance(value, ObjectInstance):
            return build.object_attribute(self, value, name)
        return super().get_attribute(value, name, node)

    def tensor_attribute(self, tensor: Any, name: str, node: nodes.NodeNG) -> Any:
        if name == "requires_grad" and isinstance(tensor, ParamValue):
            return UNKNOWN if tensor.trainable is None else tensor.trainable
        if name in _TENSOR_PROPERTIES:
            return UNKNOWN
        if name in _TENSOR_SHAPE_PROPERTIES:
            return self.operation(f"torch.Tensor.{name}", [tensor], {}, node)
        return MethodRef(tensor, name)

    def delete_attribute(self, target: Any, name: str, node: nodes.NodeNG) -> None:
        if isinstance(target, ModuleInstance):
            build.delete_module_attribute(self, target, name)
        elif isinstance(target, ObjectInstance):
            build.set_object_attribute(self, target, name, UNKNOWN)

    def delete_item(self, container: Any, index: Any) -> bool:
        if isinstance(container, ModuleInstance):
            module_methods.delete_item(self, container, index)
            return True
        return super().delete_item(container, index)

    def set_attribute(self, target: Any, name: str, value: Any, node: nodes.NodeNG) -> None:
        if isinstance(target, ModuleInstance):
            build.set_module_attribute(self, target, name, value, node)
        elif isinstance(target, ObjectInstance):
            build.set_object_attribute(self, target, name, value)
        elif isinstance(target, ParamValue) and name == "requires_grad":
            target.trainable = value if isinstance(value, bool) and not self.forked else None

    # ------------------------------------------------------------------- items, loops
    def get_item(self, value: Any, index: Any, node: nodes.NodeNG) -> Any:
        if isinstance(value, ModuleInstance):
            return module_methods.container_item(self, value, index)
        if isinstance(value, _TENSORS):
            return self.tensor_item(value, index, node)
        return super().get_item(value, index, node)

    def tensor_item(self, tensor: Any, index: Any, node: nodes.NodeNG) -> Any:
        return self.operation("operator.getitem", [tensor, index], {}, node)

    def set_item(self, container: Any, index: Any, value: Any, node: nodes.NodeNG, frame: Frame) -> None:
        if isinstance(container, ModuleInstance):
            module_methods.module_method(self, container, "__setitem__", [index, value], {}, node)
        elif isinstance(container, _TENSORS):
            return  # writing into a tensor keeps its shape
        else:
            super().set_item(container, index, value, node, frame)

    def iterate(self, value: Any) -> list[Any] | None:
        if isinstance(value, ModuleInstance):
            return module_methods.container_items(self, value)
        if isinstance(value, _TENSORS):
            shape = value.shape
            if isinstance(shape, Unknown) or not shape or not isinstance(shape[0], int) or shape[0] > MAX_SIZE:
                return None
            return [TensorValue(tuple(shape[1:]))] * shape[0]
        return super().iterate(value)

    def element(self, iterable: Any) -> Any:
        if isinstance(iterable, _TENSORS) and not isinstance(iterable.shape, Unknown) and iterable.shape:
            return TensorValue(tuple(iterable.shape[1:]))
        return UNKNOWN

    def length(self, value: Any) -> Any:
        if isinstance(value, ModuleInstance):
            return module_methods.module_method(self, value, "__len__", [], {}, value.node)
        if isinstance(value, _TENSORS):
            return value.shape[0] if not isinstance(value.shape, Unknown) and value.shape else UNKNOWN
        return super().length(value)

    # ------------------------------------------------------------------------ operators
    def binary(self, op: str, left: Any, right: Any, node: nodes.NodeNG | None = None) -> Any:
        if isinstance(left, _TENSORS) or isinstance(right, _TENSORS):
            name = _OPERATORS.get(op)
            return self.operation(f"operator.{name}", [left, right], {}, node) if name else UNKNOWN
        return super().binary(op, left, right, node)

    def compare(self, op: str, left: Any, right: Any, node: nodes.NodeNG | None = None) -> Any:
        if op not in ("is", "is not", "in", "not in") and (isinstance(left, _TENSORS) or isinstance(right, _TENSORS)):
            return self.binary(op, left, right, node)
        return super().compare(op, left, right, node)

    def unary(self, op: str, operand: Any, node: nodes.NodeNG | None = None) -> Any:
        if isinstance(operand, _TENSORS):
            name = {"-": "neg", "+": "pos", "~": "invert"}.get(op)
            return self.operation(f"operator.{name}", [operand], {}, node) if name else UNKNOWN
        return super().unary(op, operand, node)

    def inplace(self, op: str, current: Any, value: Any, node: nodes.NodeNG) -> Any:
        if isinstance(current, ModuleInstance) and op == "+":
            module_methods.module_method(self, current, "extend", [value], {}, node)
            return current
        if isinstance(current, _TENSORS) and f"i{_OPERATORS.get(op)}" in _INPLACE:
            return self.operation(f"operator.i{_OPERATORS[op]}", [current, value], {}, node)
        return super().inplace(op, current, value, node)


def _discarded(node: nodes.NodeNG, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Whether an unknown call changes nothing the summary shows: its result is thrown away and it receives
    no tensor or Module (`torch._C._log_api_usage_once(name)`)."""
    return isinstance(node.parent, nodes.Expr) and not _holds_model_values([*args, *kwargs.values()])


def _holds_model_values(value: Any) -> bool:
    """Whether a value is, or contains, a tensor, parameter or Module (an unknown value is unknown already)."""
    if isinstance(value, (list, tuple)):
        return any(_holds_model_values(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_model_values(v) for v in value.values())
    return isinstance(value, (*_TENSORS, ModuleInstance))


def _special_super(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    return ev._super(args, kwargs, frame)


def _special_parameter(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    return build.make_parameter(args, kwargs)


def _special_getattr(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    if len(args) not in (2, 3) or not isinstance(args[1], str):
        return UNKNOWN
    value = ev.get_attribute(args[0], args[1], frame.scope)
    if isinstance(value, MethodRef) and isinstance(args[0], ModuleInstance) and len(args) == 3 \
            and not module_methods.is_module_method(args[1]):
        return args[2]  # no such attribute: the default
    return value


def _special_hasattr(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    if len(args) != 2 or not isinstance(args[1], str) or not isinstance(args[0], ModuleInstance):
        return UNKNOWN
    module, name = args[0], args[1]
    if name in module.attrs or name in module.children or name in module.params:
        return True
    return UNKNOWN


def _special_setattr(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    if len(args) == 3 and isinstance(args[1], str):
        ev.set_attribute(args[0], args[1], args[2], frame.scope)
    elif args and isinstance(args[0], ModuleInstance):
        args[0].complete = False
    return None


def _special_isinstance(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    """`isinstance` where torch classes are involved (`isinstance(x, Tensor)`), else Python's."""
    if len(args) == 2 and not kwargs:
        if isinstance(args[0], ObjectInstance):
            known = _object_isinstance(ev, args[0], args[1])
        else:
            known = _torch_isinstance(args[0], args[1])
        if known is not None:
            return known
    return BUILTINS["builtins.isinstance"](ev, args, kwargs)


def _torch_isinstance(value: Any, classes: Any) -> bool | None:
    """True/False when it is certain without torch's class hierarchy; None otherwise."""
    classes = classes if isinstance(classes, tuple) else (classes,)
    if not classes or not all(isinstance(c, NameRef) for c in classes):
        return None
    names = {c.qname for c in classes}
    if isinstance(value, _TENSORS):
        if names & _TENSOR_CLASSES:
            return True
        return False if all(n.startswith("builtins.") for n in names) else None
    if isinstance(value, ModuleInstance):
        return True if "torch.nn.Module" in names or value.type_name in names else None
    if names <= _TENSOR_CLASSES and (value is None or type(value) in (int, float, str, bool, list, tuple, dict)):
        return False
    return None


def _object_isinstance(ev: Interpreter, value: ObjectInstance, classes: Any) -> bool | None:
    """`isinstance(obj, classes)` for a plain project object, whose whole MRO is in the project."""
    classes = classes if isinstance(classes, tuple) else (classes,)
    if not classes or not all(isinstance(c, (ClassRef, NameRef)) for c in classes):
        return None
    order = ev.mro(value.classdef)
    if any(isinstance(c, ClassRef) and any(k is c.classdef for k in order) for c in classes):
        return True
    if any(isinstance(c, NameRef) and c.qname == "builtins.object" for c in classes):
        return True
    return False if all(isinstance(c, ClassRef) or c.qname.startswith("builtins.") for c in classes) else None


def _special_copy(ev: Interpreter, args: list[Any], kwargs: dict[str, Any], frame: Frame) -> Any:
    """`copy.copy(x)`: a plain object's attributes, a list's or dict's items, in a new container."""
    if len(args) != 1 or kwargs:
        return UNKNOWN
    value = args[0]
    if isinstance(value, ObjectInstance):
        return ObjectInstance(value.classdef, dict(value.attrs), value.known)
    return type(value)(value) if isinstance(value, (list, dict)) else UNKNOWN


_SPECIAL_CALLS = {
    "copy.copy": _special_copy,
    "builtins.isinstance": _special_isinstance,
    "torch.jit.is_scripting": lambda ev, args, kwargs, frame: False,  # the summary is of an eager run
    "torch.jit.is_tracing": lambda ev, args, kwargs, frame: False,
    "torch.compiler.is_compiling": lambda ev, args, kwargs, frame: False,
    "builtins.super": _special_super,
    "builtins.getattr": _special_getattr,
    "builtins.hasattr": _special_hasattr,
    "builtins.setattr": _special_setattr,
    "torch.nn.Parameter": _special_parameter,
}


class _Route(enum.Enum):
    """How `Interpreter._call_name` follows a call of a name outside the project (a function of the name)."""

    SPECIAL = "a call of `_SPECIAL_CALLS`"
    TORCH_MODULE = "a torch Module class: a new ModuleInstance"
    INITIALISER = "a weight initialiser of `_INITIALISERS`"
    OPERATION = "an operation of the shape catalogue"
    UNCATALOGUED = "any other name of torch: unknown"
    BUILTIN = "a Python builtin, run by the evaluator"
    OTHER = "anything else: the evaluator's library calls, else unknown"


@functools.lru_cache(maxsize=8192)
def _route(qname: str) -> _Route:
    """The route of a call of `qname`, in the order `_call_name` tried them (memoised: a model zoo makes
    hundreds of thousands of such calls, of a few thousand names)."""
    if qname in _SPECIAL_CALLS:
        return _Route.SPECIAL
    if is_torch_module_name(qname):
        return _Route.TORCH_MODULE
    if qname.startswith(_INITIALISERS):
        return _Route.INITIALISER
    if shape_rules.has_op(qname):
        return _Route.OPERATION
    if qname.startswith("torch."):
        return _Route.UNCATALOGUED
    return _Route.BUILTIN if qname in BUILTINS else _Route.OTHER


# What `isinstance(value, torch.Tensor)` is true of: the interpreter's tensors and parameters.
_TENSOR_CLASSES = frozenset({"torch.Tensor"})
# Weight initialisers: the in-place ones (`kaiming_normal_`) return their tensor argument.
_INITIALISERS = ("torch.nn.init.",)
# Tensor attributes that are not shapes: known to exist, their values unknown.
_TENSOR_PROPERTIES = frozenset({"device", "dtype", "is_cuda", "grad", "data", "layout", "names"})
# Tensor attributes that are operations of the catalogue (`x.shape`, `x.T`).
_TENSOR_SHAPE_PROPERTIES = frozenset({"shape", "ndim", "T", "mT", "H", "mH"})
# Python operator -> its name in the `operator` module, as the catalogue names operations.
_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
              "@": "matmul", "&": "and_", "|": "or_", "^": "xor", "==": "eq", "!=": "ne", "<": "lt", "<=": "le",
              ">": "gt", ">=": "ge"}
_INPLACE = frozenset({"iadd", "isub", "imul", "itruediv"})


class ModelBuild:
    """A model class built once with given constructor arguments, then traced on as many inputs as asked:
    `__init__` is most of the work, and choosing the inputs needs the built model and a probing run. Each
    trace runs forward on its own copy of the built interpreter state (budget spent, constants evaluated,
    calls and notes recorded, the module tree), so it is exactly what a fresh build followed by that
    forward gives. The build happens at the first trace."""

    def __init__(self, cls: nodes.ClassDef, args: list[Any], kwargs: dict[str, Any], budget: Budget | None = None):
        self.cls = cls
        self._args, self._kwargs, self._budget = list(args), dict(kwargs), budget
        self._built: tuple[Interpreter, ModuleInstance | None, str | None] | None = None
        self._forwards: list[tuple[tuple[Any, ...], bool | None, Trace]] = []

    def trace(self, inputs: list[Any] | None, training: bool | None = None, last: bool = False) -> Trace:
        """Run forward on `inputs` (None: the model as built) in training mode, in eval mode
        (`training=False`) or in either (None: both paths followed). `last`: no trace follows, so forward
        may run on the built state itself. Never raises for any source. A forward already run on equal
        inputs is not run again when it ran in the same mode or never read `module.training` (the plugin
        probes in eval mode, then checks in either mode on the same unknown inputs)."""
        if inputs is not None:
            for given, mode, earlier in self._forwards:
                if given == tuple(inputs) and (mode == training or not earlier.read_training):
                    return earlier
        if self._built is None:
            self._built = _build(self.cls, self._args, self._kwargs, self._budget)
        ev, root, stopped = self._built
        if inputs is not None and stopped is None and root is not None:
            if last:
                self._built = None  # its state is forward's now
            else:
                ev, root = _copy_state(ev, root)
            ev.training, ev.training_read = training, False
            output, stopped = _guarded(lambda: ev.call_module(root, list(inputs), {}, self.cls))
        else:
            output = UNKNOWN
        found = Trace(root, tuple(inputs or ()), output, ev.module_calls, ev.op_calls, ev.construction_errors,
                      ev.notes, stopped, ev.training_read)
        if inputs is not None and not last:
            self._forwards.append((tuple(inputs), training, found))
        return found


def _build(cls: nodes.ClassDef, args: list[Any], kwargs: dict[str, Any], budget: Budget | None
           ) -> tuple[Interpreter, ModuleInstance | None, str | None]:
    """Run the constructor: the interpreter's state, the root module and why the build stopped, if it did."""
    ev = Interpreter(budget)
    built, stopped = _guarded(lambda: build.new_project_module(ev, cls, list(args), dict(kwargs), cls))
    return ev, built if isinstance(built, ModuleInstance) else None, stopped


def _guarded(step: Callable[[], Any]) -> tuple[Any, str | None]:
    """The step's result (UNKNOWN when it stopped) and why it stopped, if it did."""
    try:
        return step(), None
    except OutOfBudget as error:
        return UNKNOWN, f"stopped: {error}"
    except RecursionError:
        return UNKNOWN, "stopped: the source nests too deeply"
    except Exception as error:  # noqa: BLE001 - a bug of torchport must not lose the other models' summaries
        return UNKNOWN, f"stopped by an internal error (please report it): {type(error).__name__}: {error}"


# What a copy of the interpreter's state copies, besides containers: values.RECORDS and the running state.
_STATE_RECORDS = RECORDS | {Budget, Frame, ModuleCall, OpCall}


def _copy_state(ev: Interpreter, root: ModuleInstance) -> tuple[Interpreter, ModuleInstance]:
    """An independent copy of the interpreter and the module tree, aliasing kept."""
    memo: dict[int, Any] = {}
    copied = Interpreter.__new__(Interpreter)
    for name, value in vars(ev).items():
        setattr(copied, name, clone(value, memo, _STATE_RECORDS))
    return copied, clone(root, memo, _STATE_RECORDS)


def trace_model(cls: nodes.ClassDef, args: list[Any], kwargs: dict[str, Any], inputs: list[Any] | None,
                budget: Budget | None = None, training: bool | None = None) -> Trace:
    """Build `cls(*args, **kwargs)` and run its forward on `inputs` (None: build only) in training mode,
    in eval mode (`training=False`: after `model.eval()`) or in either (None: `self.training` unknown,
    both paths followed). Never raises for any source."""
    return ModelBuild(cls, args, kwargs, budget).trace(inputs, training, last=True)
