"""Methods of `nn.Module` and of torch's containers, as construction and forward use them.

`append`, `extend`, `insert`, `add_module`, `register_parameter`, item assignment and `update` register
children as torch does (a ModuleList renumbers after `insert`); `children()`, `parameters()`, `items()`
and the like list what is registered; indexing and iteration follow the containers (a slice of a
Sequential keeps its keys, of a ModuleList renumbers). A change on one of several possible paths, or
with arguments not understood, makes the module incomplete instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from astroid import nodes

from torchport.advisor import build
from torchport.advisor.dims import UNKNOWN
from torchport.advisor.value_only import skippable, unwrapped
from torchport.advisor.values import FunctionRef, ModuleInstance, ParamValue

if TYPE_CHECKING:
    from torchport.advisor.interpreter import Interpreter

# Methods that return the module itself and change nothing the summary shows.
_RETURNS_SELF = frozenset({"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "train", "eval",
                           "type", "share_memory", "zero_grad"})


def is_module_method(name: str) -> bool:
    """Whether `name` is a method of `nn.Module` or of a container that the interpreter knows."""
    return name in _MODULE_METHODS or name in ("forward", "__call__") or any(n == name for _, n in _CONTAINER_METHODS)


def module_method(ev: Interpreter, module: ModuleInstance, name: str, args: list[Any], kwargs: dict[str, Any],
                  node: nodes.NodeNG) -> Any:
    """Methods of `nn.Module` and of the containers that construction and forward use."""
    kind = build.container_kind(ev, module)
    handler = _CONTAINER_METHODS.get((kind, name)) if kind else None
    if handler is None:
        handler = _MODULE_METHODS.get(name)
    if handler is None:
        return UNKNOWN
    return handler(ev, module, args, kwargs)


def _append(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1 or ev.forked:
        return _spoil(module)
    if not build.add_entry(module, build.container_kind(ev, module), str(len(_entries(module))), args[0]):
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
            or ev.forked:
        return _spoil(module)
    values = list(module.children.values())
    values.insert(args[0], args[1])
    module.children = {str(i): v for i, v in enumerate(values)}
    return None


def _add_module(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    name = args[0] if args else kwargs.get("name")
    value = args[1] if len(args) > 1 else kwargs.get("module")
    if not isinstance(name, str) or not isinstance(value, (ModuleInstance, type(None))) \
            or ev.forked:
        return _spoil(module)
    module.children[name] = value
    return None


def _register_parameter(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    name = args[0] if args else kwargs.get("name")
    value = args[1] if len(args) > 1 else kwargs.get("param")
    if not isinstance(name, str) or ev.forked:
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
    kind = build.container_kind(ev, module)
    if not isinstance(key, (str, int)) or ev.forked:
        return _spoil(module)
    if kind in (build.MODULE_LIST, build.SEQUENTIAL, build.PARAMETER_LIST):
        keys = list(_entries(module))
        if not isinstance(key, int) or not -len(keys) <= key < len(keys):
            return _spoil(module)
        key = keys[key]
    if not build.add_entry(module, kind, str(key), value):
        return _spoil(module)
    return None


def _update(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    pairs = build.pairs(ev, args[0]) if len(args) == 1 else None
    if pairs is None:
        return _spoil(module)
    for key, value in pairs:
        _set_item(ev, module, [key, value], {})
    return None


def _entries(module: ModuleInstance) -> dict[str, Any]:
    return module.params if module.type_name in (build.PARAMETER_LIST, build.PARAMETER_DICT) else module.children


def _spoil(module: ModuleInstance) -> Any:
    """A change not followed (unknown arguments, or on one of several possible paths): the module's
    contents are no longer known."""
    module.complete = False
    return UNKNOWN


def _apply(ev: Interpreter, module: ModuleInstance, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`module.apply(fn)` calls `fn` on every submodule, children first, as torch does. A weight initialiser
    (`value_only`) changes nothing the summary shows and is not run; any other project function (one that
    freezes or replaces layers) is; a function not understood makes every submodule unknown."""
    function = args[0] if len(args) == 1 and not kwargs else None
    if skippable(ev, function, [module], {}):
        return module
    function, bound, keywords = unwrapped(function, [], {})
    if not isinstance(function, FunctionRef):
        for _, submodule in module.named_modules():
            submodule.complete = False
        return module
    _apply_to(ev, module, function, bound, keywords)
    return module


