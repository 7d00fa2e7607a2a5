"""Python expressions over abstract values: the evaluator's expression half.

Known values are computed for real (with bounded sizes); dims compare for every value of their symbols;
an operand of unknown truth makes `and`/`or`/`if-else` join their candidates. Calls, attributes and
subscripts go through the hooks a subclass gives torch's meaning (`call`, `get_attribute`, `get_item`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.advisor.dims import UNKNOWN, Expr, Unknown
from torchport.advisor.pybuiltins import MAX_SIZE, Untracked, bounded
from torchport.advisor.state import Frame
from torchport.advisor.values import MethodRef, is_known, join, same, truth


class ExpressionsMixin:
    """Expression evaluation; mixed into `Evaluator`, whose hooks and statements it uses."""

    def binary(self, op: str, left: Any, right: Any, node: nodes.NodeNG | None = None) -> Any:
        """`left op right` on Python values and dims (`node`: where, for a subclass that records)."""
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return UNKNOWN
        if op == "/" and (isinstance(left, Expr) or isinstance(right, Expr)):
            return UNKNOWN
        if op == "**" and not (isinstance(right, int) and 0 <= right <= 64 and not isinstance(left, Expr)):
            if not (isinstance(right, (int, float)) and isinstance(left, (int, float)) and abs(right) <= 64):
                return UNKNOWN
        if op == "*" and (_is_sequence(left) or _is_sequence(right)):
            count = right if _is_sequence(left) else left
            if not isinstance(count, int) or count * len(left if _is_sequence(left) else right) > MAX_SIZE:
                return UNKNOWN
        function = _BINARY.get(op)
        if function is None:
            return UNKNOWN
        try:
            result = function(left, right)
        except (TypeError, ValueError, ArithmeticError):
            return UNKNOWN
        return UNKNOWN if result is NotImplemented else bounded(result)

    def compare(self, op: str, left: Any, right: Any, node: nodes.NodeNG | None = None) -> Any:
        """One comparison (`==`, `<`, `is`, `in`...): True, False or UNKNOWN."""
        if op in ("is", "is not"):
            if left is None or right is None:
                other = right if left is None else left
                if isinstance(other, Unknown):
                    return UNKNOWN
                result = other is None
                return result if op == "is" else not result
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                return UNKNOWN
            return (left is right) if op == "is" else (left is not right)
        if op in ("in", "not in"):
            items = self.iterate(right)
            if items is None or not is_known(left) or not is_known(items):
                return UNKNOWN
            found = any(same(left, item) for item in items)
            return found if op == "in" else not found
        if isinstance(left, (Expr, Unknown)) or isinstance(right, (Expr, Unknown)):
            return _compare_dims(op, left, right)
        if not is_known(left) or not is_known(right) or not _plain(left) or not _plain(right):
            return UNKNOWN
        try:
            return bool(_COMPARE[op](left, right))
        except (TypeError, KeyError):
            return UNKNOWN

    def unary(self, op: str, operand: Any, node: nodes.NodeNG | None = None) -> Any:
        if isinstance(operand, (int, float, Expr)):
            try:
                return {"-": operator.neg, "+": operator.pos, "~": operator.invert}[op](operand)
            except (TypeError, KeyError):
                return UNKNOWN
        return UNKNOWN

    def eval(self, node: nodes.NodeNG, frame: Frame) -> Any:
        """One evaluation step. The hottest path of the interpreter: the budget's tick is inlined (the
        same count and limit as `Budget.tick`, which raises), and names, constants and attributes, three
        steps in four, are evaluated here rather than through the table."""
        budget = self.budget
        if budget.steps >= budget.max_steps:
            budget.tick()
        budget.steps += 1
        kind = type(node)
        if kind is _NAME:
            name = node.name
            local = frame.locals.get(name, _ABSENT)
            if local is not _ABSENT:
                return local
            found, value = frame.find(name)
            return value if found else self.lookup_static(node, name, frame)
        if kind is _CONST:
            value = node.value
            return value if not isinstance(value, bytes) else UNKNOWN
        if kind is _ATTRIBUTE:
            return self.get_attribute(self.eval(node.expr, frame), node.attrname, node)
        handler = _EXPRESSIONS.get(kind)
        return handler(self, node, frame) if handler is not None else UNKNOWN

    def _eval_call(self, node: nodes.Call, frame: Frame) -> Any:
        callee = self.eval(node.func, frame)
        args = self.eval_sequence(node.args, frame)
        kwargs: dict[str, Any] | None = {}
        for keyword in node.keywords or ():
            value = self.eval(keyword.value, frame)
            if keyword.arg is not None:
                if kwargs is not None:  # else an earlier `**mapping` was unknown: so is the whole call
                    kwargs[keyword.arg] = value
            elif isinstance(value, dict) and all(isinstance(k, str) for k in value) and kwargs is not None:
                kwargs.update(value)
            else:
                kwargs = None
        if args is None or kwargs is None:
            return self.call_unknown_arguments(callee, node, frame)
        try:
            return self.call(callee, args, kwargs, node, frame)
        except Untracked:
            if isinstance(node.func, nodes.Attribute):
                self.forget(node.func.expr, frame)
            return UNKNOWN

    def call_unknown_arguments(self, callee: Any, node: nodes.Call, frame: Frame) -> Any:
        """A call whose `*args` / `**kwargs` are not known: the result is unknown, and so is the state
        of a container whose method it is, or of the object a method is bound to."""
        if isinstance(callee, MethodRef) and isinstance(node.func, nodes.Attribute):
            self.forget(node.func.expr, frame)
        self.unfollowed_call([getattr(callee, "bound", None), getattr(callee, "receiver", None)])
        return UNKNOWN

    def eval_sequence(self, elements: Iterable[nodes.NodeNG], frame: Frame) -> list[Any] | None:
        """Evaluate list/tuple/argument elements, expanding `*x`; None when an expansion is unknown."""
        values: list[Any] = []
        evaluate = self.eval
        for element in elements:
            if isinstance(element, _STARRED):
                items = self.iterate(evaluate(element.value, frame))
                if items is None:
                    return None
                values.extend(items)
            else:
                values.append(evaluate(element, frame))
        return values

    def _eval_tuple(self, node: nodes.Tuple, frame: Frame) -> Any:
        values = self.eval_sequence(node.elts, frame)
        return UNKNOWN if values is None else tuple(values)

    def _eval_list(self, node: nodes.List, frame: Frame) -> Any:
        values = self.eval_sequence(node.elts, frame)
        return UNKNOWN if values is None else values

    def _eval_dict(self, node: nodes.Dict, frame: Frame) -> Any:
        result: dict[Any, Any] = {}
        for key, value in node.items:
            if isinstance(key, nodes.DictUnpack):
                other = self.eval(value, frame)
                if not isinstance(other, dict):
                    return UNKNOWN
                result.update(other)
                continue
            k = self.eval(key, frame)
            if not is_known(k):
                return UNKNOWN
            try:
                result[k] = self.eval(value, frame)
            except TypeError:  # unhashable key
                return UNKNOWN
        return result

    def _eval_binop(self, node: nodes.BinOp, frame: Frame) -> Any:
        return self.binary(node.op, self.eval(node.left, frame), self.eval(node.right, frame), node)

    def _eval_unaryop(self, node: nodes.UnaryOp, frame: Frame) -> Any:
        if node.op == "not":
            known = self.condition(node.operand, frame)
            return UNKNOWN if known is None else not known
        return self.unary(node.op, self.eval(node.operand, frame), node)

    def condition(self, node: nodes.NodeNG, frame: Frame) -> bool | None:
        """The truth of an expression (an `if` or `while` test), None when it is not known. `a and b` is
        false once an operand is known false and `a or b` true once one is known true, whatever the
        operands of unknown truth before it: Python returns either one of those (of that same truth) or
        the deciding operand."""
        if isinstance(node, nodes.BoolOp):
            stops_on = node.op == "or"  # `or` stops at a true operand, `and` at a false one
            result: bool | None = not stops_on
            for value_node in node.values:
                known = self.condition(value_node, frame)
                if known is stops_on:
                    return stops_on
                if known is None:
                    result = None
            return result
        if isinstance(node, nodes.UnaryOp) and node.op == "not":
            known = self.condition(node.operand, frame)
            return None if known is None else not known
        return truth(self.eval(node, frame))

    def _eval_boolop(self, node: nodes.BoolOp, frame: Frame) -> Any:
        """`a or b`, `a and b`: the operand that decides, joined over operands of unknown truth."""
        stops_on = node.op == "or"  # `or` stops at a true operand, `and` at a false one
        candidates: list[Any] = []
        value: Any = UNKNOWN
        for value_node in node.values:
            value = self.eval(value_node, frame)
            known = truth(value)
            if known is None:
                candidates.append(value)
            elif known == stops_on:
                break
        candidates.append(value)  # the stopping operand, or the last one when none stops
        result = candidates[0]
        for other in candidates[1:]:
            result = join(result, other)
        return result

    def _eval_compare(self, node: nodes.Compare, frame: Frame) -> Any:
        left = self.eval(node.left, frame)
        result: Any = True
        for op, right_node in node.ops:
            right = self.eval(right_node, frame)
            outcome = self.compare(op, left, right, node)
            if outcome is False:
                return False
            if isinstance(outcome, Unknown):
                result = UNKNOWN
            left = right
        return result

    def _eval_ifexp(self, node: nodes.IfExp, frame: Frame) -> Any:
        test = self.condition(node.test, frame)
        if test is True:
            return self.eval(node.body, frame)
        if test is False:
            return self.eval(node.orelse, frame)
        return join(self.eval(node.body, frame), self.eval(node.orelse, frame))

    def _eval_subscript(self, node: nodes.Subscript, frame: Frame) -> Any:
        return self.get_item(self.eval(node.value, frame), self.eval(node.slice, frame), node)

    def _eval_slice(self, node: nodes.Slice, frame: Frame) -> Any:
        parts = [self.eval(p, frame) if p is not None else None for p in (node.lower, node.upper, node.step)]
        return slice(*parts)

    def _eval_joinedstr(self, node: nodes.JoinedStr, frame: Frame) -> Any:
        text = ""
        for part in node.values:
            if isinstance(part, nodes.Const):
                text += str(part.value)
                continue
            if not isinstance(part, nodes.FormattedValue) or part.format_spec is not None or part.conversion not in (-1, None):
                return UNKNOWN
            value = self.eval(part.value, frame)
            if not isinstance(value, (int, str, float)) or isinstance(value, bool):
                return UNKNOWN
            text += str(value)
        return bounded(text)

    def _eval_lambda(self, node: nodes.Lambda, frame: Frame) -> Any:
        return self.function_value(node, frame)

    def _eval_namedexpr(self, node: nodes.NamedExpr, frame: Frame) -> Any:
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def _eval_comprehension(self, node: nodes.ListComp | nodes.GeneratorExp | nodes.SetComp | nodes.DictComp,
                            frame: Frame) -> Any:
        inner = Frame(node, parent=frame, owner=frame.owner)
        results: list[Any] = []
        if not self._comprehend(node, list(node.generators), inner, results):
            return UNKNOWN
        if isinstance(node, nodes.DictComp):
            try:
                return dict(results) if all(is_known(k) for k, _ in results) else UNKNOWN
            except TypeError:
                return UNKNOWN
        if isinstance(node, nodes.SetComp):
            return UNKNOWN
        return results

    def _comprehend(self, node: nodes.NodeNG, generators: list[nodes.Comprehension], frame: Frame,
                    results: list[Any]) -> bool:
        if not generators:
            if isinstance(node, nodes.DictComp):
                results.append((self.eval(node.key, frame), self.eval(node.value, frame)))
            else:
                results.append(self.eval(node.elt, frame))
            return len(results) <= MAX_SIZE
        generator, rest = generators[0], generators[1:]
        items = self.iterate(self.eval(generator.iter, frame))
        if items is None:
            return False
        for item in items:
            self.assign(generator.target, item, frame)
            tests = [self.condition(test, frame) for test in generator.ifs]
            if None in tests:
                return False
            if all(tests) and not self._comprehend(node, rest, frame, results):
                return False
        return True


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": dims.floordiv,
    "%": operator.mod, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift,
    "&": operator.and_, "|": operator.or_, "^": operator.xor,
}

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def _compare_dims(op: str, left: Any, right: Any) -> Any:
    """Compare dims for every value of their symbols; UNKNOWN when the answer depends on them."""
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return UNKNOWN
    if not (dims.is_dim(left) and dims.is_dim(right)):
        never_a_dim = (str, tuple, list, type(None))
        if op in ("==", "!=") and (isinstance(left, never_a_dim) or isinstance(right, never_a_dim)):
            return op == "!="  # a dim never equals a string, a sequence or None
        return UNKNOWN
    if op in ("==", "!="):
        relation = dims.compare(left, right).relation
        if relation is dims.Relation.EQUAL:
            return op == "=="
        if relation is dims.Relation.UNEQUAL:
            return op == "!="
        return UNKNOWN
    # every ordering as `a > b`, decided by the sign of a - b over all values of the symbols
    a, b = {">": (left, right), ">=": (left + 1, right), "<": (right, left), "<=": (right + 1, left)}[op]
    sign = dims.sign(a - b)
    return UNKNOWN if sign is None else sign == 1


def _plain(value: Any) -> bool:
    return isinstance(value, (int, float, str, tuple, list, dict, type(None), range)) and is_known(value)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, str))


_NAME, _CONST, _ATTRIBUTE = nodes.Name, nodes.Const, nodes.Attribute  # evaluated in `eval` itself
_ABSENT = object()  # a name not bound in the innermost frame
_STARRED = nodes.Starred

_EXPRESSIONS: dict[type, Callable[[Any, Any, Frame], Any]] = {
    nodes.Call: ExpressionsMixin._eval_call,
    nodes.Tuple: ExpressionsMixin._eval_tuple,
    nodes.List: ExpressionsMixin._eval_list,
    nodes.Dict: ExpressionsMixin._eval_dict,
    nodes.BinOp: ExpressionsMixin._eval_binop,
    nodes.UnaryOp: ExpressionsMixin._eval_unaryop,
    nodes.BoolOp: ExpressionsMixin._eval_boolop,
    nodes.Compare: ExpressionsMixin._eval_compare,
    nodes.IfExp: ExpressionsMixin._eval_ifexp,
    nodes.Subscript: ExpressionsMixin._eval_subscript,
    nodes.Slice: ExpressionsMixin._eval_slice,
    nodes.JoinedStr: ExpressionsMixin._eval_joinedstr,
    nodes.Lambda: ExpressionsMixin._eval_lambda,
    nodes.NamedExpr: ExpressionsMixin._eval_namedexpr,
    nodes.ListComp: ExpressionsMixin._eval_comprehension,
    nodes.GeneratorExp: ExpressionsMixin._eval_comprehension,
    nodes.SetComp: ExpressionsMixin._eval_comprehension,
    nodes.DictComp: ExpressionsMixin._eval_comprehension,
}
