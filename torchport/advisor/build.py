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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from astroid import nodes

from torchport.advisor import shape_rules
from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.values import FunctionRef, MethodRef, ModuleInstance, ParamValue, TensorValue
from torchport.analysis.modules import is_torch_module_name
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
# Methods that return the module itself and change nothing the summary shows.
_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval", "apply",
                           "type", "share_memory", "zero_grad", "requires_grad_"})


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


# ------------------------------------------------------------------------------ containers

def _fill_container(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> bool:
    kind = module.type_name if module.type_name in CONTAINERS else torch_base(ev, module.classdef) \
        if module.classdef is not None else None
    if kwargs:
        return False
    if kind == SEQUENTIAL:
        if len(args) == 1 and isinstance(args[0], dict):
            return all(_add_child(module, str(k), v) for k, v in args[0].items())
        return all(_add_child(module, str(i), v) for i, v in enumerate(args))
    if len(args) > 1:
        return False
    if kind in (MODULE_DICT, PARAMETER_DICT):
        items = _pairs(ev, args[0]) if args else []
        return items is not None and all(_add_entry(module, kind, str(k), v) for k, v in items)
    items = ev.iterate(args[0]) if args else []
    return items is not None and all(_add_entry(module, kind, str(i), v) for i, v in enumerate(items))


def _pairs(ev: Interpreter, value: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, ModuleInstance) and value.type_name == MODULE_DICT:
        return list(value.children.items())
    items = ev.iterate(value)
    if items is None or not all(isinstance(i, (tuple, list)) and len(i) == 2 for i in items):
        return None
    return [tuple(i) for i in items]  # type: ignore[misc]


def _add_entry(module: ModuleInstance, kind: str | None, key: str, value: Any) -> bool:
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
    """`module.name = value` as `nn.Module.__setattr__` does it."""
    uncertain = ev.forked > 0 or (isinstance(value, Unknown) and _may_be_module(node))
    if uncertain and (isinstance(value, (ModuleInstance, ParamValue, Unknown)) or name in module.children
                      or name in module.params):
        if any(module is m for m in ev.building) or name in module.children or name in module.params \
                or isinstance(value, (ModuleInstance, ParamValue)):
            module.complete = False
        module.children.pop(name, None)
        module.params.pop(name, None)
        module.attrs[name] = UNKNOWN
        return
    if isinstance(value, ModuleInstance):
        module.params.pop(name, None)
        module.attrs.pop(name, None)
        module.children[name] = value
    elif isinstance(value, ParamValue):
        module.children.pop(name, None)
        module.attrs.pop(name, None)
        module.params[name] = value
    elif value is None and name in module.children:
        module.children[name] = None
    elif value is None and name in module.params:
        del module.params[name]
    else:
        module.attrs[name] = value if not ev.forked else UNKNOWN


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
        return UNKNOWN  # train() or eval(): either may hold when forward runs
    if module.layer is not None:
        value = shape_rules.layer_attribute(module.layer, name)
        if not isinstance(value, Unknown):
            return value
    return MethodRef(module, name)


# --------------------------------------------------------------------------------- methods

def module_method(ev: Interpreter, module: ModuleInstance, name: str, args: list[Any], kwargs: dict[str, Any],
                  node: nodes.NodeNG) -> Any:
    """Methods of `nn.Module` and of the containers that construction and forward use."""
    kind = container_kind(ev, module)
    handler = _CONTAINER_METHODS.get((kind, name)) if kind else None
    if handler is None:
        handler = _MODULE_METHODS.get(name)
    if handler is None:
        return UNKNOWN
    return handler(ev, module, args, kwargs)


def _append(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1 or not _check_mutation(ev, module):
        return _spoil(module)
    if not _add_entry(module, container_kind(ev, module), str(len(_entries(module))), args[0]):
        return _spoil(module)
    return module


def _extend(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    items = ev.iterate(args[0]) if len(args) == 1 else None
    if items is None:
        return _spoil(module)
    for item in items:
        _append(ev, module, [item], {})
    return module


def _insert(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2 or not isinstance(args[0], int) or not isinstance(args[1], ModuleInstance) \
            or not _check_mutation(ev, module):
        return _spoil(module)
    values = list(module.children.values())
    values.insert(args[0], args[1])
    module.children = {str(i): v for i, v in enumerate(values)}
    return None


def _add_module(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    name = args[0] if args else kwargs.get("name")
    value = args[1] if len(args) > 1 else kwargs.get("module")
    if not isinstance(name, str) or not isinstance(value, (ModuleInstance, type(None))) \
            or not _check_mutation(ev, module):
        return _spoil(module)
    module.children[name] = value
    return None


def _register_parameter(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    name = args[0] if args else kwargs.get("name")
    value = args[1] if len(args) > 1 else kwargs.get("param")
    if not isinstance(name, str) or not _check_mutation(ev, module):
        return _spoil(module)
    if isinstance(value, ParamValue):
        module.params[name] = value
    elif value is not None:
        return _spoil(module)
    return None


def _register_buffer(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    name = args[0] if args else kwargs.get("name")
    if isinstance(name, str):
        module.attrs[name] = args[1] if len(args) > 1 else kwargs.get("tensor", UNKNOWN)
    return None


def _set_item(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    key, value = args
    kind = container_kind(ev, module)
    if not isinstance(key, (str, int)) or not _check_mutation(ev, module):
        return _spoil(module)
    if kind in (MODULE_LIST, SEQUENTIAL, PARAMETER_LIST):
        keys = list(_entries(module))
        if not isinstance(key, int) or not -len(keys) <= key < len(keys):
            return _spoil(module)
        key = keys[key]
    if not _add_entry(module, kind, str(key), value):
        return _spoil(module)
    return None


def _update(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    pairs = _pairs(ev, args[0]) if len(args) == 1 else None
    if pairs is None:
        return _spoil(module)
    for key, value in pairs:
        _set_item(ev, module, [key, value], {})
    return None


def _entries(module: ModuleInstance) -> dict[str, Any]:
    return module.params if module.type_name in (PARAMETER_LIST, PARAMETER_DICT) else module.children


def _check_mutation(ev: Interpreter, module: ModuleInstance) -> bool:
    """A container changed on one of several possible paths cannot be followed."""
    return not ev.forked


def _spoil(module: ModuleInstance) -> Any:
    module.complete = False
    return UNKNOWN


def _children(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return [child for child in dict.fromkeys(module.children.values()) if child is not None]


def _named_children(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return [(name, child) for name, child in module.children.items() if child is not None]


def _modules(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return [m for _, m in module.named_modules()]


def _named_modules(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return list(module.named_modules())


def _parameters(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return list(module.parameters()) if module.is_complete() else UNKNOWN


def _named_parameters(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not module.is_complete():
        return UNKNOWN
    return [(f"{prefix}.{name}" if prefix else name, p)
            for prefix, m in module.named_modules() for name, p in m.params.items()]


def _returns_self(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return module


def _requires_grad(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    flag = args[0] if args else kwargs.get("requires_grad", True)
    for param in module.parameters():
        param.trainable = flag if isinstance(flag, bool) and not ev.forked else None
    return module


def _length(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return len(_entries(module))


def _keys(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return list(_entries(module))


def _values(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return list(_entries(module).values())


def _items(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return list(_entries(module).items())


Method = Callable[["Interpreter", ModuleInstance, list[Any], dict[str, Any]], Any]

_MODULE_METHODS: dict[str, Method] = {
    "add_module": _add_module,
    "register_module": _add_module,
    "register_parameter": _register_parameter,
    "register_buffer": _register_buffer,
    "children": _children,
    "named_children": _named_children,
    "modules": _modules,
    "named_modules": _named_modules,
    "parameters": _parameters,
    "named_parameters": _named_parameters,
    "requires_grad_": _requires_grad,
    **{name: _returns_self for name in _RETURNS_SELF - {"requires_grad_"}},
}

_CONTAINER_METHODS: dict[tuple[str, str], Method] = {
    **{(kind, "append"): _append for kind in (SEQUENTIAL, MODULE_LIST, PARAMETER_LIST)},
    **{(kind, "extend"): _extend for kind in (SEQUENTIAL, MODULE_LIST, PARAMETER_LIST)},
    **{(kind, "__len__"): _length for kind in CONTAINERS},
    **{(kind, "__setitem__"): _set_item for kind in CONTAINERS},
    (MODULE_LIST, "insert"): _insert,
    (SEQUENTIAL, "insert"): _insert,
    **{(kind, "update"): _update for kind in (MODULE_DICT, PARAMETER_DICT)},
    **{(kind, "keys"): _keys for kind in (MODULE_DICT, PARAMETER_DICT)},
    **{(kind, "values"): _values for kind in (MODULE_DICT, PARAMETER_DICT)},
    **{(kind, "items"): _items for kind in (MODULE_DICT, PARAMETER_DICT)},
}


# ------------------------------------------------------------------------------- indexing

def container_items(ev: Interpreter, module: ModuleInstance) -> list[Any] | None:
    """What iterating over a module gives: children of a list/Sequential, keys of a dict."""
    kind = container_kind(ev, module)
    if kind in (SEQUENTIAL, MODULE_LIST):
        return [c for c in module.children.values() if c is not None]
    if kind in (MODULE_DICT, PARAMETER_DICT):
        return list(_entries(module))
    if kind == PARAMETER_LIST:
        return list(module.params.values())
    return None


def container_item(ev: Interpreter, module: ModuleInstance, index: Any) -> Any:
    """`module[index]`: a child by position or key; a slice of a Sequential / ModuleList is a new one."""
    kind = container_kind(ev, module)
    entries = _entries(module)
    if kind in (MODULE_DICT, PARAMETER_DICT):
        return entries.get(index, UNKNOWN) if isinstance(index, str) else UNKNOWN
    if kind not in (SEQUENTIAL, MODULE_LIST, PARAMETER_LIST):
        return UNKNOWN
    keys = list(entries)
    if isinstance(index, slice):
        if not all(isinstance(p, (int, type(None))) for p in (index.start, index.stop, index.step)):
            return UNKNOWN
        picked = keys[index]
        sliced = ModuleInstance(module.type_name if module.classdef is None else kind, module.node)
        if kind == SEQUENTIAL:  # Sequential keeps the keys; ModuleList renumbers
            sliced.children = {k: entries[k] for k in picked}
        else:
            sliced.children = {str(i): entries[k] for i, k in enumerate(picked)}
        return sliced
    if isinstance(index, int) and not isinstance(index, bool) and -len(keys) <= index < len(keys):
        return entries[keys[index]]
    return UNKNOWN

