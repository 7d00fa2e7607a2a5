"""Training loops written the way `model.fit` hides them: no zero_grad() (W7405), and loss
tensors, with their autograd graphs, kept across steps (W7407)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from astroid import nodes

from torchport.analysis import dataflow
from torchport.analysis.layers import LAYERS, LayerKind
from torchport.analysis.model import class_and_bases, find_method
from torchport.analysis.names import call_name, qualified_name
from torchport.analysis.node_index import descendants
from torchport.rules.finding import Finding
from torchport.rules.keras_conventions.calls import Calls
from torchport.rules.keras_conventions.common import enclosing_loop

# --- tables ---------------------------------------------------------------------------------------

# torch.optim.<Class> (also through its private modules) is an optimizer, except in these modules.
_NOT_OPTIMIZER_MODULES = frozenset({"lr_scheduler", "swa_utils"})
# A receiver of `.step()` whose values cannot be seen is an optimizer when its name says so:
# optimizer, optim, opt, g_optimizer, optimizer_d, opt2...
OPTIMIZER_NAME = re.compile(r"^(?:\w*_)?(?:opt|optim|optimi[sz]er)(?:_\w*|\d*)$")
# What clears gradients: a call of anything named like zero_grad (`optimizer.zero_grad()`,
# `model.zero_grad(set_to_none=True)`, a helper `zero_grad_all()`), `p.grad = None`, `del p.grad`,
# and these methods on `p.grad` or `p.grad.data` (`p.grad.zero_()`).
CLEARING_NAME = "zero_grad"
GRAD_CLEARING_METHODS = frozenset({"zero_", "fill_"})
# `loss.backward()`, `torch.autograd.backward(...)`, `accelerator.backward(loss)`: any call spelled so.
BACKWARD = "backward"
# Contexts and decorators under which no graph is recorded.
NO_GRAD = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
                     "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"})
GRAD_SWITCH = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled"})

LOSS_CLASSES = frozenset(name for name, layer in LAYERS.items() if layer.kind is LayerKind.LOSS)
LOSS_FUNCTIONS = frozenset(
    layer.functional for layer in LAYERS.values() if layer.kind is LayerKind.LOSS and layer.functional
)
_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_MODULE_RETURNING = frozenset({"to", "cuda", "cpu"})
_MAX_DEPTH = 6


class _Rule:
    """One module's training-loop checks, with their memos."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.module = calls.module
        self._clears: dict[nodes.NodeNG, bool] = {}
        self._backward: dict[nodes.NodeNG, list[nodes.Call]] = {}
        self._loss_objects: dict[nodes.NodeNG, bool] = {}

    @functools.cached_property
    def changed(self) -> frozenset[str]:
        return dataflow.changed_after_construction(self.module)

    # --- W7405 ------------------------------------------------------------------------------------

    def missing_zero_grad(self) -> Iterator[Finding]:
        for call in self.calls.spelled("step"):
            func = call.func
            if not isinstance(func, nodes.Attribute):
                continue
            optimizer = self._stepped_optimizer(call)
            loop = enclosing_loop(call) if optimizer is not None else None
            if loop is None or not self._backward_calls(loop) or self._clears_gradients(loop, 0):
                continue
            shown = optimizer.as_string()  # type: ignore[union-attr]
            yield Finding("zero-grad-missing", call, (shown, shown))

    def _stepped_optimizer(self, call: nodes.Call) -> nodes.NodeNG | None:
        """The optimizer `opt.step()` / `opt.step(closure)` / `scaler.step(opt)` steps, if known."""
        receiver = call.func.expr  # type: ignore[attr-defined]
        if self._is_optimizer(receiver):
            return receiver
        if len(call.args) == 1 and not call.keywords and self._is_optimizer(call.args[0]):
            return call.args[0]
        return None

    def _is_optimizer(self, expr: nodes.NodeNG) -> bool:
        if isinstance(expr, nodes.Name):
            name = expr.name
        elif isinstance(expr, nodes.Attribute):
            name = expr.attrname
        else:
            return False
        values = self._values(expr, 0)
        if values:
            verdicts = {_optimizer_class(value) for value in values}
            if verdicts == {True}:
                return True
            if False in verdicts:
                return False
        return bool(OPTIMIZER_NAME.match(name))

    def _backward_calls(self, scope: nodes.NodeNG) -> list[nodes.Call]:
        """The backward calls inside a node."""
        if scope not in self._backward:
            self._backward[scope] = [call for call in self.calls.spelled(BACKWARD) if scope.parent_of(call)]
        return self._backward[scope]

    def _clears_gradients(self, node: nodes.NodeNG, depth: int) -> bool:
        """Whether a loop, or a function it calls, clears gradients."""
        if node in self._clears:
            return self._clears[node]
        self._clears[node] = False  # recursion between functions: not (yet) known to clear
        found = depth <= _MAX_DEPTH and any(
            self._clearing(inner, depth)
            for inner in descendants(node, (nodes.Call, nodes.AssignAttr, nodes.DelAttr))
        )
        self._clears[node] = found
        return found

    def _clearing(self, node: nodes.NodeNG, depth: int) -> bool:
        if isinstance(node, (nodes.AssignAttr, nodes.DelAttr)):
            return node.attrname == "grad"
        func = node.func  # type: ignore[attr-defined]
        if CLEARING_NAME in (dataflow.last_name(func) or ""):
            return True
        if isinstance(func, nodes.Attribute) and func.attrname in GRAD_CLEARING_METHODS and _is_grad(func.expr):
            return True
        callee = _called_function(node)  # type: ignore[arg-type]
        return callee is not None and self._clears_gradients(callee, depth + 1)

    # --- W7407 ------------------------------------------------------------------------------------

    def accumulated_losses(self) -> Iterator[Finding]:
        reported: set[nodes.NodeNG] = set()
        for call in self._loss_calls():
            for statement, loss in self._accumulations(call, 0):
                if statement not in reported:
                    reported.add(statement)
                    yield Finding("loss-accumulated-with-graph", statement, (_short(statement), *(_short(loss),) * 3))

    def _loss_calls(self) -> list[nodes.Call]:
        """Calls that compute a loss tensor: torch's loss functions, and loss objects called, in
        source order. Only calls in loops can be accumulated across iterations."""
        found = [call for call, _ in self.calls.named(LOSS_FUNCTIONS)]
        objects = [call for call, _ in self.calls.named(LOSS_CLASSES)]
        if objects:  # a criterion is built in this file: follow the calls that may call it
            found += [
                call for call in self.calls.calls
                if isinstance(call.func, (nodes.Name, nodes.Attribute, nodes.Call)) and enclosing_loop(call)
                and self.calls.name(call) is None and self._is_loss_object(call.func, 0)
            ]
        return sorted(set(found), key=lambda call: (call.fromlineno or 0, call.col_offset or 0))

    def _accumulations(self, loss: nodes.NodeNG, depth: int) -> Iterator[tuple[nodes.NodeNG, nodes.NodeNG]]:
        """Statements that keep the loss tensor `loss` across the iterations of a training loop, and
        the loss expression they keep; names bound to the loss (also scaled) are followed."""
        node = loss
        while isinstance(node.parent, nodes.BinOp) and node.parent.op in _ARITHMETIC:
            node = node.parent
        statement = node.parent
        accumulator: str | None = None
        if isinstance(statement, nodes.AugAssign) and statement.value is node and statement.op == "+=":
            accumulator = _name(statement.target)
        elif isinstance(statement, nodes.Call) and node in statement.args and _is_append(statement.func):
            accumulator = _name(statement.func.expr)  # type: ignore[attr-defined]
        elif isinstance(statement, nodes.Assign) and statement.value is node and len(statement.targets) == 1:
            target = _name(statement.targets[0])
            if target is not None and node is not loss and target in _summands(node) \
                    and self._keeps_graph_across_steps(statement, target):
                yield statement, loss  # total = total + loss
            elif target is not None and depth < _MAX_DEPTH:  # loss = criterion(...) [* scale]: follow it
                for use in _uses(statement.targets[0]):
                    yield from self._accumulations(use, depth + 1)
            return
        if accumulator is not None and self._keeps_graph_across_steps(statement, accumulator):
            yield statement, loss

    def _keeps_graph_across_steps(self, statement: nodes.NodeNG, accumulator: str) -> bool:
        """The accumulator outlives the iterations of a loop that back-propagates something else,
        with gradients enabled, and is never back-propagated itself."""
        loop = enclosing_loop(statement)
        if loop is None or _grad_disabled(statement):
            return False
        try:
            _, bindings = statement.scope().lookup(accumulator)
        except Exception:  # astroid lookup on malformed trees: unknown
            return False
        if not any(not loop.parent_of(binding) for binding in bindings):
            return False  # rebuilt on every iteration
        backward = self._backward_calls(loop)
        everywhere = self._backward_calls(statement.scope())
        return bool(backward) and not any(_mentions(call, accumulator) for call in everywhere)

    def _is_loss_object(self, expr: nodes.NodeNG, depth: int) -> bool:
        """Whether an expression is certainly a torch loss object (`nn.CrossEntropyLoss()`), built
        there, through a name or `self` attribute, or passed as an argument at every call site."""
        if expr in self._loss_objects:
            return self._loss_objects[expr]
        self._loss_objects[expr] = False
        if depth > _MAX_DEPTH:
            return False
        if isinstance(expr, nodes.Call):
            func = expr.func
            if isinstance(func, nodes.Attribute) and func.attrname in _MODULE_RETURNING:
                found = self._is_loss_object(func.expr, depth + 1)
            else:
                found = call_name(expr) in LOSS_CLASSES
        else:
            values = self._values(expr, depth)
            found = bool(values) and all(self._is_loss_object(v, depth + 1) for v in values)
        self._loss_objects[expr] = found
        return found

    # --- shared -----------------------------------------------------------------------------------

    def _values(self, expr: nodes.NodeNG, depth: int) -> list[nodes.NodeNG] | None:
        """What a name or `self.<attr>` may hold: assigned values, and for a parameter the argument
        of every call site of its function in the module. None when something is unknown."""
        if isinstance(expr, nodes.Attribute):
            receiver = dataflow.reaching_bindings(expr.expr) if isinstance(expr.expr, nodes.Name) else []
            cls = dataflow.self_parameter_class(receiver[0]) if len(receiver) == 1 else None
            if cls is None or expr.attrname in self.changed:
                return None
            values = [v for k in class_and_bases(cls) for v in dataflow.attribute_values(k).get(expr.attrname, [])]
            return None if not values or None in values else values  # type: ignore[return-value]
        if not isinstance(expr, nodes.Name) or expr.name in self.changed:
            return None
        values = []
        for binding in dataflow.reaching_bindings(expr):
            function = dataflow.parameter_owner(binding)
            value = dataflow.bound_value(binding)
            if function is not None:
                arguments = self._arguments(function, binding.name) if depth < _MAX_DEPTH else None
                if not arguments:
                    return None
                values += arguments
            elif value is not None:
                values.append(value)
            else:
                return None
        return values or None

    def _arguments(self, function: nodes.FunctionDef, parameter: str) -> list[nodes.NodeNG] | None:
        """What every call of a function of this module passes for a parameter (a class's calls
        for its `__init__`); None when a call passes nothing known."""
        if function.root() is not self.module:
            return None
        if isinstance(function.parent, nodes.ClassDef):
            if function.name != "__init__" or not dataflow.is_instance_method(function):
                return None
            sites, skip = [c for c, _ in self.calls.named({function.parent.qname()})], 1
        else:
            sites, skip = [c for c, _ in self.calls.named({function.qname()})], 0
        passed = [dataflow.bind_argument(site, function, parameter, skip) for site in sites]
        return None if not passed or None in passed else passed  # type: ignore[return-value]


