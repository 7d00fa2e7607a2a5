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

from collections.abc import Callable, Iterable
from typing import Any

from astroid import nodes

from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.expressions import ExpressionsMixin
from torchport.advisor.pybuiltins import BUILTINS, MAX_SIZE, SAFE_METHODS, Untracked, container_method
from torchport.advisor.scopes import ScopesMixin, decorator_kind
from torchport.advisor.state import TERMINAL, Budget, Frame, OutOfBudget, Outcome
from torchport.advisor.value_only import skippable
from torchport.advisor.values import (
    ClassRef,
    FunctionRef,
    MethodRef,
    NameRef,
    PartialRef,
    copy_containers,
    is_known,
    join,
    same,
    truth,
)
from torchport.analysis.names import canonical

MAX_LOOP_PASSES = 3  # passes over the body of a loop of unknown length before giving up on its variables


class Evaluator(ExpressionsMixin, ScopesMixin):
    """Python's statements and expressions over abstract values; see the module docstring."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self.forked = 0  # > 0 while running one of several possible paths (mutations there are uncertain)
        # per project function running: `forked` at the entry of each of its active calls (see call_function)
        self.active_calls: dict[nodes.NodeNG, list[int]] = {}
        self._statics: dict[int, Any] = {}  # module- and class-level assignments already evaluated
        self._static_pending: set[int] = set()
        self._resolved: dict[tuple[str, int], Any] = {}
        self.notes: list[tuple[nodes.NodeNG, str]] = []  # what could not be followed, for the user

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: nodes.NodeNG,
             frame: Frame) -> Any:
        """Call a value; the base knows Python's builtins and the project's functions."""
        if isinstance(callee, NameRef) and callee.qname in _LIBRARY_CALLS:
            return _LIBRARY_CALLS[callee.qname](self, args, kwargs)
        if isinstance(callee, NameRef) and callee.qname in BUILTINS:
            return BUILTINS[callee.qname](self, args, kwargs)
        if isinstance(callee, PartialRef):
            return self.call(callee.func, [*callee.args, *args], {**callee.kwargs, **kwargs}, node, frame)
        if isinstance(callee, FunctionRef):
            if isinstance(node.parent, nodes.Expr) and skippable(self, callee, args, kwargs):
                return None  # a weight initialiser: its result is discarded and it changes values only
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

    def exec_block(self, statements: Iterable[nodes.NodeNG], frame: Frame) -> Outcome:
        for statement in statements:
            outcome = self.exec_statement(statement, frame)
            if outcome is not Outcome.NORMAL:
                return outcome
        return Outcome.NORMAL

    def exec_statement(self, node: nodes.NodeNG, frame: Frame) -> Outcome:
        budget = self.budget  # Budget.tick inlined, as in `eval`
        if budget.steps >= budget.max_steps:
            budget.tick()
        budget.steps += 1
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
        test = self.condition(node.test, frame)
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
                ended = self._iteration(node, frame)
                if ended is not None:
                    return ended
        except Untracked:
            self._havoc([node], frame)
            return Outcome.NORMAL
        return self.exec_block(node.orelse, frame)

    def _iteration(self, loop: nodes.For | nodes.While, frame: Frame) -> Outcome | None:
        """One pass over a loop's body: how the loop ends if it ends here (break, return, raise), else None."""
        outcome = self.exec_block(loop.body, frame)
        if outcome is Outcome.BREAK:
            return Outcome.NORMAL
        return outcome if outcome in TERMINAL else None

    def element(self, iterable: Any) -> Any:
        """What one item of a sequence of unknown length is (a subclass knows tensor rows)."""
        return UNKNOWN

    def _exec_while(self, node: nodes.While, frame: Frame) -> Outcome:
        try:
            for _ in range(MAX_SIZE):
                test = self.condition(node.test, frame)
                if test is None:
                    return self._loop_unknown(node, frame, lambda: None)
                if not test:
                    return self.exec_block(node.orelse, frame)
                ended = self._iteration(node, frame)
                if ended is not None:
                    return ended
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
                after = frame.locals if outcome not in TERMINAL else state
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
            elif isinstance(target, nodes.DelAttr):
                self.delete_attribute(self.eval(target.expr, frame), target.attrname, target)
            elif isinstance(target, nodes.Subscript):
                container = self.eval(target.value, frame)
                if not self.delete_item(container, self.eval(target.slice, frame)):
                    self.forget(target.value, frame)
        return Outcome.NORMAL

    def delete_attribute(self, target: Any, name: str, node: nodes.NodeNG) -> None:
        """`del target.name`; the base tracks no object attributes."""

    def delete_item(self, container: Any, index: Any) -> bool:
        """`del container[index]` on a Python list or dict; False when it was not followed."""
        try:
            if isinstance(container, list) and isinstance(index, (int, slice)) or isinstance(container, dict):
                del container[index]
                return True
        except (KeyError, IndexError, TypeError):
            pass
        return False

    def _havoc(self, statements: Iterable[nodes.NodeNG], frame: Frame) -> None:
        """Forget every variable the statements may assign or mutate (their effect is not followed)."""
        for statement in statements:
            for name in _assigned_names(statement):
                frame.locals[name] = UNKNOWN

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


def _truth_of_items(stops_on: bool) -> Callable[[Evaluator, list[Any], dict[str, Any]], Any]:
    """`any` (stops on a true item) or `all` (on a false one) over items of possibly unknown truth."""
    def run(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
        items = ev.iterate(args[0]) if len(args) == 1 and not kwargs else None
        if items is None:
            return UNKNOWN
        result: Any = not stops_on
        for item in items:
            known = truth(item)
            if known is stops_on:
                return stops_on
            if known is None:
                result = UNKNOWN
        return result
    return run


# Library functions with a meaning here, before Python's builtins: `partial(f, ...)` a layer factory,
# `cast(T, v)` is `v`, `any`/`all` decided by items of known truth only (`all([unknown])` is unknown).
_LIBRARY_CALLS: dict[str, Callable[[Evaluator, list[Any], dict[str, Any]], Any]] = {
    "functools.partial": lambda ev, args, kwargs: PartialRef(args[0], tuple(args[1:]), kwargs) if args else UNKNOWN,
    "typing.cast": lambda ev, args, kwargs: args[1] if len(args) == 2 and not kwargs else UNKNOWN,
    "builtins.any": _truth_of_items(True),
    "builtins.all": _truth_of_items(False),
}


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


__all__ = ["Budget", "Evaluator", "Frame", "OutOfBudget", "Outcome", "decorator_kind"]