def _apply_to(ev: Interpreter, module: ModuleInstance, function: FunctionRef, bound: list[Any],
              keywords: dict[str, Any]) -> None:
    for child in _children(ev, module, [], {}):
        _apply_to(ev, child, function, bound, keywords)
    ev.call_function(function, [*bound, module], dict(keywords))


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
    "apply": _apply,
    **{name: _returns_self for name in _RETURNS_SELF},
}

_CONTAINER_METHODS: dict[tuple[str, str], Method] = {
    **{(kind, "append"): _append for kind in (build.SEQUENTIAL, build.MODULE_LIST, build.PARAMETER_LIST)},
    **{(kind, "extend"): _extend for kind in (build.SEQUENTIAL, build.MODULE_LIST, build.PARAMETER_LIST)},
    **{(kind, "__len__"): _length for kind in build.CONTAINERS},
    **{(kind, "__setitem__"): _set_item for kind in build.CONTAINERS},
    (build.MODULE_LIST, "insert"): _insert,
    (build.SEQUENTIAL, "insert"): _insert,
    **{(kind, "update"): _update for kind in (build.MODULE_DICT, build.PARAMETER_DICT)},
    **{(kind, "keys"): _keys for kind in (build.MODULE_DICT, build.PARAMETER_DICT)},
    **{(kind, "values"): _values for kind in (build.MODULE_DICT, build.PARAMETER_DICT)},
    **{(kind, "items"): _items for kind in (build.MODULE_DICT, build.PARAMETER_DICT)},
}


# ------------------------------------------------------------------------------- indexing

def delete_item(ev: Interpreter, module: ModuleInstance, index: Any) -> None:
    """`del module[index]`: a ModuleDict entry by key; Sequential and ModuleList entries by position or
    slice, renumbered afterwards as torch does. Anything else makes the module incomplete."""
    kind = build.container_kind(ev, module)
    entries = _entries(module)
    keys = list(entries)
    if ev.forked:
        _spoil(module)
    elif kind in (build.MODULE_DICT, build.PARAMETER_DICT) and isinstance(index, str) and index in entries:
        del entries[index]
    elif kind in (build.SEQUENTIAL, build.MODULE_LIST, build.PARAMETER_LIST) and _position(index, len(keys)):
        removed = set(keys[index] if isinstance(index, slice) else [keys[index]])
        kept = [entries[k] for k in keys if k not in removed]
        entries.clear()
        entries.update((str(i), value) for i, value in enumerate(kept))
    else:
        _spoil(module)


def _position(index: Any, length: int) -> bool:
    """Whether an index picks known positions of a sequence of `length` entries."""
    if isinstance(index, slice):
        return all(isinstance(p, (int, type(None))) for p in (index.start, index.stop, index.step))
    return isinstance(index, int) and not isinstance(index, bool) and -length <= index < length


def container_items(ev: Interpreter, module: ModuleInstance) -> list[Any] | None:
    """What iterating over a module gives: children of a list/Sequential, keys of a dict."""
    kind = build.container_kind(ev, module)
    if kind in (build.SEQUENTIAL, build.MODULE_LIST):
        return [c for c in module.children.values() if c is not None]
    if kind in (build.MODULE_DICT, build.PARAMETER_DICT):
        return list(_entries(module))
    if kind == build.PARAMETER_LIST:
        return list(module.params.values())
    return None


def container_item(ev: Interpreter, module: ModuleInstance, index: Any) -> Any:
    """`module[index]`: a child by position or key; a slice of a Sequential / ModuleList is a new one."""
    kind = build.container_kind(ev, module)
    entries = _entries(module)
    if kind in (build.MODULE_DICT, build.PARAMETER_DICT):
        return entries.get(index, UNKNOWN) if isinstance(index, str) else UNKNOWN
    if kind not in (build.SEQUENTIAL, build.MODULE_LIST, build.PARAMETER_LIST):
        return UNKNOWN
    keys = list(entries)
    if isinstance(index, slice):
        if not all(isinstance(p, (int, type(None))) for p in (index.start, index.stop, index.step)):
            return UNKNOWN
        picked = keys[index]
        sliced = ModuleInstance(module.type_name if module.classdef is None else kind, module.node)
        if kind == build.SEQUENTIAL:  # Sequential keeps the keys; ModuleList renumbers
            sliced.children = {k: entries[k] for k in picked}
        else:
            sliced.children = {str(i): entries[k] for i, k in enumerate(picked)}
        return sliced
    if isinstance(index, int) and not isinstance(index, bool) and -len(keys) <= index < len(keys):
        return entries[keys[index]]
    return UNKNOWN