def _optimizer_class(value: nodes.NodeNG) -> bool | None:
    """True for a torch optimizer built there, False for another torch.optim object (a scheduler),
    None for anything else."""
    if not isinstance(value, nodes.Call):
        return None
    name = call_name(value) or ""
    parts = name.split(".")
    if parts[:2] != ["torch", "optim"] or len(parts) < 3:
        return None
    return not _NOT_OPTIMIZER_MODULES.intersection(parts) and parts[-1][:1].isupper()


def _is_grad(node: nodes.NodeNG) -> bool:
    """`p.grad` or `p.grad.data`."""
    if isinstance(node, nodes.Attribute) and node.attrname == "data":
        node = node.expr
    return isinstance(node, nodes.Attribute) and node.attrname == "grad"


def _called_function(call: nodes.Call) -> nodes.FunctionDef | None:
    """The function of this file a call runs: `helper(...)` or `self.helper(...)`."""
    func = call.func
    if isinstance(func, nodes.Name):
        try:
            _, bindings = func.lookup(func.name)
        except Exception:  # astroid lookup on malformed trees: unknown
            return None
        functions = [b for b in bindings if isinstance(b, nodes.FunctionDef)]
        return functions[-1] if functions and len(functions) == len(bindings) else None
    if isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name):
        bindings = dataflow.reaching_bindings(func.expr)
        cls = dataflow.self_parameter_class(bindings[0]) if len(bindings) == 1 else None
        return find_method(cls, func.attrname) if cls is not None else None
    return None


