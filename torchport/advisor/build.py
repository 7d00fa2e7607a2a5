"""Model building: the Module objects a constructor call creates, registered as torch registers them.

A torch layer becomes a `ModuleInstance` with its constructor arguments bound by the catalogue; a project
Module class runs its `__init__` in the interpreter with `self` bound to a fresh instance. Attribute
assignment follows `nn.Module.__setattr__` (a Module becomes a child, an `nn.Parameter` a parameter, in
assignment order), and the containers (`nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`,
`nn.ParameterList`, `nn.ParameterDict`) name their children as torch does, so `named_modules()` spells
the same qualified names (`features.0`, `layer1.0.conv1`, ModuleDict keys).

What cannot be followed makes the instance incomplete (its parameter counts become unknown); it never
raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from astroid import nodes

from torchport.advisor import shape_rules
from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.values import FunctionRef, MethodRef, ModuleInstance, ObjectInstance, ParamValue, TensorValue
from torchport.analysis.modules import is_torch_module_name, project_class
from torchport.analysis.names import qualified_name

if TYPE_CHECKING:
    from torchport.advisor.interpreter import Interpreter

SEQUENTIAL = "torch.nn.Sequential"
MODULE_LIST = "torch.nn.ModuleList"
MODULE_DICT = "torch.nn.ModuleDict"
PARAMETER_LIST = "torch.nn.ParameterList"
PARAMETER_DICT = "torch.nn.ParameterDict"
CONTAINERS = frozenset({SEQUENTIAL, MODULE_LIST, MODULE_DICT, PARAMETER_LIST, PARAMETER_DICT})
# Bases whose constructor registers nothing.
PLAIN_BASES = frozenset({"torch.nn.Module", "lightning.LightningModule", "torch.jit.ScriptModule"})

# ---------------------------------------------------------------------------------- creation

def new_torch_module(ev: Interpreter, qname: str, args: list[Any], kwargs: dict[str, Any],
                     node: nodes.NodeNG) -> Any:
    """`nn.<Layer>(...)` or a container: a new ModuleInstance."""
    module = ModuleInstance(qname, node)
    if qname in CONTAINERS:
        if not _fill_container(ev, module, args, kwargs):
            module.complete = False
        return module
    if qname in PLAIN_BASES:
        return module
    layer = shape_rules.build_layer(qname, args, kwargs)
    if layer is None:
        module.complete = False
        ev.note(node, f"{module.short_type} is not in the shape catalogue: its shapes and parameters are unknown")
        return module
    module.layer = layer
    module.args = shape_rules.layer_arguments(layer)
    errors = shape_rules.layer_errors(layer)
    if errors:
        ev.problem(node, module, errors)
        module.complete = False
        return module
    count = None if shape_rules.is_lazy(layer) else shape_rules.layer_params(layer)
    set_layer_params(module, count)
    return module


def set_layer_params(module: ModuleInstance, count: int | None) -> None:
    """A torch layer's parameters, as one aggregate; a count of None (unknown) keeps the total unknown."""
    module.params = {"*": ParamValue(UNKNOWN if count is None else (count,))} if count != 0 else {}


def new_project_module(ev: Interpreter, cls: nodes.ClassDef, args: list[Any], kwargs: dict[str, Any],
                       node: nodes.NodeNG) -> Any:
    """An instance of a project Module class, built by running its `__init__`."""
    module = ModuleInstance(cls.qname(), node, classdef=cls)
    init = ev.class_attribute(cls, "__init__")
    ev.building.append(module)
    try:
        if isinstance(init, FunctionRef):
            result = ev.call_function(FunctionRef(init.node, bound=module), args, kwargs)
            if result is not None:  # the arguments did not fit, or the call went too deep
                module.complete = False
        elif not init_torch_base(ev, module, torch_base(ev, cls), args, kwargs):
            module.complete = False
    finally:
        ev.building.pop()
    return module


