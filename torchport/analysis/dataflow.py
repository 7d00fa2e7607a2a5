"""Data flow inside one file, without inference: where a value can come from.

Rules that follow values (a model instance to its call, a tensor to the loss it feeds) need the
same few facts: which bindings of a name reach a use, what expression a binding assigns, what a
call passes for a parameter, what a function returns, what `self.<attr>` is set to. They all come
from astroid's lexical lookup and the syntax tree: astroid's `infer()` is never called, so nothing
here depends on whether torch is installed. Every answer may be incomplete; callers treat what
they cannot see as unknown.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from astroid import nodes
from astroid.exceptions import NoDefault

from torchport.analysis.budget import tick
from torchport.analysis.names import call_name, per_node
from torchport.analysis.node_index import descendants

_LOOPS = (nodes.For, nodes.While)
# Methods that change a Module or a container after it was built (what calling it returns, too).
_CHANGING_METHODS = frozenset(
    {"add_module", "register_module", "append", "extend", "insert", "register_forward_hook", "__setitem__"}
)
_NESTED_SCOPES = (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)
_NOT_INSTANCE_METHODS = frozenset({"staticmethod", "classmethod"})


def reaching_bindings(name: nodes.Name) -> list[nodes.NodeNG]:
    """The bindings whose value may reach this use of a name.

    astroid's lookup gives the last binding of straight-line code and every branch of an `if` or
    `try`; bindings later in an enclosing loop of the same scope, which reach the use on the next
    iteration, are added.
    """
    tick()
    try:
        scope, found = name.lookup(name.name)
    except Exception:  # astroid lookup on malformed trees: nothing is known
        return []
    bindings = list(found)
    if scope is not name.scope():
        return bindings
    for loop in _enclosing_loops(name, scope):
        for binding in scope.locals.get(name.name, []):
            if binding.fromlineno > name.fromlineno and loop.parent_of(binding) and binding not in bindings:
                bindings.append(binding)
    return bindings


def _enclosing_loops(node: nodes.NodeNG, scope: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    parent = node.parent
    while parent is not None and parent is not scope:
        if isinstance(parent, _LOOPS):
            yield parent
        parent = parent.parent


def bound_value(binding: nodes.NodeNG) -> nodes.NodeNG | None:
    """The expression a plain binding assigns: `x = value`, `a = x = value`, `x: T = value`,
    `(x := value)`, and the same with `self.x` targets. None for any other binding (unpacking,
    loop targets, augmented assignment, imports, parameters)."""
    parent = binding.parent
    if isinstance(parent, nodes.Assign) and any(target is binding for target in parent.targets):
        return parent.value
    if isinstance(parent, (nodes.AnnAssign, nodes.NamedExpr)) and parent.target is binding:
        return parent.value
    return None


def parameter_owner(binding: nodes.NodeNG) -> nodes.FunctionDef | None:
    """The function whose named parameter `binding` is (None for `*args`, `**kwargs`, lambdas)."""
    if isinstance(binding, nodes.AssignName) and isinstance(binding.parent, nodes.Arguments):
        function = binding.parent.parent
        if isinstance(function, nodes.FunctionDef) and binding.name not in (
            binding.parent.vararg,
            binding.parent.kwarg,
        ):
            return function
    return None


def is_instance_method(function: nodes.FunctionDef) -> bool:
    """A function defined in a class body whose first parameter is the instance. Decorators are
    read by name only (inferring them could lead into torch)."""
    if not isinstance(function.parent, nodes.ClassDef) or not _positional(function):
        return False
    decorators = function.decorators.nodes if function.decorators else []
    return not any(isinstance(d, nodes.Name) and d.name in _NOT_INSTANCE_METHODS for d in decorators)


def self_parameter_class(binding: nodes.NodeNG) -> nodes.ClassDef | None:
    """The class whose instance `binding` is, when it is the first parameter of an instance method."""
    function = parameter_owner(binding)
    if function is not None and is_instance_method(function) and _positional(function)[0] is binding:
        return function.parent
    return None


def _positional(function: nodes.FunctionDef) -> list[nodes.AssignName]:
    return list(function.args.posonlyargs or []) + list(function.args.args or [])


def bind_argument(call: nodes.Call, function: nodes.FunctionDef, parameter: str, skip: int = 0) -> nodes.NodeNG | None:
    """The expression `call` passes for `parameter` of `function`, or the parameter's default when
    the call omits it. `skip` leading parameters are bound implicitly (1 for `self` when a class is
    called). None when unknowable: `*args`/`**kwargs` at the call, or no argument and no default."""
    if any(isinstance(arg, nodes.Starred) for arg in call.args):
        return None
    keywords = call.keywords or []
    if any(keyword.arg is None for keyword in keywords):
        return None
    for keyword in keywords:
        if keyword.arg == parameter:
            return keyword.value
    names = [arg.name for arg in _positional(function)][skip:]
    if parameter in names and names.index(parameter) < len(call.args):
        return call.args[names.index(parameter)]
    try:
        return function.args.default_value(parameter)
    except NoDefault:
        return None


def _walk_scope(node: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """The nodes of a function's body in source order, not descending into nested functions,
    lambdas or classes."""
    pending = list(reversed(list(node.get_children())))
    while pending:
        child = pending.pop()
        yield child
        if not isinstance(child, _NESTED_SCOPES):
            pending.extend(reversed(list(child.get_children())))


# The answers below hold nodes of the tree they describe, so they are kept on the node itself (`per_node`):
# in a weak-keyed table, the answer would keep its own key, and so every tree, alive for the whole process.


@per_node
def returned_values(function: nodes.FunctionDef) -> list[nodes.NodeNG | None]:
    """The expressions a function returns, None standing for a bare `return`. Empty for
    generators and for functions that never return a value."""
    return [] if function.is_generator() else [
        node.value for node in _walk_scope(function) if isinstance(node, nodes.Return)
    ]


@per_node
def attribute_values(cls: nodes.ClassDef) -> dict[str, list[nodes.NodeNG | None]]:
    """What a class's own code assigns to each attribute of its instances: `self.<attr> = value`
    in its instance methods (nested functions included) and `attr = value` in its body. None
    stands for an assignment whose value is not a plain expression (unpacking, `+=`, ...)."""
    found: dict[str, list[nodes.NodeNG | None]] = defaultdict(list)
    for statement in cls.body:
        if isinstance(statement, nodes.FunctionDef) and is_instance_method(statement):
            self_name = _positional(statement)[0].name
            for target in descendants(statement, nodes.AssignAttr):
                if isinstance(target.expr, nodes.Name) and target.expr.name == self_name:
                    found[target.attrname].append(bound_value(target))
    for name, bindings in cls.locals.items():
        for binding in bindings:
            if isinstance(binding, nodes.AssignName) and binding.frame() is cls:
                found[name].append(bound_value(binding))
    return dict(found)


@dataclass
class CallIndex:
    """Every call of a module, in source order, with its callee's canonical name, and the calls
    grouped by that name (to find the call sites of a function or class of the module)."""

    calls: list[nodes.Call] = field(default_factory=list)
    names: dict[nodes.Call, str | None] = field(default_factory=dict)
    by_callee: dict[str, list[nodes.Call]] = field(default_factory=lambda: defaultdict(list))


@per_node
def call_index(module: nodes.Module) -> CallIndex:
    """The module's CallIndex, built in one walk of the tree and cached."""
    index = CallIndex()
    for call in descendants(module, nodes.Call):
        name = call_name(call)
        index.calls.append(call)
        index.names[call] = name
        if name is not None:
            index.by_callee[name].append(call)
    return index