def _grad_disabled(node: nodes.NodeNG) -> bool:
    """Whether a statement runs under `torch.no_grad()`, `torch.inference_mode()`,
    `torch.set_grad_enabled(False)`, or in a function decorated with one of them."""
    current = node.parent
    while current is not None:
        if isinstance(current, nodes.With) and any(_disables_grad(item) for item, _ in current.items):
            return True
        if isinstance(current, nodes.FunctionDef) and current.decorators is not None \
                and any(_disables_grad(d) for d in current.decorators.nodes):
            return True
        current = current.parent
    return False


def _disables_grad(expr: nodes.NodeNG) -> bool:
    called = expr.func if isinstance(expr, nodes.Call) else expr
    name = qualified_name(called)
    if name in NO_GRAD:
        return True
    if name in GRAD_SWITCH and isinstance(expr, nodes.Call) and expr.args:
        flag = expr.args[0]
        return isinstance(flag, nodes.Const) and flag.value is False
    return False


def _is_append(func: nodes.NodeNG) -> bool:
    return isinstance(func, nodes.Attribute) and func.attrname == "append"


def _name(node: nodes.NodeNG) -> str | None:
    return node.name if isinstance(node, (nodes.Name, nodes.AssignName)) else None


def _summands(node: nodes.NodeNG) -> set[str]:
    """Names added together in `a + b + c`."""
    if isinstance(node, nodes.BinOp) and node.op == "+":
        return _summands(node.left) | _summands(node.right)
    return {node.name} if isinstance(node, nodes.Name) else set()


def _uses(target: nodes.AssignName) -> Iterator[nodes.Name]:
    """The reads of a name that only this binding reaches."""
    for use in descendants(target.scope(), nodes.Name):
        if use.name == target.name and dataflow.reaching_bindings(use) == [target]:
            yield use


def _mentions(node: nodes.NodeNG, name: str) -> bool:
    return any(n.name == name for n in descendants(node, nodes.Name))


def _short(node: nodes.NodeNG) -> str:
    text = node.as_string()
    return text if len(text) <= 50 else text[:47] + "..."


def check(calls: Calls) -> Iterator[Finding]:
    """Findings of W7405 and W7407 in a module: both need a loop that calls backward()."""
    if calls.spelled(BACKWARD):
        rule = _Rule(calls)
        yield from rule.missing_zero_grad()
        yield from rule.accumulated_losses()
