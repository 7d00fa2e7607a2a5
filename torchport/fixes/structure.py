"""Fixes for the structure family (71xx)."""

from __future__ import annotations

import re
from collections.abc import Callable

from astroid import nodes

from torchport.analysis.model import is_self
from torchport.analysis.names import call_name, qualified_name
from torchport.analysis.node_index import descendants
from torchport.fixes.common import (
    argument, enclosing_function, is_base_init_call, is_constant, make_fix, plain_call, statement_in)
from torchport.fixes.edits import Edit, Fix, Source
from torchport.fixes.imports import spell
from torchport.rules.finding import Finding

# bases whose __init__ takes no required argument, so `super().__init__()` is right
_PLAIN_BASES = frozenset({"torch.nn.Module", "lightning.LightningModule"})


def super_init_missing(finding: Finding, source: Source) -> Fix | None:
    init = finding.node
    if not isinstance(init, nodes.FunctionDef) or not init.body:
        return None
    cls = init.parent
    plain = isinstance(cls, nodes.ClassDef) and cls.bases and all(
        qualified_name(base) in _PLAIN_BASES for base in cls.bases)
    first = init.body[0]
    description = "call super().__init__() first in __init__"
    if first.lineno == init.lineno:  # `def __init__(self): ...` on one line
        return make_fix(finding, description, None)
    edit = source.insert_before(first, "super().__init__()")
    if not plain:
        return make_fix(finding, description + " (its base class may need arguments: check them)", [edit], safe=False)
    return make_fix(finding, description, [edit])


def assigned_before_super_init(finding: Finding, source: Source) -> Fix | None:
    init = enclosing_function(finding.node)
    if init is None:
        return None
    target = statement_in(finding.node, init)
    calls = [s for s in init.body if is_base_init_call(s)]
    description = "move super().__init__() above the first assignment of a layer, parameter or buffer"
    if target is None or len(calls) != 1 or not source.alone_on_lines(calls[0]):
        return make_fix(finding, description, None)
    call = calls[0]
    if init.body.index(call) > init.body.index(target):
        start, end = source.whole_lines(call)
        parameters = {a.name for a in init.args.arguments}
        given = call.value.args + [k.value for k in call.value.keywords or []]
        movable = all(is_constant(a) or isinstance(a, nodes.Name) and a.name in parameters for a in given)
        at = source.line_start(target.fromlineno)
        edits = [Edit(start, end, ""), Edit(at, at, source.text[start:end])]
        return make_fix(finding, description, edits, safe=movable)
    return make_fix(finding, description, None)


def container_not_registered(finding: Finding, source: Source) -> Fix | None:
    statement = finding.node
    value = getattr(statement, "value", None)
    is_dict = isinstance(value, (nodes.Dict, nodes.DictComp))
    container = "ModuleDict" if is_dict else "ModuleList"
    description = f"wrap the {'dict' if is_dict else 'list'} in nn.{container}(...)"
    if not isinstance(statement, (nodes.Assign, nodes.AnnAssign)) or not isinstance(
            value, (nodes.List, nodes.Tuple, nodes.ListComp, nodes.Dict, nodes.DictComp, nodes.GeneratorExp)):
        return make_fix(finding, description, None)
    if isinstance(value, nodes.Dict) and not all(
            isinstance(k, nodes.Const) and isinstance(k.value, str) for k, _ in value.items):
        return make_fix(finding, description + " (ModuleDict keys must be strings)", None)
    nn, imports = spell(source, "torch.nn", statement)
    if not nn:
        return make_fix(finding, description, None)
    text = source.segment(value)
    if isinstance(value, nodes.GeneratorExp) and not text.startswith("("):
        text = f"({text})"
    return make_fix(finding, description, [source.replace(value, f"{nn}.{container}({text})"), *imports])


