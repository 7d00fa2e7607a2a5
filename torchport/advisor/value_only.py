"""Project functions that can only change tensor values, never what a summary shows: weight initialisers.

Model constructors end with `trunc_normal_(self.pos_embed, std=.02)`, `named_apply(init_fn, self)` or
`self._init_weights()`: project functions that run `torch.nn.init` and in-place tensor arithmetic on
parameters. Following them is about a quarter of the interpreter's work on timm, and it cannot change the
module tree, a shape, a parameter count or what is trainable. The interpreter skips such a call when its
result is discarded (an expression statement) and this module proves, from the source alone, that the
function is *value-only*: transitively, it

- assigns only to local names (no `x.attr = ...`, `x[i] = ...`, `del x.attr`, `global`, `nonlocal`),
- defines no class, does not yield or await,
- calls only: the library functions of `_VALUE_CALLS` / `_VALUE_CALL_PREFIXES`; other value-only project
  functions; methods in `_VALUE_METHODS` (in-place arithmetic that keeps a tensor's shape, and queries);
  one of its own parameters, whose argument must then be value-only itself (`named_apply(fn, module)` is
  value-only when `fn` is); or an initialiser method of `_INITIALISER_METHODS` on one of its parameters
  (`m.reset_parameters()`), which must then be value-only for every Module the call can reach.

The last two are checked at the call, on the values the interpreter holds (`skippable`): the functions
passed, and every Module in the arguments' trees (torch's own layers reset values only; a project class's
method must be value-only itself). Anything else (a method not in the tables, a call of a call, `*args`
passed on to a function that calls its parameters, an argument not known) makes the call not skippable,
and the interpreter follows it as before. Not covered: a value-only function that passes a global Module
object to one of its parameters (the Modules checked are those reachable from the arguments).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from astroid import nodes
from astroid.const import Context

from torchport.advisor.state import Frame
from torchport.advisor.values import FunctionRef, ModuleInstance, PartialRef, TensorValue

if TYPE_CHECKING:
    from torchport.advisor.evaluator import Evaluator
from torchport.analysis.modules import project_definition
from torchport.analysis.names import lookup, qualified_name

# Library calls that change no module, parameter count or tensor shape (`torch.nn.init.*` changes values only).
_VALUE_CALL_PREFIXES = ("torch.nn.init.", "math.")
_VALUE_CALLS = frozenset({
    *(f"builtins.{name}" for name in (
        "abs", "all", "any", "bool", "callable", "dict", "divmod", "enumerate", "float", "frozenset", "getattr",
        "hasattr", "id", "int", "isinstance", "issubclass", "len", "list", "max", "min", "pow", "print", "range",
        "repr", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "type", "zip",
    )),
    "warnings.warn", "functools.partial",
    "torch.no_grad", "torch.enable_grad", "torch.inference_mode", "torch.finfo", "torch.iinfo",
    "torch.get_default_dtype", "torch.is_tensor", "torch.numel",
    "torch.zeros", "torch.ones", "torch.empty", "torch.full", "torch.rand", "torch.randn", "torch.arange",
    "torch.linspace", "torch.tensor", "torch.eye",
})
# Methods that keep every shape: in-place arithmetic and random fills of a tensor, and read-only queries of a
# tensor, a Module, a container or a string. Not here on purpose: `requires_grad_` (changes what is
# trainable), `resize_`, `set_`, `squeeze_`, `unsqueeze_`, `t_`, `transpose_` (change a shape).
_VALUE_METHODS = frozenset({
    "uniform_", "normal_", "zero_", "fill_", "fill_diagonal_", "copy_", "clamp_", "clamp_min_", "clamp_max_",
    "clip_", "mul_", "div_", "add_", "sub_", "erfinv_", "exponential_", "bernoulli_", "log_normal_",
    "geometric_", "cauchy_", "random_", "abs_", "neg_", "sqrt_", "exp_", "log_", "pow_", "sign_",
    "masked_fill_", "index_fill_", "lerp_", "addcmul_", "addcdiv_", "renorm_",
    "size", "dim", "ndimension", "numel", "nelement", "element_size", "is_floating_point", "item", "detach",
    "clone", "named_children", "children", "modules", "named_modules", "parameters", "named_parameters",
    "buffers", "named_buffers", "items", "keys", "values", "get", "startswith", "endswith", "split",
    "format", "join",
})

# Methods that, by torch's convention (and timm's), re-initialise values: every torch layer's `reset_parameters`
# does only that; a project class's is checked like any function.
_INITIALISER_METHODS = frozenset({"reset_parameters", "_reset_parameters", "reset_running_stats", "init_weights",
                                  "_init_weights"})


@dataclass(frozen=True)
class Effects:
    """What a function proven value-only still depends on: the parameters it calls, and the initialiser
    methods it calls on a parameter."""

    called: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()

    def __or__(self, other: Effects) -> Effects:
        return Effects(self.called | other.called, self.methods | other.methods)


NONE = Effects()
_FORBIDDEN = (nodes.AssignAttr, nodes.DelAttr, nodes.Global, nodes.Nonlocal, nodes.Yield, nodes.YieldFrom,
              nodes.Await, nodes.ClassDef)
# weak keys: an answer (names only) must not keep its tree alive in an editor's long-lived pylint process
_verdicts: weakref.WeakKeyDictionary[nodes.FunctionDef, Effects | None] = weakref.WeakKeyDictionary()


def effects(function: nodes.NodeNG) -> Effects | None:
    """None when `function` may change more than tensor values; else what that still depends on."""
    if not isinstance(function, nodes.FunctionDef):
        return None
    return _verdict(function, set())


def skippable(ev: Evaluator, function: Any, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Whether calling the function value with these arguments changes tensor values only."""
    methods: set[str] = set()
    if not _functions_value_only(ev, function, args, kwargs, methods):
        return False
    if not methods:
        return True
    modules = _modules_in([function, *args, *kwargs.values()])
    seen: set[int] = set()
    return modules is not None and all(_method_value_only(ev, module, name, seen)
                                       for module in modules for name in methods)


