"""An abstract evaluator of Python over astroid trees: the language half of the shape interpreter.

It runs statements and expressions on abstract values (`torchport.advisor.values`): known Python values
are computed for real, everything else is UNKNOWN. An `if` whose condition is unknown runs both branches
and keeps what both agree on; a loop over a known sequence is unrolled, a loop of unknown length runs
its body on joined states until they stop changing (else its variables become UNKNOWN). Returns,
breaks and raises are followed per path. Torch's meaning (Modules, tensors) is supplied by a subclass
through the hooks `call`, `get_attribute`, `set_attribute`, `get_item`, `iterate` and `binary`.

Work is bounded: `Budget` counts evaluation steps (the whole analysis stops when they run out) and
call depth (a call too deep gives UNKNOWN). Nothing here imports or runs the analysed code.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.advisor.dims import UNKNOWN, Expr, Unknown
from torchport.advisor.pybuiltins import (
    BUILTIN_NAMES,
    BUILTINS,
    MAX_SIZE,
    SAFE_METHODS,
    Untracked,
    bounded,
    container_method,
)
from torchport.advisor.values import (
    ClassRef,
    FunctionRef,
    MethodRef,
    NameRef,
    copy_containers,
    is_known,
    join,
    same,
    truth,
)
from torchport.analysis.modules import project_class
from torchport.analysis.names import canonical, qualified_name

MAX_LOOP_PASSES = 3  # passes over the body of a loop of unknown length before giving up on its variables


class OutOfBudget(Exception):
    """The analysis did too much work: its result is unknown."""


@dataclass
class Budget:
    max_steps: int = 200_000
    max_depth: int = 40
    steps: int = 0
    depth: int = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise OutOfBudget(f"more than {self.max_steps} evaluation steps")


class Outcome(enum.Enum):
    NORMAL = "normal"
    RETURN = "return"
    RAISE = "raise"
    BREAK = "break"
    CONTINUE = "continue"


_TERMINAL = (Outcome.RETURN, Outcome.RAISE)


@dataclass(eq=False)
class Frame:
    """The variables of one function call (or module / class body being evaluated for a constant)."""

    scope: nodes.NodeNG  # the FunctionDef, Lambda, Module or ClassDef whose names these are
    locals: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = None  # the enclosing function's frame, for closures and comprehensions
    returns: list[Any] = field(default_factory=list)
    owner: nodes.ClassDef | None = None  # the class a method is defined in, for `super()`

    def find(self, name: str) -> tuple[bool, Any]:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.locals:
                return True, frame.locals[name]
            frame = frame.parent
        return False, UNKNOWN


class Evaluator:
    """Python's statements and expressions over abstract values; see the module docstring."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self.forked = 0  # > 0 while running one of several possible paths (mutations there are uncertain)
        self._statics: dict[int, Any] = {}  # module- and class-level assignments already evaluated
        self._static_pending: set[int] = set()
        self._resolved: dict[tuple[str, int], Any] = {}
        self.notes: list[tuple[nodes.NodeNG, str]] = []  # what could not be followed, for the user

    # ------------------------------------------------------------------------------ hooks
    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG,
             frame: Frame) -> Any:
        """Call a value; the base knows Python's builtins and the project's functions."""
        if isinstance(callee, NameRef) and callee.qname in BUILTINS:
            return BUILTINS[callee.qname](self, args, kwargs)
        if isinstance(callee, FunctionRef):
            return self.call_function(callee, args, kwargs)
        if isinstance(callee, MethodRef) and type(callee.receiver) in SAFE_METHODS:
            if callee.name in SAFE_METHODS[type(callee.receiver)]:
                return container_method(self, callee.receiver, callee.name, args, kwargs)
        return UNKNOWN

    def get_attribute(self, value: Any, name: str, node: nodes.NodeNG) -> Any:
        if isinstance(value, NameRef):
            return self.resolve_qname(canonical(f"{value.qname}.{name}"), node)
        if isinstance(value, ClassRef):
            return self.class_attribute(value.classdef, name)
        if type(value) in SAFE_METHODS and name in SAFE_METHODS[type(value)]:
            return MethodRef(value, name)
        return UNKNOWN

    def set_attribute(self, target: Any, name: str, value: Any, node: nodes.NodeNG) -> None:
        """`target.name = value`; the base tracks no object attributes."""

    def get_item(self, value: Any, index: Any, node: nodes.NodeNG) -> Any:
        if isinstance(value, (list, tuple, str, range)):
            if isinstance(index, slice):
                if not all(isinstance(p, (int, type(None))) for p in (index.start, index.stop, index.step)):
                    return UNKNOWN
            elif not isinstance(index, int) or isinstance(index, bool):
                return UNKNOWN
            try:
                return value[index]
            except (IndexError, ValueError):
                return UNKNOWN
        if isinstance(value, dict):
            try:
                return value.get(index, UNKNOWN) if is_known(index) else UNKNOWN
            except TypeError:  # unhashable key
                return UNKNOWN
        return UNKNOWN

    def iterate(self, value: Any) -> list[Any] | None:
        """The items a `for` loop over the value visits, or None when they are not known."""
        if isinstance(value, (list, tuple, str, range)):
            return list(value) if len(value) <= MAX_SIZE else None
        if isinstance(value, dict):
            return list(value)
        return None

    def length(self, value: Any) -> Any:
        items = self.iterate(value)
        return UNKNOWN if items is None else len(items)

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
            items = self.iterate(right) if not isinstance(right, dict) else list(right)
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

    # ---------------------------------------------------------------------- statements
    def exec_block(self, statements: Iterable[nodes.NodeNG], frame: Frame) -> Outcome:
        for statement in statements:
            outcome = self.exec_statement(statement, frame)
            if outcome is not Outcome.NORMAL:
                return outcome
        return Outcome.NORMAL

    def exec_statement(self, node: nodes.NodeNG, frame: Frame) -> Outcome:
        self.budget.tick()
        handler = _STATEMENTS.get(type(node))
        if handler is None:
            self._havoc([node], frame)
            return Outcome.NORMAL
        return handler(self, node, frame)

    def _exec_expr(self, node: nodes.Expr, frame: Frame) -> Outcome:
        self.eval(node.value, frame)
        return Outcome.NORMAL

    def _exec_assign(self, node: nodes.Assign, frame: Frame) -> Outcome:
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.assign(target, value, frame)
        return Outcome.NORMAL

    def _exec_annassign(self, node: nodes.AnnAssign, frame: Frame) -> Outcome:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, frame), frame)
        return Outcome.NORMAL

    def _exec_augassign(self, node: nodes.AugAssign, frame: Frame) -> Outcome:
        current = self.load_target(node.target, frame)
        value = self.eval(node.value, frame)
        op = node.op[:-1]
        if isinstance(current, list) and op == "+":
            items = self.iterate(value)
            if items is None:
                self.assign(node.target, UNKNOWN, frame)
            else:
                current.extend(items)  # `a += b` extends the list in place, as Python does
            return Outcome.NORMAL
        self.assign(node.target, self.inplace(op, current, value, node), frame)
        return Outcome.NORMAL

    def inplace(self, op: str, current: Any, value: Any, node: nodes.NodeNG) -> Any:
        """`current op= value`; a subclass handles in-place ops on its own objects."""
        return self.binary(op, current, value, node)

    def _exec_return(self, node: nodes.Return, frame: Frame) -> Outcome:
        frame.returns.append(self.eval(node.value, frame) if node.value is not None else None)
        return Outcome.RETURN

    def _exec_raise(self, node: nodes.Raise, frame: Frame) -> Outcome:
        return Outcome.RAISE

    def _exec_pass(self, node: nodes.NodeNG, frame: Frame) -> Outcome:
        return Outcome.NORMAL

    def _exec_break(self, node: nodes.Break, frame: Frame) -> Outcome:
        return Outcome.BREAK

    def _exec_continue(self, node: nodes.Continue, frame: Frame) -> Outcome:
        return Outcome.CONTINUE

    def _exec_if(self, node: nodes.If, frame: Frame) -> Outcome:
        test = truth(self.eval(node.test, frame))
        if test is True:
            return self.exec_block(node.body, frame)
        if test is False:
            return self.exec_block(node.orelse, frame)
        return self.run_paths([node.body, node.orelse], frame)

    def run_paths(self, blocks: list[list[nodes.NodeNG]], frame: Frame) -> Outcome:
        """Run each block from the same state and join the states of the paths that go on."""
        start = frame.locals
        finished: list[tuple[Outcome, dict[str, Any]]] = []
        self.forked += 1
        try:
            for block in blocks:
                frame.locals = _copy_locals(start)
                finished.append((self.exec_block(block, frame), frame.locals))
        finally:
            self.forked -= 1
        if any(outcome in (Outcome.BREAK, Outcome.CONTINUE) for outcome, _ in finished):
            raise Untracked  # a loop exit that depends on an unknown condition: the loop is not followed
        going_on = [state for outcome, state in finished if outcome is Outcome.NORMAL]
        if not going_on:
            frame.locals = start
            return Outcome.RAISE if all(o is Outcome.RAISE for o, _ in finished) else Outcome.RETURN
        frame.locals = going_on[0]
        for state in going_on[1:]:
            frame.locals = join_locals(frame.locals, state)
        return Outcome.NORMAL

    def _exec_for(self, node: nodes.For, frame: Frame) -> Outcome:
        iterable = self.eval(node.iter, frame)
        items = self.iterate(iterable)
        if items is None:
            return self._loop_unknown(node, frame, lambda: self.assign(node.target, self.element(iterable), frame))
        try:
            for item in items:
                self.assign(node.target, item, frame)
                outcome = self.exec_block(node.body, frame)
                if outcome is Outcome.BREAK:
                    return Outcome.NORMAL
                if outcome in _TERMINAL:
                    return outcome
        except Untracked:
            self._havoc([node], frame)
            return Outcome.NORMAL
        return self.exec_block(node.orelse, frame)

    def element(self, iterable: Any) -> Any:
        """What one item of a sequence of unknown length is (a subclass knows tensor rows)."""
        return UNKNOWN

    def _exec_while(self, node: nodes.While, frame: Frame) -> Outcome:
        try:
            for _ in range(MAX_SIZE):
                test = truth(self.eval(node.test, frame))
                if test is None:
                    return self._loop_unknown(node, frame, lambda: None)
                if not test:
                    return self.exec_block(node.orelse, frame)
                outcome = self.exec_block(node.body, frame)
                if outcome is Outcome.BREAK:
                    return Outcome.NORMAL
                if outcome in _TERMINAL:
                    return outcome
        except Untracked:
            pass
        self._havoc([node], frame)
        return Outcome.NORMAL

    def _loop_unknown(self, node: nodes.For | nodes.While, frame: Frame, bind_target: Callable[[], None]) -> Outcome:
        """A loop that runs an unknown number of times: join the states after 0, 1, 2... passes until
        they stop changing; variables still changing after a few passes become UNKNOWN."""
        state = _copy_locals(frame.locals)
        self.forked += 1
        try:
            for _ in range(MAX_LOOP_PASSES):
                frame.locals = _copy_locals(state)
                bind_target()
                outcome = self.exec_block(node.body, frame)
                after = frame.locals if outcome not in _TERMINAL else state
                joined = join_locals(state, after)
                if _same_locals(joined, state):
                    break
                state = joined
            else:
                frame.locals = state
                self._havoc([node], frame)
                return Outcome.NORMAL
        except Untracked:
            frame.locals = state
            self._havoc([node], frame)
            return Outcome.NORMAL
        finally:
            self.forked -= 1
        frame.locals = state
        self._havoc(node.orelse, frame)
        return Outcome.NORMAL

    def _exec_with(self, node: nodes.With, frame: Frame) -> Outcome:
        for context, target in node.items:
            self.eval(context, frame)
            if target is not None:
                self.assign(target, UNKNOWN, frame)
        return self.exec_block(node.body, frame)

    def _exec_try(self, node: nodes.Try, frame: Frame) -> Outcome:
        outcome = self.exec_block(node.body, frame)
        for handler in node.handlers:
            self._havoc([handler], frame)
        if outcome is Outcome.RAISE:
            outcome = Outcome.NORMAL  # a handler may catch it; its effects are forgotten above
        if outcome is Outcome.NORMAL:
            outcome = self.exec_block(node.orelse, frame)
        final = self.exec_block(node.finalbody, frame)
        return final if final is not Outcome.NORMAL else outcome

    def _exec_functiondef(self, node: nodes.FunctionDef, frame: Frame) -> Outcome:
        frame.locals[node.name] = self.function_value(node, frame) if decorator_kind(node) is None else UNKNOWN
        return Outcome.NORMAL

    def _exec_classdef(self, node: nodes.ClassDef, frame: Frame) -> Outcome:
        frame.locals[node.name] = ClassRef(node)
        return Outcome.NORMAL

    def _exec_delete(self, node: nodes.Delete, frame: Frame) -> Outcome:
        for target in node.targets:
            if isinstance(target, nodes.DelName):
                frame.locals[target.name] = UNKNOWN
        return Outcome.NORMAL

    def function_value(self, node: nodes.FunctionDef | nodes.Lambda, frame: Frame | None) -> FunctionRef:
        return FunctionRef(node, closure=frame if frame is not None and not isinstance(frame.scope, nodes.Module)
                           else None)

    def _havoc(self, statements: Iterable[nodes.NodeNG], frame: Frame) -> None:
        """Forget every variable the statements may assign or mutate (their effect is not followed)."""
        for statement in statements:
            for name in _assigned_names(statement):
                frame.locals[name] = UNKNOWN

    # ----------------------------------------------------------------------- assignment
    def assign(self, target: nodes.NodeNG, value: Any, frame: Frame) -> None:
        if isinstance(target, nodes.AssignName):
            frame.locals[target.name] = value
        elif isinstance(target, nodes.AssignAttr):
            self.set_attribute(self.eval(target.expr, frame), target.attrname, value, target)
        elif isinstance(target, nodes.Subscript):
            self.set_item(self.eval(target.value, frame), self.eval(target.slice, frame), value, target, frame)
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            self._unpack(target, value, frame)
        elif isinstance(target, nodes.Starred):
            self.assign(target.value, value, frame)

    def load_target(self, target: nodes.NodeNG, frame: Frame) -> Any:
        """What an assignment target holds now (`self.x` before `self.x += 1`)."""
        if isinstance(target, nodes.AssignName):
            found, value = frame.find(target.name)
            return value if found else self.lookup_static(target, target.name, frame)
        if isinstance(target, nodes.AssignAttr):
            return self.get_attribute(self.eval(target.expr, frame), target.attrname, target)
        if isinstance(target, nodes.Subscript):
            return self.get_item(self.eval(target.value, frame), self.eval(target.slice, frame), target)
        return UNKNOWN

    def _unpack(self, target: nodes.Tuple | nodes.List, value: Any, frame: Frame) -> None:
        items = self.iterate(value)
        starred = [i for i, elt in enumerate(target.elts) if isinstance(elt, nodes.Starred)]
        count = len(target.elts)
        if items is not None and (len(items) == count if not starred else len(items) >= count - 1):
            if starred:
                i = starred[0]
                tail = len(items) - (count - i - 1)
                items = [*items[:i], list(items[i:tail]), *items[tail:]]
            for elt, item in zip(target.elts, items):
                self.assign(elt, item, frame)
            return
        for elt in target.elts:
            self.assign(elt, UNKNOWN, frame)

    def set_item(self, container: Any, index: Any, value: Any, node: nodes.NodeNG, frame: Frame) -> None:
        """`container[index] = value` on a Python list or dict; anything else is forgotten."""
        try:
            if isinstance(container, dict) and is_known(index):
                container[index] = value
                return
            if isinstance(container, list) and isinstance(index, int):
                container[index] = value
                return
        except (TypeError, IndexError):
            pass
        self.forget(node.value, frame)

    def forget(self, node: nodes.NodeNG, frame: Frame) -> None:
        """The value an expression holds changed in a way not followed: make it UNKNOWN where possible."""
        if isinstance(node, nodes.Name):
            frame.locals[node.name] = UNKNOWN
        elif isinstance(node, nodes.Attribute):
            self.set_attribute(self.eval(node.expr, frame), node.attrname, UNKNOWN, node)

    # ----------------------------------------------------------------------- expressions
    def eval(self, node: nodes.NodeNG, frame: Frame) -> Any:
        self.budget.tick()
        handler = _EXPRESSIONS.get(type(node))
        return handler(self, node, frame) if handler is not None else UNKNOWN

    def _eval_const(self, node: nodes.Const, frame: Frame) -> Any:
        return node.value if not isinstance(node.value, bytes) else UNKNOWN

    def _eval_name(self, node: nodes.Name, frame: Frame) -> Any:
        found, value = frame.find(node.name)
        if found:
            return value
        return self.lookup_static(node, node.name, frame)

    def _eval_attribute(self, node: nodes.Attribute, frame: Frame) -> Any:
        return self.get_attribute(self.eval(node.expr, frame), node.attrname, node)

    def _eval_call(self, node: nodes.Call, frame: Frame) -> Any:
        callee = self.eval(node.func, frame)
        args = self.eval_sequence(node.args, frame)
        kwargs: dict[str, Any] | None = {}
        for keyword in node.keywords or ():
            value = self.eval(keyword.value, frame)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value  # type: ignore[index]
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
        of a container whose method it is."""
        if isinstance(callee, MethodRef) and isinstance(node.func, nodes.Attribute):
            self.forget(node.func.expr, frame)
        return UNKNOWN

    def eval_sequence(self, elements: Iterable[nodes.NodeNG], frame: Frame) -> list[Any] | None:
        """Evaluate list/tuple/argument elements, expanding `*x`; None when an expansion is unknown."""
        values: list[Any] = []
        for element in elements:
            if isinstance(element, nodes.Starred):
                items = self.iterate(self.eval(element.value, frame))
                if items is None:
                    return None
                values.extend(items)
            else:
                values.append(self.eval(element, frame))
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
        operand = self.eval(node.operand, frame)
        if node.op == "not":
            known = truth(operand)
            return UNKNOWN if known is None else not known
        return self.unary(node.op, operand, node)

    def unary(self, op: str, operand: Any, node: nodes.NodeNG | None = None) -> Any:
        if isinstance(operand, (int, float, Expr)):
            try:
                return {"-": operator.neg, "+": operator.pos, "~": operator.invert}[op](operand)
            except (TypeError, KeyError):
                return UNKNOWN
        return UNKNOWN

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
        test = truth(self.eval(node.test, frame))
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
            tests = [truth(self.eval(test, frame)) for test in generator.ifs]
            if None in tests:
                return False
            if all(tests) and not self._comprehend(node, rest, frame, results):
                return False
        return True

    # --------------------------------------------------------------------- names and calls
    def lookup_static(self, node: nodes.NodeNG, name: str, frame: Frame) -> Any:
        """A name not assigned in the running frames: a global, an import, a class or a builtin."""
        try:
            scope, bindings = node.lookup(name)
        except Exception:  # astroid lookup on malformed trees
            return UNKNOWN
        if not bindings or scope.root().name == "builtins":  # astroid answers builtins from its own stub
            return NameRef(f"builtins.{name}") if name in BUILTIN_NAMES else UNKNOWN
        if not isinstance(scope, (nodes.Module, nodes.ClassDef)) or len(bindings) != 1:
            return UNKNOWN  # a local never assigned on the path followed, or several candidate bindings
        if isinstance(bindings[0], (nodes.Import, nodes.ImportFrom)):
            qname = qualified_name(node) if isinstance(node, nodes.Name) else None
            return self.resolve_qname(qname, node) if qname else UNKNOWN
        return self.static_binding(bindings[0])

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
        key = (qname, id(context.root()))
        if key not in self._resolved:
            cls = project_class(qname, context) if "." in qname and not _outside_project(qname) else None
            self._resolved[key] = ClassRef(cls) if cls is not None else NameRef(qname)
        return self._resolved[key]

    def _static_assignment(self, binding: nodes.AssignName) -> Any:
        """The value of a module- or class-level `NAME = expression`, evaluated once."""
        statement = binding.statement()
        key = id(binding)
        if key in self._statics:
            return self._statics[key]
        if key in self._static_pending or not isinstance(statement, (nodes.Assign, nodes.AnnAssign)):
            return UNKNOWN
        self._static_pending.add(key)
        try:
            frame = Frame(statement.scope())
            self.exec_statement(statement, frame)
            value = frame.locals.get(binding.name, UNKNOWN)
        finally:
            self._static_pending.discard(key)
        self._statics[key] = value
        return value

    def class_attribute(self, cls: nodes.ClassDef, name: str) -> Any:
        """`Class.name`: a method, a nested class or a class-level constant, through project bases."""
        for klass in self.mro(cls):
            found = klass.locals.get(name)
            if found:
                return self.static_binding(found[-1]) if len(found) == 1 else UNKNOWN
        return UNKNOWN

    def mro(self, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
        """The class and its project base classes, depth first, left to right, each once."""
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
        return order

    def call_function(self, function: FunctionRef, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Run a project function (or lambda) with its arguments bound; UNKNOWN when too deep."""
        node = function.node
        if function.bound is not None:
            args = [function.bound, *args]
        if self.budget.depth >= self.budget.max_depth:
            return UNKNOWN
        frame = Frame(node, parent=function.closure, owner=_owner_class(node))
        if not self._bind(node.args, args, kwargs, frame, function.closure):
            return UNKNOWN
        self.budget.depth += 1
        try:
            if isinstance(node, nodes.Lambda):
                return self.eval(node.body, frame)
            outcome = self.exec_block(node.body, frame)
        finally:
            self.budget.depth -= 1
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

    def _bind(self, arguments: nodes.Arguments, args: list[Any], kwargs: dict[str, Any], frame: Frame,
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


# ---------------------------------------------------------------------------- helpers

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


def _copy_locals(state: dict[str, Any]) -> dict[str, Any]:
    memo: dict[int, Any] = {}
    return {name: copy_containers(value, memo) for name, value in state.items()}


def join_locals(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The variables after one of two paths: agreed values kept, others (and half-bound names) UNKNOWN."""
    return {name: join(a[name], b[name]) if name in a and name in b else UNKNOWN for name in {**a, **b}}


def _same_locals(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(same(a[k], b[k]) or (isinstance(a[k], Unknown) and isinstance(b[k], Unknown))
                                        for k in a)


def _assigned_names(node: nodes.NodeNG) -> set[str]:
    """Names a statement may bind or mutate in place (`x = ...`, `x.append(...)`, `x[i] = ...`)."""
    names: set[str] = set()
    for child in _walk_same_scope(node):
        if isinstance(child, nodes.AssignName):
            names.add(child.name)
        elif isinstance(child, nodes.Call) and isinstance(child.func, nodes.Attribute) \
                and isinstance(child.func.expr, nodes.Name):
            names.add(child.func.expr.name)
        elif isinstance(child, nodes.Subscript) and isinstance(child.value, nodes.Name) \
                and isinstance(child.parent, (nodes.Assign, nodes.AugAssign, nodes.Delete)):
            names.add(child.value.name)
    return names


def _walk_same_scope(node: nodes.NodeNG) -> Iterable[nodes.NodeNG]:
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        for child in current.get_children():
            if not isinstance(child, (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)):
                pending.append(child)


# Decorators that leave a method's meaning as it is (for shapes); any other makes the function opaque.
_TRANSPARENT_DECORATORS = frozenset({
    "torch.no_grad", "torch.inference_mode", "torch.enable_grad", "torch.jit.unused", "torch.jit.ignore",
    "torch.jit.export", "torch.compiler.disable", "typing.override", "typing_extensions.override",
    "functools.wraps",
})
_KINDS = {"builtins.staticmethod": "staticmethod", "builtins.classmethod": "classmethod",
          "builtins.property": "property"}


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


def _owner_class(node: nodes.NodeNG) -> nodes.ClassDef | None:
    parent = node.parent
    return parent if isinstance(parent, nodes.ClassDef) else None


def _is_generator(node: nodes.FunctionDef | nodes.Lambda) -> bool:
    return isinstance(node, nodes.FunctionDef) and node.is_generator()


_STATEMENTS: dict[type, Callable[[Evaluator, Any, Frame], Outcome]] = {
    nodes.Expr: Evaluator._exec_expr,
    nodes.Assign: Evaluator._exec_assign,
    nodes.AnnAssign: Evaluator._exec_annassign,
    nodes.AugAssign: Evaluator._exec_augassign,
    nodes.Return: Evaluator._exec_return,
    nodes.Raise: Evaluator._exec_raise,
    nodes.Pass: Evaluator._exec_pass,
    nodes.Break: Evaluator._exec_break,
    nodes.Continue: Evaluator._exec_continue,
    nodes.If: Evaluator._exec_if,
    nodes.For: Evaluator._exec_for,
    nodes.While: Evaluator._exec_while,
    nodes.With: Evaluator._exec_with,
    nodes.Try: Evaluator._exec_try,
    nodes.FunctionDef: Evaluator._exec_functiondef,
    nodes.ClassDef: Evaluator._exec_classdef,
    nodes.Delete: Evaluator._exec_delete,
    nodes.Assert: Evaluator._exec_pass,
    nodes.Import: Evaluator._exec_pass,
    nodes.ImportFrom: Evaluator._exec_pass,
    nodes.Global: Evaluator._exec_pass,
    nodes.Nonlocal: Evaluator._exec_pass,
}

_EXPRESSIONS: dict[type, Callable[[Evaluator, Any, Frame], Any]] = {
    nodes.Const: Evaluator._eval_const,
    nodes.Name: Evaluator._eval_name,
    nodes.Attribute: Evaluator._eval_attribute,
    nodes.Call: Evaluator._eval_call,
    nodes.Tuple: Evaluator._eval_tuple,
    nodes.List: Evaluator._eval_list,
    nodes.Dict: Evaluator._eval_dict,
    nodes.BinOp: Evaluator._eval_binop,
    nodes.UnaryOp: Evaluator._eval_unaryop,
    nodes.BoolOp: Evaluator._eval_boolop,
    nodes.Compare: Evaluator._eval_compare,
    nodes.IfExp: Evaluator._eval_ifexp,
    nodes.Subscript: Evaluator._eval_subscript,
    nodes.Slice: Evaluator._eval_slice,
    nodes.JoinedStr: Evaluator._eval_joinedstr,
    nodes.Lambda: Evaluator._eval_lambda,
    nodes.NamedExpr: Evaluator._eval_namedexpr,
    nodes.ListComp: Evaluator._eval_comprehension,
    nodes.GeneratorExp: Evaluator._eval_comprehension,
    nodes.SetComp: Evaluator._eval_comprehension,
    nodes.DictComp: Evaluator._eval_comprehension,
}