def tensor_not_registered(finding: Finding, source: Source) -> Fix | None:
    statement = finding.node
    attr = finding.args[0] if finding.args else None
    description = f"register it: self.register_buffer({attr!r}, ...)"
    function = enclosing_function(statement)
    if (not isinstance(statement, nodes.Assign) or len(statement.targets) != 1 or function is None
            or not source.alone_on_lines(statement)):
        return make_fix(finding, description, None)
    target = statement.targets[0]
    if not (isinstance(target, nodes.AssignAttr) and is_self(target.expr, function) and target.attrname == attr):
        return make_fix(finding, description, None)
    earlier = [n for n in descendants(function, nodes.AssignAttr)
               if n.attrname == attr and is_self(n.expr, function) and n.lineno < statement.lineno]
    if earlier:  # register_buffer raises KeyError for a name that is already an attribute
        return make_fix(finding, description, None)
    self_name = target.expr.name
    text = f"{self_name}.register_buffer({attr!r}, {source.segment(statement.value)})"
    return make_fix(finding, description, [source.replace(statement, text)])


def forward_called_directly(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    if not isinstance(call, nodes.Call) or not isinstance(call.func, nodes.Attribute):
        return None
    receiver = call.func.expr
    description = f"call {source.segment(receiver)}(...) instead of .forward(...)"
    return make_fix(finding, description, [Edit(source.end(receiver), source.end(call.func), "")])


# stateless layer -> (its functional module and name, defaults the layer has and the function lacks)
_FUNCTIONAL: dict[str, tuple[str, str, str]] = {
    "torch.nn.ReLU": ("torch.nn.functional", "relu", ""),
    "torch.nn.ReLU6": ("torch.nn.functional", "relu6", ""),
    "torch.nn.LeakyReLU": ("torch.nn.functional", "leaky_relu", ""),
    "torch.nn.ELU": ("torch.nn.functional", "elu", ""),
    "torch.nn.SELU": ("torch.nn.functional", "selu", ""),
    "torch.nn.GELU": ("torch.nn.functional", "gelu", ""),
    "torch.nn.SiLU": ("torch.nn.functional", "silu", ""),
    "torch.nn.Mish": ("torch.nn.functional", "mish", ""),
    "torch.nn.Softplus": ("torch.nn.functional", "softplus", ""),
    "torch.nn.Hardswish": ("torch.nn.functional", "hardswish", ""),
    "torch.nn.Softmax": ("torch.nn.functional", "softmax", ""),
    "torch.nn.LogSoftmax": ("torch.nn.functional", "log_softmax", ""),
    "torch.nn.Sigmoid": ("torch", "sigmoid", ""),
    "torch.nn.Tanh": ("torch", "tanh", ""),
    "torch.nn.Flatten": ("torch", "flatten", "start_dim=1"),
    "torch.nn.MaxPool1d": ("torch.nn.functional", "max_pool1d", ""),
    "torch.nn.MaxPool2d": ("torch.nn.functional", "max_pool2d", ""),
    "torch.nn.MaxPool3d": ("torch.nn.functional", "max_pool3d", ""),
    "torch.nn.AvgPool1d": ("torch.nn.functional", "avg_pool1d", ""),
    "torch.nn.AvgPool2d": ("torch.nn.functional", "avg_pool2d", ""),
    "torch.nn.AvgPool3d": ("torch.nn.functional", "avg_pool3d", ""),
    "torch.nn.AdaptiveAvgPool1d": ("torch.nn.functional", "adaptive_avg_pool1d", ""),
    "torch.nn.AdaptiveAvgPool2d": ("torch.nn.functional", "adaptive_avg_pool2d", ""),
    "torch.nn.AdaptiveMaxPool2d": ("torch.nn.functional", "adaptive_max_pool2d", ""),
}
# constructor positions that are not the function's positions after the input (pooling's
# return_indices/ceil_mode are swapped): only this many positional arguments carry over
_SAME_POSITIONS = 4


def stateless_layer(finding: Finding, source: Source) -> Fix | None:
    build = finding.node
    name = call_name(build) if isinstance(build, nodes.Call) else None
    applied = build.parent
    if name not in _FUNCTIONAL or not isinstance(applied, nodes.Call) or applied.func is not build:
        return make_fix(finding, "build it once in __init__, or call its functional form", None)
    module_name, function, default = _FUNCTIONAL[name]
    description = f"call {module_name.replace('torch.nn.functional', 'F')}.{function}(...) instead"
    if (not plain_call(build) or not plain_call(applied) or len(applied.args) != 1 or applied.keywords
            or len(build.args) > _SAME_POSITIONS):
        return make_fix(finding, description, None)
    prefix, imports = spell(source, module_name, build)
    if not prefix:
        return make_fix(finding, description, None)
    arguments = [source.segment(applied.args[0])] + [source.segment(a) for a in build.args]
    arguments += [f"{k.arg}={source.segment(k.value)}" for k in build.keywords or []]
    if default and not build.args and argument(build, 0, default.split("=")[0]) is None:
        arguments.append(default)
    return make_fix(finding, description, [source.replace(applied, f"{prefix}.{function}({', '.join(arguments)})"),
                                           *imports])


def layer_built_in_forward(finding: Finding, source: Source) -> Fix | None:
    """Hoist a layer built in forward into __init__ when its arguments are constants."""
    build = finding.node
    description = "build the layer once in __init__ as a self attribute and use that attribute in forward"
    forward = enclosing_function(build)
    cls = forward.parent if forward is not None else None
    if not isinstance(build, nodes.Call) or forward is None or forward.name != "forward" \
            or not isinstance(cls, nodes.ClassDef) or _in_loop(build, forward):
        return make_fix(finding, description, None)
    init = next((n for n in cls.locals.get("__init__", []) if isinstance(n, nodes.FunctionDef)), None)
    arguments = build.args + [k.value for k in build.keywords or []]
    if init is None or not plain_call(build) or not all(is_constant(a) for a in arguments) \
            or not _module_level(build.func, init):
        return make_fix(finding, description + " (its arguments are computed in forward: move them too)", None)
    base_call = [s for s in init.body if is_base_init_call(s)]
    self_param = forward.args.arguments[0].name if forward.args.arguments else None
    init_self = init.args.arguments[0].name if init.args.arguments else None
    if not base_call or not self_param or not init_self:
        return make_fix(finding, description, None)
    attr = _free_attribute(cls, _attribute_name(build))
    last = init.body[-1]
    indentation = source.indentation(base_call[0])
    edits = [source.replace(build, f"{self_param}.{attr}"),
             source.insert_after(last, f"{init_self}.{attr} = {source.segment(build)}", indentation)]
    return make_fix(finding, description, edits)


def _in_loop(node: nodes.NodeNG, function: nodes.FunctionDef) -> bool:
    current = node.parent
    while current is not None and current is not function:
        if isinstance(current, (nodes.For, nodes.While, nodes.Comprehension, nodes.Lambda)):
            return True
        current = current.parent
    return False


def _module_level(func: nodes.NodeNG, init: nodes.FunctionDef) -> bool:
    """Whether the callee is spelled with a module-level name, so __init__ sees the same object."""
    root = func
    while isinstance(root, nodes.Attribute):
        root = root.expr
    if not isinstance(root, nodes.Name):
        return False
    try:
        scope, _ = init.lookup(root.name)
    except Exception:  # astroid lookup on unusual trees
        return False
    return isinstance(scope, nodes.Module) and func.scope().lookup(root.name)[0] is scope


def _attribute_name(build: nodes.Call) -> str:
    """The name of the local the layer is assigned to, else its class name in snake case."""
    parent = build.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], nodes.AssignName):
        return parent.targets[0].name
    name = (call_name(build) or "layer").rsplit(".", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _free_attribute(cls: nodes.ClassDef, wanted: str) -> str:
    taken = set(cls.locals) | {n.attrname for n in descendants(cls, (nodes.AssignAttr, nodes.Attribute))}
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted}_{number}", number + 1
    return name


FIXERS: dict[str, Callable[[Finding, Source], Fix | None]] = {
    "module-super-init-missing": super_init_missing,
    "module-assigned-before-super-init": assigned_before_super_init,
    "layer-built-in-forward": layer_built_in_forward,
    "stateless-layer-built-in-forward": stateless_layer,
    "module-container-not-registered": container_not_registered,
    "tensor-attribute-not-registered": tensor_not_registered,
    "forward-called-directly": forward_called_directly,
}