def _functions_value_only(ev: Evaluator, function: Any, args: list[Any], kwargs: dict[str, Any],
                          methods: set[str]) -> bool:
    """The function and the functions it is given to call are value-only; the initialiser methods they
    call are added to `methods`."""
    function, args, kwargs = unwrapped(function, args, kwargs)
    found = effects(function.node) if isinstance(function, FunctionRef) else None
    if found is None:
        return False
    methods |= found.methods
    if not found.called:
        return True
    frame = Frame(function.node)
    bound = [function.bound, *args] if function.bound is not None else args
    if not ev.bind_arguments(function.node.args, bound, kwargs, frame, function.closure):
        return False
    for name in found.called:
        # called with arguments this check does not see: it must call none of its own parameters
        passed, _, _ = unwrapped(frame.locals.get(name), [], {})
        inner = effects(passed.node) if isinstance(passed, FunctionRef) else None
        if inner is None or inner.called:
            return False
        methods |= inner.methods
    return True


def unwrapped(function: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[Any, list[Any], dict[str, Any]]:
    """A `partial` as the function it calls and the arguments it gets."""
    while isinstance(function, PartialRef):
        args, kwargs, function = [*function.args, *args], {**function.kwargs, **kwargs}, function.func
    return function, list(args), kwargs


def _modules_in(values: list[Any]) -> list[ModuleInstance] | None:
    """Every Module in the values (bound `self`, partial arguments, containers included) with all their
    submodules; None when a value is not known, so what it holds cannot be checked."""
    modules: dict[int, ModuleInstance] = {}
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, PartialRef):
            pending += [value.func, *value.args, *value.kwargs.values()]
        elif isinstance(value, FunctionRef):
            if value.bound is not None:
                pending.append(value.bound)
        elif isinstance(value, ModuleInstance):
            if not value.complete:
                return None
            modules.update((id(m), m) for _, m in value.named_modules())
        elif isinstance(value, (list, tuple)):
            pending += list(value)
        elif isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif not (value is None or isinstance(value, (bool, int, float, str, TensorValue))):
            return None
    return list(modules.values())


def _method_value_only(ev: Evaluator, module: ModuleInstance, name: str, seen: set[int]) -> bool:
    """The method `name` of the module's class changes values only (torch's own layers: by convention)."""
    if module.classdef is None:
        return True
    for klass in ev.mro(module.classdef):
        found = klass.locals.get(name)
        if not found:
            continue
        definitions = [node for node in found if isinstance(node, nodes.FunctionDef)]
        if len(definitions) != len(found):
            return False
        for definition in definitions:
            verdict = effects(definition)
            if verdict is None or verdict.called:
                return False
            if id(definition) not in seen:  # its own initialiser calls reach the same modules
                seen.add(id(definition))
                if not all(_method_value_only(ev, module, other, seen) for other in verdict.methods):
                    return False
        return True
    return True  # inherited from torch, or absent


def _verdict(function: nodes.FunctionDef, pending: set[nodes.FunctionDef]) -> Effects | None:
    """`pending`: the functions being decided up the call chain, assumed value-only (a recursion changes
    nothing its body does not). An answer that used such an assumption is not memoised."""
    if function in _verdicts:
        return _verdicts[function]
    if function in pending:
        return NONE
    pending.add(function)
    try:
        verdict = _decide(function, pending)
    finally:
        pending.discard(function)
    if verdict is None or not pending:
        _verdicts[function] = verdict
    return verdict


def _decide(function: nodes.FunctionDef, pending: set[nodes.FunctionDef]) -> Effects | None:
    if function.decorators is not None and not _plain_method_decorators(function):
        return None
    found = NONE
    for node in _body_nodes(function):
        if isinstance(node, _FORBIDDEN) or (isinstance(node, nodes.Subscript) and node.ctx is not Context.Load):
            return None
        if isinstance(node, nodes.FunctionDef) and node is not function and node.decorators is not None:
            return None
        if isinstance(node, nodes.Call):
            needed = _call_verdict(node, function, pending)
            if needed is None:
                return None
            found = found | needed
    return found