_changed_cache: weakref.WeakKeyDictionary[nodes.Module, frozenset[str]] = weakref.WeakKeyDictionary()


def changed_after_construction(module: nodes.Module) -> frozenset[str]:
    """Names of variables and attributes whose object the module may change after building it:
    receivers of `add_module`/`append`/... calls, item assignment and deletion (`del layers[-1]`)
    and attributes assigned on anything but `self` (`model.fc = ...`). Only the last name counts
    (`model.head` -> `head`), so an answer errs on the side of "changed"."""
    cached = _changed_cache.get(module)
    if cached is not None:
        return cached
    changed: set[str | None] = set()
    for node in descendants(module, (nodes.Call, nodes.AssignAttr, nodes.Subscript)):
        if isinstance(node, nodes.Call):
            if isinstance(node.func, nodes.Attribute) and node.func.attrname in _CHANGING_METHODS:
                changed.add(last_name(node.func.expr))
        elif isinstance(node, nodes.AssignAttr):
            if not _is_self_name(node.expr):
                changed.add(node.attrname)
        elif isinstance(node.parent, (nodes.Assign, nodes.Delete)) and node in node.parent.targets:
            changed.add(last_name(node.value))  # `layers[-1] = ...`, `del layers[-1]`
    cached = frozenset(name for name in changed if name is not None)
    _changed_cache[module] = cached
    return cached


def last_name(node: nodes.NodeNG) -> str | None:
    """`Linear` for `nn.Linear` or `Linear`; None for any other expression."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Attribute):
        return node.attrname
    return None


def _is_self_name(node: nodes.NodeNG) -> bool:
    """Whether `node` is the first parameter of the instance method it is used in."""
    function = node.frame()
    return (
        isinstance(node, nodes.Name)
        and isinstance(function, nodes.FunctionDef)
        and is_instance_method(function)
        and node.name == _positional(function)[0].name
    )
