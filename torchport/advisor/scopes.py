"""Names, classes and calls of the analysed project: the evaluator's scope half.

A name not assigned on the followed path is looked up lexically (astroid's lookup, never inference):
a module- or class-level constant is evaluated once, an import becomes a reference by its canonical
name, a class of the project a `ClassRef`, a function of the project (in this file or another) a
`FunctionRef` that runs like a local one, a module-level constant of another file its value. A project function runs with its arguments bound as Python
binds them; decorators other than a few known ones make a function opaque.
"""

from __future__ import annotations

import functools
from typing import Any

from astroid import nodes

from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.pybuiltins import BUILTIN_NAMES
from torchport.advisor.state import Frame, Outcome
from torchport.advisor.values import ClassRef, FunctionRef, NameRef, join
from torchport.analysis.modules import project_binding, project_class
from torchport.analysis.names import lookup, per_node, qualified_name
from torchport.analysis.node_index import descendants


class ScopesMixin:
    """Name resolution and project calls; mixed into `Evaluator`."""

    def unfollowed_call(self, arguments: list[Any]) -> None:
        """A call whose body is not run (too deep, arguments not understood): a subclass forgets what
        it may have changed in its arguments."""

    def function_value(self, node: nodes.FunctionDef | nodes.Lambda, frame: Frame | None) -> FunctionRef:
        return FunctionRef(node, closure=frame if frame is not None and not isinstance(frame.scope, nodes.Module)
                           else None)

    def lookup_static(self, node: nodes.NodeNG, name: str, frame: Frame) -> Any:
        """A name not assigned in the running frames: a global, an import, a class or a builtin."""
        kind, found = _static_source(node)
        if kind is _IMPORTED:
            return self.resolve_qname(found, node)
        if kind is _BOUND:
            return self.static_binding(found)
        return found

    def static_binding(self, binding: nodes.NodeNG) -> Any:
        """The value a module- or class-level definition gives its name."""
        if isinstance(binding, nodes.ClassDef):
            return ClassRef(binding)
        if isinstance(binding, nodes.FunctionDef):
            return self.function_value(binding, None) if decorator_kind(binding) != "opaque" else UNKNOWN
        if isinstance(binding, nodes.AssignName):
            return self._static_assignment(binding)
        return UNKNOWN

    def resolve_qname(self, qname: str, context: nodes.NodeNG) -> Any:
        """A canonical dotted name as a value: a project class, else a reference by name."""
        key = (qname, id(_root(context)))
        try:
            return self._resolved[key]
        except KeyError:
            value = self._resolved[key] = self._project_value(qname, context)
            return value

    def _project_value(self, qname: str, context: nodes.NodeNG) -> Any:
        """A project class as a `ClassRef`, a project function or module-level constant (in any file of
        the project) as its value, anything else as a `NameRef`."""
        if "." not in qname or _outside_project(qname):
            return NameRef(qname)
        binding = project_binding(qname, context)
        if isinstance(binding, (nodes.FunctionDef, nodes.AssignName)):
            value = self.static_binding(binding)
            return NameRef(qname) if isinstance(value, Unknown) else value
        cls = project_class(qname, context)
        return ClassRef(cls) if cls is not None else NameRef(qname)

    def _static_assignment(self, binding: nodes.AssignName) -> Any:
        """The value of a module- or class-level `NAME = expression`, evaluated once."""
        key = id(binding)
        if key in self._statics:
            return self._statics[key]
        statement = binding.statement()
        if key in self._static_pending or not isinstance(statement, (nodes.Assign, nodes.AnnAssign)):
            return UNKNOWN
        self._static_pending.add(key)
        try:
            frame = Frame(statement.scope())
            self.exec_statement(statement, frame)
            value = frame.locals.get(binding.name, UNKNOWN)
        finally:
            self._static_pending.discard(key)
        if isinstance(value, (list, dict, set)) and _changed_elsewhere(binding.name, binding.root()):
            value = UNKNOWN  # `SIZES.append(...)` or `CFG["a"] = ...` somewhere: its value is not the literal's
        self._statics[key] = value
        return value

    def class_attribute(self, cls: nodes.ClassDef, name: str) -> Any:
        """`Class.name`: a method, a nested class or a class-level constant, through project bases."""
        for klass in self.mro(cls):
            found = klass.locals.get(name)
            if found:
                if not (len(found) == 1 or _redefinitions(klass, found)) or _reassigned_on_class(klass, name):
                    return UNKNOWN
                return self.static_binding(found[-1])
        return UNKNOWN

    def mro(self, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
        """The class and its project base classes, depth first, left to right, each once."""
        return list(_mro(cls))

    def call_function(self, function: FunctionRef, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Run a project function (or lambda) with its arguments bound; UNKNOWN when too deep, or when it
        calls itself again on one of several possible paths (`if` or loop undecided since the outer call):
        such a recursion can branch again at every level (`unwrap_model` trying `.module` and `._orig_mod`),
        so following it costs exponential work for an answer that is mostly unknown."""
        node = function.node
        if function.bound is not None:
            args = [function.bound, *args]
        frame = Frame(node, parent=function.closure, owner=_owner_class(node))
        active = self.active_calls.setdefault(node, [])
        if self.budget.depth >= self.budget.max_depth or (active and self.forked > active[-1]) \
                or not self.bind_arguments(node.args, args, kwargs, frame, function.closure):
            self.unfollowed_call([*args, *kwargs.values()])
            return UNKNOWN
        self.budget.depth += 1
        active.append(self.forked)
        try:
            if isinstance(node, nodes.Lambda):
                return self.eval(node.body, frame)
            outcome = self.exec_block(node.body, frame)
        finally:
            active.pop()
            self.budget.depth -= 1
        if outcome is Outcome.RAISE:  # every path raises: what it did to its arguments is not the model
            self.unfollowed_call([*args, *kwargs.values()])
            return UNKNOWN
        if _is_generator(node):
            return UNKNOWN
        results = list(frame.returns)
        if outcome is Outcome.NORMAL:
            results.append(None)  # falling off the end returns None
        if not results:
            return UNKNOWN
        value = results[0]
        for other in results[1:]:
            value = join(value, other)
        return value

    def bind_arguments(self, arguments: nodes.Arguments, args: list[Any], kwargs: dict[str, Any], frame: Frame,
              closure: Frame | None) -> bool:
        """Bind call arguments to parameters as Python does; False when the call does not fit."""
        positional = [*(arguments.posonlyargs or []), *(arguments.args or [])]
        defaults = arguments.defaults or []
        first_default = len(positional) - len(defaults)
        kwargs = dict(kwargs)
        for i, param in enumerate(positional):
            if i < len(args):
                frame.locals[param.name] = args[i]
            elif param.name in kwargs:
                frame.locals[param.name] = kwargs.pop(param.name)
            elif i >= first_default:
                frame.locals[param.name] = self._default(defaults[i - first_default], closure)
            else:
                return False
        extra = args[len(positional):]
        if extra and not arguments.vararg:
            return False
        if arguments.vararg:
            frame.locals[arguments.vararg] = tuple(extra)
        for param, default in zip(arguments.kwonlyargs or [], arguments.kw_defaults or []):
            if param.name in kwargs:
                frame.locals[param.name] = kwargs.pop(param.name)
            elif default is not None:
                frame.locals[param.name] = self._default(default, closure)
            else:
                return False
        if kwargs and not arguments.kwarg:
            return False
        if arguments.kwarg:
            frame.locals[arguments.kwarg] = kwargs
        return True

    def _default(self, node: nodes.NodeNG, closure: Frame | None) -> Any:
        scope = closure if closure is not None else Frame(node.scope())
        return self.eval(node, scope)


# Decorators that leave a method's meaning as it is (for shapes); any other makes the function opaque.
_TRANSPARENT_DECORATORS = frozenset({
    "torch.no_grad", "torch.inference_mode", "torch.enable_grad", "torch.jit.unused", "torch.jit.ignore",
    "torch.jit.export", "torch.compiler.disable", "typing.override", "typing_extensions.override",
    "functools.wraps",
})
_KINDS = {"builtins.staticmethod": "staticmethod", "builtins.classmethod": "classmethod",
          "builtins.property": "property"}


_VALUE, _IMPORTED, _BOUND = "value", "imported", "bound"


@per_node
def _static_source(node: nodes.Name | nodes.AssignName) -> tuple[str, Any]:
    """Where a name not assigned on the followed path gets its value (`lookup_static`): (_IMPORTED, the
    canonical name of an import), (_BOUND, the one module- or class-level definition of it), or
    (_VALUE, the value itself: a builtin, or UNKNOWN for a local not assigned on the path followed or a
    name with several candidate bindings)."""
    scope, bindings = lookup(node)
    if scope is None:  # astroid's lookup failed on a malformed tree
        return _VALUE, UNKNOWN
    if not bindings or scope.root().name == "builtins":  # astroid answers builtins from its own stub
        return _VALUE, NameRef(f"builtins.{node.name}") if node.name in BUILTIN_NAMES else UNKNOWN
    if not isinstance(scope, (nodes.Module, nodes.ClassDef)) or len(bindings) != 1:
        return _VALUE, UNKNOWN
    if isinstance(bindings[0], (nodes.Import, nodes.ImportFrom)):
        qname = qualified_name(node) if isinstance(node, nodes.Name) else None
        return (_IMPORTED, qname) if qname else (_VALUE, UNKNOWN)
    return _BOUND, bindings[0]


@per_node
def _root(node: nodes.NodeNG) -> nodes.Module:
    return node.root()


@per_node
def _mro(cls: nodes.ClassDef) -> tuple[nodes.ClassDef, ...]:
    order: list[nodes.ClassDef] = []
    pending = [cls]
    while pending and len(order) < 64:
        klass = pending.pop(0)
        if any(klass is seen for seen in order):
            continue
        order.append(klass)
        bases = []
        for base in klass.bases:
            name = qualified_name(base)
            base_cls = project_class(name, base) if name else None
            if base_cls is not None:
                bases.append(base_cls)
        pending = bases + pending
    return tuple(order)


@per_node
def decorator_kind(node: nodes.FunctionDef) -> str | None:
    """None for a plain function, "staticmethod", "classmethod" or "property", or "opaque" when a
    decorator may change what the function does."""
    kind = None
    for decorator in node.decorators.nodes if node.decorators else ():
        target = decorator.func if isinstance(decorator, nodes.Call) else decorator
        name = qualified_name(target) or (target.name if isinstance(target, nodes.Name) else None)
        name = f"builtins.{name}" if name in ("staticmethod", "classmethod", "property") else name
        if name in _KINDS:
            kind = _KINDS[name]
        elif name not in _TRANSPARENT_DECORATORS:
            return "opaque"
    return kind


def _outside_project(qname: str) -> bool:
    """Names of the standard library and torch, never looked up as project files."""
    return qname.split(".", 1)[0] in ("builtins", "math", "torch", "collections", "functools", "typing", "operator")


def _changed_elsewhere(name: str, module: nodes.Module) -> bool:
    """Whether a global container may be changed in place anywhere in its module: a method called on it,
    an item assigned or deleted, `+=`, or a `global` statement naming it."""
    for node in descendants(module, (nodes.Call, nodes.Subscript, nodes.AugAssign, nodes.Global)):
        if isinstance(node, nodes.Global):
            if name in node.names:
                return True
        elif isinstance(node, nodes.Call):
            if isinstance(node.func, nodes.Attribute) and _is_name(node.func.expr, name):
                return True
        elif isinstance(node, nodes.AugAssign):
            if isinstance(node.target, nodes.AssignName) and node.target.name == name:
                return True
        elif _is_name(node.value, name) and isinstance(node.parent, (nodes.Assign, nodes.AugAssign, nodes.Delete)) \
                and node is not getattr(node.parent, "value", None):
            return True
    return False


def _redefinitions(cls: nodes.ClassDef, found: list[nodes.NodeNG]) -> bool:
    """Whether every binding is a `def` directly in the class body (overloads, `@torch.jit._overload_method`):
    the last one wins, as Python runs the body in order."""
    return all(isinstance(node, nodes.FunctionDef) and node.parent is cls for node in found)


def _reassigned_on_class(cls: nodes.ClassDef, name: str) -> bool:
    """Whether the module assigns the class attribute from outside (`Block.expansion = 4`)."""
    return (cls.name, name) in _attribute_assignments(cls.root())


@functools.lru_cache(maxsize=64)
def _attribute_assignments(module: nodes.Module) -> frozenset[tuple[str, str]]:
    """(name, attribute) of every `name.attribute = ...` in a module."""
    return frozenset((node.expr.name, node.attrname) for node in descendants(module, nodes.AssignAttr)
                     if isinstance(node.expr, nodes.Name))


def _is_name(node: nodes.NodeNG, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name


def _owner_class(node: nodes.NodeNG) -> nodes.ClassDef | None:
    parent = node.parent
    return parent if isinstance(parent, nodes.ClassDef) else None


@per_node
def _is_generator(node: nodes.FunctionDef | nodes.Lambda) -> bool:
    return isinstance(node, nodes.FunctionDef) and node.is_generator()