def _plain_method_decorators(function: nodes.FunctionDef) -> bool:
    return all(isinstance(d, nodes.Name) and d.name in ("staticmethod", "classmethod")
               for d in function.decorators.nodes)


def _body_nodes(function: nodes.FunctionDef) -> Iterator[nodes.NodeNG]:
    """Every node of the body and of the parameters' defaults (nested functions included)."""
    stack: list[nodes.NodeNG] = [*function.body, *function.args.defaults, *function.args.kw_defaults]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        stack.extend(node.get_children())


def _call_verdict(call: nodes.Call, function: nodes.FunctionDef, pending: set[nodes.FunctionDef]) -> Effects | None:
    """What one call inside `function` requires: None (not value-only), or the parameters of `function` it
    calls (directly or by passing them on) and the initialiser methods it calls on them."""
    callee = call.func
    if isinstance(callee, nodes.Name) and _is_parameter(callee, function):
        return Effects(called=frozenset({callee.name}))
    if isinstance(callee, nodes.Attribute) and callee.attrname in _INITIALISER_METHODS \
            and isinstance(callee.expr, nodes.Name) and _is_parameter(callee.expr, function):
        return Effects(methods=frozenset({callee.attrname}))
    target = _callee(callee)
    if target is None:
        return None
    if isinstance(target, str):
        return NONE
    needed = _verdict(target, pending)
    if needed is None or not needed.called:
        return needed
    passed = _passed_functions(call, target, needed.called, function, pending)
    return None if passed is None else Effects(methods=needed.methods) | passed


def _callee(callee: nodes.NodeNG) -> nodes.FunctionDef | str | None:
    """The project function a call runs, or "library" for a value-only library call or method, or None."""
    name = _qualified(callee)
    if name is not None:
        if name in _VALUE_CALLS or name.startswith(_VALUE_CALL_PREFIXES) or _is_builtin_exception(name):
            return "library"
        return _definition(callee, name)
    if isinstance(callee, nodes.Attribute) and callee.attrname in _VALUE_METHODS:
        return "library"
    return None


def _is_builtin_exception(name: str) -> bool:
    """`ValueError(...)` and the like, as in `raise ValueError(...)`."""
    return name.startswith("builtins.") and name.endswith(("Error", "Exception", "Warning"))


def _qualified(callee: nodes.NodeNG) -> str | None:
    if isinstance(callee, nodes.Name):
        scope, bindings = lookup(callee)
        if scope is not None and (not bindings or scope.root().name == "builtins"):
            return f"builtins.{callee.name}"  # astroid answers a builtin from its own stub module
    return qualified_name(callee)


def _definition(callee: nodes.NodeNG, name: str) -> nodes.FunctionDef | None:
    """The FunctionDef a resolved callee name denotes: a function of this file (nested ones too) or of
    another file of the project."""
    if isinstance(callee, nodes.Name):
        _, bindings = lookup(callee)
        if len(bindings) == 1 and isinstance(bindings[0], nodes.FunctionDef):
            # never astroid's stub of a builtin (`setattr`): only a function of this very file
            return bindings[0] if bindings[0].root() is callee.root() else None
    definition = project_definition(name, callee)
    return definition if isinstance(definition, nodes.FunctionDef) else None


def _is_parameter(name: nodes.Name, function: nodes.FunctionDef) -> bool:
    scope, bindings = lookup(name)
    return scope is function and len(bindings) == 1 and isinstance(bindings[0].parent, nodes.Arguments)


def _passed_functions(call: nodes.Call, target: nodes.FunctionDef, needed: frozenset[str],
                      function: nodes.FunctionDef, pending: set[nodes.FunctionDef]) -> Effects | None:
    """`target` calls its parameters `needed`: each argument given for one must be a value-only function
    that calls none of its own parameters, or a parameter of `function` (which then calls it)."""
    if any(isinstance(a, nodes.Starred) for a in call.args) or any(k.arg is None for k in call.keywords or ()):
        return None
    positional = [p.name for p in (*(target.args.posonlyargs or []), *(target.args.args or []))]
    given = dict(zip(positional, call.args))
    given.update((k.arg, k.value) for k in call.keywords or ())
    found = NONE
    for parameter in needed:
        argument = given.get(parameter)
        if argument is None:
            return None  # its default is called: not looked into
        if isinstance(argument, nodes.Name) and _is_parameter(argument, function):
            found = found | Effects(called=frozenset({argument.name}))
            continue
        if isinstance(argument, nodes.Call) and _qualified(argument.func) == "functools.partial" and argument.args:
            argument = argument.args[0]
        passed = _callee(argument)
        verdict = _verdict(passed, pending) if isinstance(passed, nodes.FunctionDef) else None
        if verdict is None or verdict.called:
            return None
        found = found | Effects(methods=verdict.methods)
    return found
