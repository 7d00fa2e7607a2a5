"""What the Keras-conventions rules share: call arguments, constants, loops and the values a name
or a `self` attribute may hold, all read from the syntax tree (never inferred)."""

from __future__ import annotations

from astroid import nodes

from torchport.analysis import dataflow
from torchport.analysis.model import class_and_bases


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = _Sentinel("ABSENT")  # the call does not pass the argument: its default applies
UNKNOWN = _Sentinel("UNKNOWN")  # cannot be known (`*args`, `**kwargs`, a value that is not a constant)

_LOOPS = (nodes.For, nodes.While)
_FRAMES = (nodes.FunctionDef, nodes.Lambda, nodes.ClassDef, nodes.Module)
_MAX_DEPTH = 8
_SHORT_PREFIXES = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."))


def argument(call: nodes.Call, keyword: str, position: int | None) -> nodes.NodeNG | _Sentinel:
    """What a call passes for a parameter given by keyword or at `position` among the positional
    arguments: the expression, ABSENT, or UNKNOWN when `*args` or `**kwargs` may hold it."""
    for given in call.keywords or ():
        if given.arg == keyword:
            return given.value
    args = list(call.args)
    starred = next((i for i, arg in enumerate(args) if isinstance(arg, nodes.Starred)), None)
    if position is not None and position < len(args) and (starred is None or starred > position):
        return args[position]
    if starred is not None or any(given.arg is None for given in call.keywords or ()):
        return UNKNOWN
    return ABSENT


def constant(node: nodes.NodeNG | _Sentinel, depth: int = 0) -> object:
    """The Python value of a constant expression (`0.99`, `-1`, `(2, 2)`, `'same'`, a name bound only
    to constants that agree), else UNKNOWN."""
    if isinstance(node, _Sentinel) or depth > _MAX_DEPTH:
        return UNKNOWN
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.UnaryOp) and node.op in ("-", "+"):
        value = constant(node.operand, depth + 1)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if node.op == "-" else value
        return UNKNOWN
    if isinstance(node, nodes.Tuple):
        values = tuple(constant(element, depth + 1) for element in node.elts)
        return UNKNOWN if any(value is UNKNOWN for value in values) else values
    if isinstance(node, nodes.Name):
        found = {repr(value): value for value in _name_constants(node, depth)}
        return next(iter(found.values())) if len(found) == 1 else UNKNOWN
    return UNKNOWN


def _name_constants(name: nodes.Name, depth: int) -> list[object]:
    bindings = dataflow.reaching_bindings(name)
    values = [constant(dataflow.bound_value(b) or UNKNOWN, depth + 1) for b in bindings]
    return [] if not values or any(value is UNKNOWN for value in values) else values


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def shown(qname: str) -> str:
    """A torch name as users write it: `torch.nn.LSTM` -> `nn.LSTM`, `torch.nn.functional.dropout`
    -> `F.dropout`."""
    for prefix, short in _SHORT_PREFIXES:
        if qname.startswith(prefix):
            return short + qname[len(prefix):]
    return qname


def enclosing_loop(node: nodes.NodeNG) -> nodes.For | nodes.While | None:
    """The innermost `for`/`while` around a node in its own function (or module level); a loop
    around a nested function's definition does not count."""
    current = node.parent
    child = node
    while current is not None and not isinstance(current, _FRAMES):
        if isinstance(current, _LOOPS) and child is not getattr(current, "iter", None) \
                and child not in current.orelse:
            return current
        child, current = current, current.parent
    return None


def enclosing_method(node: nodes.NodeNG) -> nodes.FunctionDef | None:
    """The instance method whose body holds the node, directly or in functions nested in it."""
    frame = node.frame()
    while isinstance(frame, (nodes.FunctionDef, nodes.Lambda)):
        if isinstance(frame, nodes.FunctionDef) and dataflow.is_instance_method(frame):
            return frame
        frame = frame.parent.frame() if frame.parent is not None else None
    return None


def expression_values(expr: nodes.NodeNG, changed: frozenset[str]) -> list[nodes.NodeNG] | None:
    """The expressions a name or `self.<attr>` may hold where it is read: the values of the name's
    reaching plain assignments, or everything the class and its project bases assign to the
    attribute. None when one of them is unknown (a parameter, unpacking, a loop target, an
    attribute the file changes from outside the class)."""
    if isinstance(expr, nodes.Name):
        bindings = dataflow.reaching_bindings(expr)
        values = [dataflow.bound_value(binding) for binding in bindings]
        return None if not values or any(v is None for v in values) else values  # type: ignore[return-value]
    if isinstance(expr, nodes.Attribute) and isinstance(expr.expr, nodes.Name) and expr.attrname not in changed:
        bindings = dataflow.reaching_bindings(expr.expr)
        cls = dataflow.self_parameter_class(bindings[0]) if len(bindings) == 1 else None
        if cls is None:
            return None
        values = [v for klass in class_and_bases(cls) for v in dataflow.attribute_values(klass).get(expr.attrname, [])]
        return None if not values or any(v is None for v in values) else values  # type: ignore[return-value]
    return None
