"""A small evaluator of Python source, symbolic and bounded: what the Keras reader follows a file with.

It computes constants and arithmetic, strings (f-strings, `str.format`), tuples, lists and dicts,
list comprehensions and `for` loops over constant iterables (unrolled, at most _MAX_UNROLL
iterations), `if` on a constant, a few builtins on literals, and calls of the module's own top-level
functions (inlined, at most _MAX_CALL_DEPTH deep). An `if` whose condition is not a constant is still
followed when its condition is one with the function's parameters at their defaults (noted as an
assumption), or when both branches are the same code but for constants (those become unknown). Attributes are followed on `self` only. Everything
else is UNKNOWN; a statement it cannot follow makes what it assigns unknown. At most _MAX_STEPS
statements are followed per module. It never imports, runs or infers anything.

Subclasses give values their meaning through the hooks (`special_call`, `project_class`,
`assign_attribute`, `unpack`, `opaque_value`, `touch`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import astroid
from astroid import nodes

from torchport.advisor.pybuiltins import BUILTINS, bounded
from torchport.analysis.budget import tick
from torchport.analysis.node_index import descendants
from torchport.keras.values import UNKNOWN

_MAX_UNROLL = 256  # iterations of one loop (or comprehension) followed before giving up
_MAX_CALL_DEPTH = 6  # nested calls of the module's own functions
_MAX_STEPS = 10_000  # statements followed in one module (keras.applications.densenet, 4 models of up to 708 layers: 2,677)
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
}
_LITERAL_TYPES = (int, float, str, bool, type(None))


def is_literal(value: Any) -> bool:
    if isinstance(value, _LITERAL_TYPES):
        return True
    return isinstance(value, (tuple, list)) and all(is_literal(v) for v in value)


def literal(value: Any) -> Any:
    """Lists become tuples: record values are hashable literals."""
    return tuple(literal(v) for v in value) if isinstance(value, (tuple, list)) else value


class Return(Exception):
    """A `return` (or `raise`: UNKNOWN) ending the function being followed."""

    def __init__(self, value: Any) -> None:
        self.value = value


class Evaluator:
    """Follows the statements of one module's code with symbolic values."""

    def __init__(self, module: nodes.Module) -> None:
        self.module = module
        self.globals: dict[str, Any] = {}
        self.depth = 0  # inlined calls in progress
        self.steps = 0  # statements followed, bounded by _MAX_STEPS
        self.uncertain: set[nodes.Const] = set()  # constants of an `if` followed whatever its condition

    @property
    def exhausted(self) -> bool:
        return self.steps > _MAX_STEPS

    # ---- hooks -----------------------------------------------------------------------------------

    def special_call(self, node: nodes.Call, args: list[Any], kwargs: dict[str, Any], env: dict[str, Any]) -> Any:
        """A call the subclass evaluates itself, or NotImplemented."""
        return NotImplemented

    def project_class(self, cls: nodes.ClassDef, node: nodes.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """An instance of one of the module's own classes."""
        return UNKNOWN

    def outside_name(self, node: nodes.Name | nodes.Attribute) -> Any:
        """A name the code does not bind (an import, a builtin) or an attribute of one."""
        return UNKNOWN

    def attribute(self, owner: Any, name: str) -> Any:
        """`owner.name` for a value the subclass knows (a tensor's shape), or NotImplemented."""
        return NotImplemented

    def assign_attribute(self, owner: Any, attribute: str, value: Any) -> None:
        """`owner.attribute = value` where owner is not `self`."""

    def unpack(self, value: Any, count: int) -> list[Any]:
        """`a, b = value` for a value that is not a tuple or list of `count` items."""
        return [UNKNOWN] * count

    def opaque_value(self, reason: str) -> Any:
        """What a name assigned by a statement that is not followed holds."""
        return UNKNOWN

    def touch(self, value: Any, reason: str) -> None:
        """`value` is used or replaced by a statement that is not followed, for `reason`."""

    def note(self, kind: str, text: str) -> None:
        """Something the models being read should say: a return not followed ("flow"), an assumption."""

    # ---- what the shape interpreter's builtins ask of an evaluator --------------------------------

    def iterate(self, value: Any) -> list[Any] | None:
        """The items of a sequence the code loops over, or None when unknown or too long to follow."""
        if isinstance(value, (tuple, list, range)) and len(value) <= _MAX_UNROLL:
            return list(value)
        return None

    def length(self, value: Any) -> Any:
        return len(value) if isinstance(value, (tuple, list, str, range, dict)) else UNKNOWN

    def binary(self, op: str, left: Any, right: Any) -> Any:
        return self._binary(op, left, right)

    # ---- statements ----------------------------------------------------------------------------

    def _block(self, body: list[nodes.NodeNG], env: dict[str, Any]) -> None:
        for statement in body:
            tick()
            self.steps += 1
            if self.exhausted:  # unrolled loops of inlined calls of loops...: stop (the caller notes it)
                raise Return(UNKNOWN)
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
            raise Return(UNKNOWN if node.value is None else self.ev(node.value, env))
        elif isinstance(node, nodes.If):
            self._if(node, env)
        elif isinstance(node, nodes.For):
            self._for(node, env)
        elif isinstance(node, nodes.With):
            self._block(node.body, env)
        elif isinstance(node, nodes.Try):  # followed as when nothing is raised
            self._block([*node.body, *node.orelse, *node.finalbody], env)
        elif isinstance(node, nodes.Raise):
            raise Return(UNKNOWN)
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
            else:
                self.assign_attribute(self.ev(target.expr, env), target.attrname, value)
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            items = self._unpack(value, len(target.elts))
            for element, item in zip(target.elts, items):
                self._assign(element, item, env)
        elif isinstance(target, nodes.Subscript):
            return

    def _unpack(self, value: Any, count: int) -> list[Any]:
        if isinstance(value, (tuple, list)) and len(value) == count:
            return list(value)
        return self.unpack(value, count)

    def _if(self, node: nodes.If, env: dict[str, Any]) -> None:
        test = self.ev(node.test, env)
        if test is UNKNOWN or not is_literal(test):
            test = self._with_defaults(node, env)
        if test is not UNKNOWN:
            self._block(node.body if test else node.orelse, env)
            return
        differing = _differing_constants(node.body, node.orelse)
        if differing is None:
            self._opaque(node, env, "`if`", "its condition is not a constant")
            return
        self.uncertain |= differing  # both branches are this code: its differing constants are unknown
        self._block(node.body, env)

    def _with_defaults(self, node: nodes.If | nodes.IfExp, env: dict[str, Any]) -> Any:
        """The condition's truth with the enclosing function's parameters it reads at their defaults, when
        those are what leaves it unknown (then noted as an assumption); else UNKNOWN."""
        function = node.scope()
        if not isinstance(function, nodes.FunctionDef):
            return UNKNOWN
        defaults: dict[str, Any] = {}
        for name in {n.name for n in descendants(node.test, nodes.Name)}:
            if is_literal(env.get(name, UNKNOWN)):
                continue
            try:
                default = function.args.default_value(name)
            except astroid.NoDefault:
                return UNKNOWN
            defaults[name] = self.ev(default, self.globals)
        test = self.ev(node.test, {**env, **defaults}) if defaults else UNKNOWN
        if test is UNKNOWN or not is_literal(test):
            return UNKNOWN
        given = ", ".join(f"{name}={value!r}" for name, value in sorted(defaults.items()))
        self.note("assumption", f"the `if` at line {node.lineno} is followed as when {given} (the default"
                                f"{'s' if len(defaults) > 1 else ''}: the value given is not known)")
        return bool(test)

    def _for(self, node: nodes.For, env: dict[str, Any]) -> None:
        items = self._iterable(node.iter, env)
        if items is None or node.orelse or any(descendants(node, (nodes.Break, nodes.Continue))):
            self._opaque(node, env, "loop", f"not over at most {_MAX_UNROLL} constant values, or with break/else")
            return
        for item in items:
            self._assign(node.target, item, env)
            self._block(node.body, env)

    def _iterable(self, node: nodes.NodeNG, env: dict[str, Any]) -> list[Any] | None:
        return self.iterate(self.ev(node, env))

    def _opaque(self, node: nodes.NodeNG, env: dict[str, Any], what: str, why: str) -> None:
        """A statement the evaluator does not follow: what it assigns becomes unknown, and the values it
        uses or assigns are told why (`touch`)."""
        reason = f"the {what} at line {node.lineno} is not followed ({why})"
        if any(descendants(node, nodes.Return)):  # the function may return something else there
            self.note("flow", f"{reason}: the function may return something else there")
        for child in descendants(node, (nodes.AssignName, nodes.AssignAttr)):
            key = child.name if isinstance(child, nodes.AssignName) else _attr_key(child)
            if key and key in env:
                self.touch(env[key], reason)
            if key:
                env[key] = self.opaque_value(reason)
        for call in descendants(node, nodes.Call):
            if isinstance(call.func, nodes.Attribute) and isinstance(call.func.expr, nodes.Name):
                self.touch(env.get(call.func.expr.name), reason)

    # ---- expressions ---------------------------------------------------------------------------

    def ev(self, node: nodes.NodeNG, env: dict[str, Any]) -> Any:
        tick()
        if isinstance(node, nodes.Const):
            return node.value if isinstance(node.value, _LITERAL_TYPES) and node not in self.uncertain else UNKNOWN
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
            return self._if_expression(node, env)
        if isinstance(node, nodes.Subscript):
            return self._subscript(node, env)
        if isinstance(node, nodes.Attribute):
            key = _attr_key(node)
            if key:
                return env.get(key, UNKNOWN)
            value = self.attribute(self.ev(node.expr, env), node.attrname)
            return self.outside_name(node) if value is NotImplemented else value
        if isinstance(node, nodes.ListComp):
            return self._comprehension(node, env)
        if isinstance(node, nodes.JoinedStr):
            return self._f_string(node, env)
        if isinstance(node, nodes.Call):
            return self._call(node, env)
        return UNKNOWN

    def _if_expression(self, node: nodes.IfExp, env: dict[str, Any]) -> Any:
        test = self.ev(node.test, env)
        if test is not UNKNOWN and is_literal(test):
            return self.ev(node.body if test else node.orelse, env)
        if not any(descendants(node, nodes.Call)):  # `1 if flag else 1`: both sides, when neither calls
            body, orelse = self.ev(node.body, env), self.ev(node.orelse, env)
            if is_literal(body) and body == orelse and type(body) is type(orelse):
                return body
        test = self._with_defaults(node, env)
        return UNKNOWN if test is UNKNOWN else self.ev(node.body if test else node.orelse, env)

    def _name(self, node: nodes.Name, env: dict[str, Any]) -> Any:
        if node.name in env:
            return env[node.name]
        if node.name in self.globals:
            return self.globals[node.name]
        if node.name == "__name__":
            return "__main__"
        return self.outside_name(node)

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
        return bounded(result) if is_literal(result) else UNKNOWN

    def _unary(self, op: str, value: Any) -> Any:
        if not is_literal(value):
            return UNKNOWN
        try:
            return {"-": operator.neg, "+": operator.pos, "not": operator.not_}[op](value)
        except (KeyError, TypeError):
            return UNKNOWN

    def _boolean(self, node: nodes.BoolOp, env: dict[str, Any]) -> Any:
        result: Any = None
        unknown = False  # an operand before was unknown: the value is unknown, unless an operand decides it
        for operand in node.values:
            result = self.ev(operand, env)
            if not is_literal(result):
                unknown = True
            elif (node.op == "and") != bool(result):  # a false operand of `and`, a true one of `or`
                return bool(result) if unknown else result  # after an unknown one: its truth only
        return UNKNOWN if unknown else result

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
        special = self.special_call(node, args, kwargs, env)
        if special is not NotImplemented:
            return special
        if isinstance(node.func, nodes.Attribute):
            owner = self.ev(node.func.expr, env)
            if isinstance(owner, str) and node.func.attrname == "format":  # "{}_bn".format(name)
                return _builtin(owner.format, args, kwargs)
            return UNKNOWN
        if not isinstance(node.func, nodes.Name) or node.func.name in env or node.func.name in self.globals:
            return UNKNOWN
        builtin = BUILTINS.get(f"builtins.{node.func.name}")
        if builtin is not None and node.func.name not in self.module.locals:
            return builtin(self, args, kwargs)  # the shape interpreter's builtins (bounded, on known values)
        target = next((n for n in self.module.body if isinstance(n, (nodes.FunctionDef, nodes.ClassDef))
                       and n.name == node.func.name), None)
        if isinstance(target, nodes.ClassDef):
            return self.project_class(target, node, args, kwargs)
        if target is None or self.depth >= _MAX_CALL_DEPTH:
            return UNKNOWN
        returned, _ = self.call_function(target, args, kwargs)
        return returned

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

    def call_function(self, function: nodes.FunctionDef, args: list[Any], kwargs: dict[str, Any],
                      env: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Evaluate `function`'s body with its parameters bound; (its return value, its locals)."""
        env = self.bind(function, args, kwargs) if env is None else env
        self.depth += 1
        try:
            self._block(function.body, env)
            returned = UNKNOWN
        except Return as result:
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


# per node type, the fields that are not children and must be equal for two nodes to be the same code
_LEAF_FIELDS: dict[type, tuple[str, ...]] = {
    nodes.Name: ("name",), nodes.AssignName: ("name",), nodes.Attribute: ("attrname",),
    nodes.AssignAttr: ("attrname",), nodes.BinOp: ("op",), nodes.AugAssign: ("op",), nodes.UnaryOp: ("op",),
    nodes.BoolOp: ("op",), nodes.Keyword: ("arg",),  # Compare: its operators, compared on their own
}


def _differing_constants(first: list[nodes.NodeNG], second: list[nodes.NodeNG]) -> set[nodes.Const] | None:
    """The constants of `first` that differ from `second`'s when the two blocks are the same code but for
    constants (`x = Conv2D(8, 3)(x)` and `x = Conv2D(16, 3)(x)`), else None. `if c: pass` with no else is not."""
    if len(first) != len(second) or not first:
        return None
    found: set[nodes.Const] = set()
    pairs = list(zip(first, second))
    while pairs:
        a, b = pairs.pop()
        if type(a) is not type(b):
            return None
        if isinstance(a, nodes.Const):
            if a.value != b.value or type(a.value) is not type(b.value):
                found.add(a)
            continue
        fields = _LEAF_FIELDS.get(type(a), ())
        if isinstance(a, nodes.Compare):
            if [op for op, _ in a.ops] != [op for op, _ in b.ops]:
                return None
        elif any(getattr(a, name) != getattr(b, name) for name in fields):
            return None
        children_a, children_b = list(a.get_children()), list(b.get_children())
        if len(children_a) != len(children_b):
            return None
        pairs.extend(zip(children_a, children_b))
    return found


def _builtin(function: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not all(is_literal(a) for a in [*args, *kwargs.values()]):
        return UNKNOWN
    try:
        result = function(*args, **kwargs)
    except Exception:  # int("x"), min(()): the value is unknown
        return UNKNOWN
    return UNKNOWN if result is None or not is_literal(result) else result


def _attr_key(node: nodes.Attribute | nodes.AssignAttr) -> str | None:
    """`self.dense` -> "self.dense" (attributes are followed on `self` only)."""
    if isinstance(node.expr, nodes.Name) and node.expr.name == "self":
        return f"self.{node.attrname}"
    return None


def _too_big(op: str, left: Any, right: Any) -> bool:
    """`10 ** 10 ** 10` or `'a' * 10 ** 9` would take the reader's time and memory: unknown."""
    if op == "**":
        return not isinstance(right, (int, float)) or abs(right) > 64
    if op == "*" and (isinstance(left, (str, tuple, list)) or isinstance(right, (str, tuple, list))):
        count = right if isinstance(left, (str, tuple, list)) else left
        return isinstance(count, int) and count > 10_000
    return False