def init_torch_base(ev: Interpreter, module: ModuleInstance, base: str | None, args: list[Any],
                    kwargs: dict[str, Any]) -> bool:
    """Run a torch base class's constructor on a project instance (`super().__init__(...)`)."""
    if base in PLAIN_BASES:
        return True
    if base in CONTAINERS:
        return _fill_container(ev, module, args, kwargs)
    return False  # deriving from a torch layer: its registrations are not modelled


def torch_base(ev: Interpreter, cls: nodes.ClassDef) -> str | None:
    """The torch class a project Module class derives from (`torch.nn.Module`, `torch.nn.Sequential`...)."""
    for klass in ev.mro(cls):
        for base in klass.bases:
            name = qualified_name(base)
            if is_torch_module_name(name):
                return name
    return None


def make_parameter(args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`nn.Parameter(tensor, requires_grad=True)`."""
    data = args[0] if args else kwargs.get("data", UNKNOWN)
    requires_grad = args[1] if len(args) > 1 else kwargs.get("requires_grad", True)
    shape = data.shape if isinstance(data, (TensorValue, ParamValue)) else UNKNOWN
    trainable = requires_grad if isinstance(requires_grad, bool) else None
    return ParamValue(shape, trainable)


# ------------------------------------------------------------------------- plain objects

def new_object(ev: Interpreter, cls: nodes.ClassDef, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """An instance of a plain (not Module) project class, built by its `__init__` or by the one
    `@dataclass` generates; UNKNOWN when its construction is not plain Python of the project."""
    order = ev.mro(cls)
    if not all(_plain_class(klass, order) for klass in order):
        return UNKNOWN
    instance = ObjectInstance(cls)
    return instance if init_object(ev, instance, order, args, kwargs) else UNKNOWN


def init_object(ev: Interpreter, instance: ObjectInstance, classes: list[nodes.ClassDef], args: list[Any],
                kwargs: dict[str, Any]) -> bool:
    """Run the `__init__` the first of `classes` (a tail of the MRO) provides; False when not followed."""
    for i, klass in enumerate(classes):
        if "__init__" in klass.locals:
            init = ev.class_attribute(klass, "__init__")
            return isinstance(init, FunctionRef) and \
                ev.call_function(FunctionRef(init.node, bound=instance), args, kwargs) is None
        if _dataclass_options(klass) is not None:
            return _dataclass_init(ev, instance, classes[i:], args, kwargs)
    return not args and not kwargs  # object.__init__


def _dataclass_init(ev: Interpreter, instance: ObjectInstance, classes: list[nodes.ClassDef], args: list[Any],
                    kwargs: dict[str, Any]) -> bool:
    """The `__init__` of a dataclass: its fields (those of dataclass bases first) from the arguments or
    their defaults, then `__post_init__`."""
    fields: dict[str, nodes.AssignName] = {}
    for klass in reversed(classes):
        if _dataclass_options(klass) is not None:
            for statement in klass.body:
                if isinstance(statement, nodes.AnnAssign) and isinstance(statement.target, nodes.AssignName) \
                        and "ClassVar" not in statement.annotation.as_string():
                    fields[statement.target.name] = statement.target
    names = list(fields)
    if len(args) > len(names) or set(kwargs) - set(names[len(args):]):
        return False
    values = dict(zip(names, args))
    for name in names[len(args):]:
        if name in kwargs:
            values[name] = kwargs[name]
        elif fields[name].parent.value is not None and not isinstance(fields[name].parent.value, nodes.Call):
            values[name] = ev.static_binding(fields[name])
        else:
            return False  # a missing argument, or `field(...)`
    instance.attrs.update(values)
    post_init = ev.class_attribute(classes[0], "__post_init__") if any(
        "__post_init__" in klass.locals for klass in classes) else None
    if post_init is None:
        return True
    return isinstance(post_init, FunctionRef) and \
        ev.call_function(FunctionRef(post_init.node, bound=instance), [], {}) is None


def _dataclass_options(klass: nodes.ClassDef) -> dict[str, Any] | None:
    """The keyword options of a class's `@dataclass(...)` decorator, None when it has none."""
    for decorator in klass.decorators.nodes if klass.decorators else ():
        call = decorator if isinstance(decorator, nodes.Call) else None
        if qualified_name(call.func if call else decorator) == "dataclasses.dataclass":
            return {k.arg: k.value for k in call.keywords or ()} if call else {}
    return None


def _plain_class(klass: nodes.ClassDef, order: list[nodes.ClassDef]) -> bool:
    """Whether instances of the class behave as the interpreter models objects: bases all in the
    project (or `object`), no metaclass, no decorator but a plain `@dataclass`, no custom attribute
    access or allocation."""
    if klass.keywords or any(name in klass.locals for name in _CUSTOM_OBJECT_METHODS):
        return False
    for base in klass.bases:
        name = qualified_name(base)
        found = project_class(name, base) if name and name != "builtins.object" else None
        if name != "builtins.object" and not any(k is found for k in order):
            return False
    decorators = klass.decorators.nodes if klass.decorators else []
    options = _dataclass_options(klass)
    return len(decorators) == (options is not None) and set(options or ()) <= _DATACLASS_OPTIONS


# Methods that make attribute access or construction differ from what the interpreter models.
_CUSTOM_OBJECT_METHODS = ("__new__", "__getattr__", "__getattribute__", "__setattr__", "__delattr__",
                          "__init_subclass__", "__class_getitem__")
# `@dataclass(...)` options that keep the generated `__init__` as modelled (not init=False, kw_only...).
_DATACLASS_OPTIONS = frozenset({"frozen", "eq", "repr", "order", "unsafe_hash"})


def object_attribute(ev: Interpreter, instance: ObjectInstance, name: str) -> Any:
    """`obj.name`: its instance attributes, then its class's (methods bound, properties run)."""
    if name in instance.attrs:
        return instance.attrs[name]
    value = ev.class_attribute(instance.classdef, name)
    if isinstance(value, FunctionRef):
        return ev.bind_method(value, instance)
    return value if instance.known else UNKNOWN


def set_object_attribute(ev: Interpreter, instance: ObjectInstance, name: str, value: Any) -> None:
    """`obj.name = value`; on one of several possible paths the attribute becomes unknown."""
    instance.attrs[name] = UNKNOWN if ev.forked else value


def forget_object(instance: ObjectInstance) -> None:
    """Code not followed may have changed the object: every attribute is unknown from now on."""
    instance.known = False
    for name in instance.attrs:
        instance.attrs[name] = UNKNOWN


# ------------------------------------------------------------------------------ containers

def _fill_container(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """A container's constructor: positional modules or an OrderedDict (Sequential), an iterable of
    modules (ModuleList), a mapping or pairs (ModuleDict). False when the arguments are not understood."""
    kind = container_kind(ev, module)
    if kwargs:
        return False
    if kind == SEQUENTIAL:
        if len(args) == 1 and isinstance(args[0], dict):
            return all(_add_child(module, str(k), v) for k, v in args[0].items())
        return all(_add_child(module, str(i), v) for i, v in enumerate(args))
    if len(args) > 1:
        return False
    if kind in (MODULE_DICT, PARAMETER_DICT):
        items = pairs(ev, args[0]) if args else []
        return items is not None and all(add_entry(module, kind, str(k), v) for k, v in items)
    items = ev.iterate(args[0]) if args else []
    return items is not None and all(add_entry(module, kind, str(i), v) for i, v in enumerate(items))


def pairs(ev: Interpreter, value: Any) -> list[tuple[Any, Any]] | None:
    """The (key, value) pairs of a dict, a ModuleDict or an iterable of pairs; None when unknown."""
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, ModuleInstance) and value.type_name == MODULE_DICT:
        return list(value.children.items())
    items = ev.iterate(value)
    if items is None or not all(isinstance(i, (tuple, list)) and len(i) == 2 for i in items):
        return None
    return [tuple(i) for i in items]  # type: ignore[misc]


def add_entry(module: ModuleInstance, kind: str | None, key: str, value: Any) -> bool:
    """Register one entry of a container: a parameter for the Parameter containers, else a module."""
    if kind in (PARAMETER_LIST, PARAMETER_DICT):
        if isinstance(value, (ParamValue, TensorValue)):
            module.params[key] = value if isinstance(value, ParamValue) else ParamValue(value.shape)
            return True
        return False
    return _add_child(module, key, value)


def _add_child(module: ModuleInstance, key: str, value: Any) -> bool:
    if isinstance(value, ModuleInstance):
        module.children[key] = value
        return True
    return False


def container_kind(ev: Interpreter, module: ModuleInstance) -> str | None:
    """Which torch container a module is (or derives from), if any."""
    if module.type_name in CONTAINERS:
        return module.type_name
    if module.classdef is not None:
        base = torch_base(ev, module.classdef)
        return base if base in CONTAINERS else None
    return None


# ----------------------------------------------------------------------------- attributes

def set_module_attribute(ev: Interpreter, module: ModuleInstance, name: str, value: Any,
                         node: nodes.NodeNG) -> None:
    """`module.name = value` as `nn.Module.__setattr__` does it. On one of several possible paths, or
    with a value that may be a Module the interpreter does not know, which children and parameters
    the module holds is no longer known: it becomes incomplete rather than guessed."""
    if module.layer is not None and not isinstance(value, (int, float, str, type(None))):
        module.complete = False  # a torch layer's own parameter replaced or tied (`decoder.weight = ...`)
        module.attrs[name] = UNKNOWN
    elif ev.forked or isinstance(value, Unknown):
        registered = name in module.children or name in module.params
        may_register = isinstance(value, (ModuleInstance, ParamValue)) or (
            isinstance(value, Unknown) and _may_be_module(node) and any(module is m for m in ev.building))
        if registered or may_register:
            module.complete = False
            module.children.pop(name, None)
            module.params.pop(name, None)
        module.attrs[name] = UNKNOWN
    elif isinstance(value, ModuleInstance):
        module.params.pop(name, None)
        module.attrs.pop(name, None)
        module.children[name] = value
    elif isinstance(value, ParamValue):
        module.children.pop(name, None)
        module.attrs.pop(name, None)
        module.params[name] = value
    elif value is None and name in module.children:
        module.children[name] = None  # kept in place, skipped by named_modules()
    elif value is None and name in module.params:
        del module.params[name]
    else:
        module.attrs[name] = value


def delete_module_attribute(ev: Interpreter, module: ModuleInstance, name: str) -> None:
    """`del module.name`: a child, parameter or attribute is gone (on one possible path only: unknown)."""
    if ev.forked and (name in module.children or name in module.params):
        module.complete = False
    module.children.pop(name, None)
    module.params.pop(name, None)
    module.attrs.pop(name, None)


def _may_be_module(node: nodes.NodeNG) -> bool:
    """Whether the expression assigned by this target could produce a Module (arithmetic cannot)."""
    statement = node.parent
    value = statement.value if isinstance(statement, (nodes.Assign, nodes.AnnAssign)) else None
    return not isinstance(value, (nodes.BinOp, nodes.Const, nodes.Compare, nodes.UnaryOp, nodes.JoinedStr,
                                  nodes.BoolOp))


def module_attribute(ev: Interpreter, module: ModuleInstance, name: str) -> Any:
    """`module.name`: instance attributes, then the class (methods, properties, constants), then
    children and parameters, as Python and `nn.Module.__getattr__` look them up."""
    if name in module.attrs:
        return module.attrs[name]
    if module.classdef is not None:
        value = ev.class_attribute(module.classdef, name)
        if isinstance(value, FunctionRef):
            return ev.bind_method(value, module)
        if not isinstance(value, Unknown):
            return value
    if name in module.children:
        return module.children[name]
    if name in module.params:
        return module.params[name]
    if name == "training":
        ev.training_read = True
        return UNKNOWN if ev.training is None else ev.training  # see `Interpreter.training`
    if module.layer is not None:
        value = shape_rules.layer_attribute(module.layer, name)
        if not isinstance(value, Unknown):
            return value
    return MethodRef(module, name)
