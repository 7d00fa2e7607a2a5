"""W7403: a time-major RNN/LSTM/GRU (no `batch_first=True`) used with batch-major data.

The rule follows each time-major recurrent layer from where it is built (`self.lstm = nn.LSTM(...)`
or a local) to the calls of it (`out, _ = self.lstm(x)`). It reports a call whose output is then
indexed batch-first (`out[:, -1, :]`), and a call whose input is certainly batch-major: a batch of
a default-collated DataLoader, directly or through the model's forward and layers that keep the
leading dimensions (`nn.Embedding`, `nn.Linear`). Anything else in between leaves the layout unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from astroid import nodes

from torchport.analysis import dataflow
from torchport.analysis.model import class_and_bases
from torchport.analysis.modules import is_module_class
from torchport.analysis.names import call_name
from torchport.analysis.node_index import descendants
from torchport.rules.finding import Finding
from torchport.rules.keras_conventions.calls import Calls
from torchport.rules.keras_conventions.common import (
    ABSENT,
    UNKNOWN,
    argument,
    constant,
    enclosing_method,
    expression_values,
    shown,
)
from torchport.rules.losses import Evaluator, Instance

# Recurrent layers and the position of `batch_first` among their positional arguments.
BATCH_FIRST_POSITION: dict[str, int] = {"torch.nn.RNN": 5, "torch.nn.LSTM": 4, "torch.nn.GRU": 4}

# Layers and functions whose output keeps the leading dimensions of their (first) input.
_N = "torch.nn."
LEADING_DIMS_LAYERS = frozenset(_N + name for name in (
    "Embedding", "Linear", "LazyLinear", "LayerNorm", "RMSNorm", "Dropout", "AlphaDropout", "Identity",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SELU", "SiLU", "Tanh", "Sigmoid",
)) | {_N + "Embedding.from_pretrained"}
LEADING_DIMS_FUNCTIONS = frozenset({
    "torch.relu", "torch.tanh", "torch.sigmoid", *(_N + "functional." + name for name in (
        "relu", "leaky_relu", "elu", "gelu", "selu", "silu", "tanh", "sigmoid", "dropout", "embedding"))
})
# Tensor methods that keep the layout.
LAYOUT_KEEPING_METHODS = frozenset({"to", "cuda", "cpu", "float", "double", "half", "long", "int", "contiguous",
                                    "detach", "clone"})
DATA_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})
_COLLATE_POSITION, _BATCH_SIZE_POSITION = 6, 1
_MAX_DEPTH = 8

_INDEXED = ("%s indexes its output batch-first and so takes the last sample of every time step, not the "
            "last step of every sequence")
_FED = ("it is fed batch-major data: %s, whose first dimension is the batch, so it runs over the batch as if "
        "it were time")


class _Rule:
    """The state of one module's check: its calls, what the file changes, a lazy evaluator."""

    def __init__(self, calls: Calls, constructions: list[nodes.Call]) -> None:
        self.calls = calls
        self.module = calls.module
        self.constructions = constructions
        self.changed = dataflow.changed_after_construction(calls.module)
        self._evaluator: Evaluator | None = None
        self._sites: dict[nodes.ClassDef, list[nodes.Call]] = {}

    def findings(self) -> Iterator[Finding]:
        names, attributes = self._holders()
        for call in sorted({c for holder in names | attributes for c in self.calls.spelled(holder)},
                           key=lambda c: (c.fromlineno or 0, c.col_offset or 0)):
            func = call.func
            if isinstance(func, nodes.Name) and func.name in names or \
                    isinstance(func, nodes.Attribute) and func.attrname in attributes:
                rnn = self._time_major_rnn(func)
                if rnn is not None:
                    yield from self._check_call(call, rnn)

    def _holders(self) -> tuple[set[str], set[str]]:
        """Names and attributes that recurrent layers are assigned to."""
        names: set[str] = set()
        attributes: set[str] = set()
        for construction in self.constructions:
            parent = construction.parent
            if isinstance(parent, nodes.IfExp):
                parent = parent.parent
            for target in getattr(parent, "targets", None) or [getattr(parent, "target", None)]:
                if isinstance(target, nodes.AssignName):
                    names.add(target.name)
                elif isinstance(target, nodes.AssignAttr):
                    attributes.add(target.attrname)
        return names, attributes

    def _time_major_rnn(self, func: nodes.NodeNG) -> nodes.Call | None:
        """The construction of the recurrent layer a callee holds, when every value it may hold is
        a recurrent layer built without batch_first=True."""
        values = expression_values(func, self.changed)
        if not values or not all(_is_time_major(value) for value in values):
            return None
        return values[0]  # type: ignore[return-value]

    def _check_call(self, call: nodes.Call, rnn: nodes.Call) -> Iterator[Finding]:
        layer = f"{shown(call_name(rnn) or '')} ({self._where(rnn)})"
        indexing = next(_batch_first_indexings(call), None)
        if indexing is not None:
            detail = _INDEXED % f"{indexing.as_string()} ({self._where(indexing)})"
            yield Finding("rnn-batch-first-mismatch", indexing, (layer, detail))
            return
        data = call.args[0] if call.args and not isinstance(call.args[0], nodes.Starred) else None
        source = self._batch_major(data, 0) if data is not None else None
        if source is not None:
            yield Finding("rnn-batch-first-mismatch", call, (layer, _FED % source))

    # -- batch-major data

    def _batch_major(self, expr: nodes.NodeNG, depth: int) -> str | None:
        """Why an expression is certainly a batch-major tensor (a description of its DataLoader),
        or None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Name):
            sources = [self._binding_batch_major(b, depth) for b in dataflow.reaching_bindings(expr)]
            return sources[0] if sources and all(sources) else None
        if not isinstance(expr, nodes.Call):
            return None
        func = expr.func
        if isinstance(func, nodes.Attribute) and func.attrname in LAYOUT_KEEPING_METHODS:
            return self._batch_major(func.expr, depth + 1)
        if not expr.args or isinstance(expr.args[0], nodes.Starred):
            return None
        if self.calls.name(expr) in LEADING_DIMS_FUNCTIONS:
            return self._batch_major(expr.args[0], depth + 1)
        values = expression_values(func, self.changed)
        if values and all(isinstance(v, nodes.Call) and call_name(v) in LEADING_DIMS_LAYERS for v in values):
            return self._batch_major(expr.args[0], depth + 1)
        return None

    def _binding_batch_major(self, binding: nodes.NodeNG, depth: int) -> str | None:
        loop = _loop_of_target(binding)
        if loop is not None:
            return self._loader_batch(loop, binding)
        function = dataflow.parameter_owner(binding)
        if function is not None:
            return self._forward_input(function, binding, depth)
        value = dataflow.bound_value(binding)
        return self._batch_major(value, depth + 1) if value is not None else None

    def _loader_batch(self, loop: nodes.For, binding: nodes.NodeNG) -> str | None:
        """`for xb, yb in loader` / `for i, (xb, yb) in enumerate(loader)` over a DataLoader with
        default collation: every field of a batch has the batch as its first dimension."""
        iterated = loop.iter
        if isinstance(iterated, nodes.Call) and call_name(iterated) == "builtins.enumerate":
            if len(iterated.args) != 1 or not _in_second_field(binding, loop.target):
                return None
            iterated = iterated.args[0]
        loaders = [iterated] if isinstance(iterated, nodes.Call) else expression_values(iterated, self.changed)
        if not loaders or not all(isinstance(v, nodes.Call) and _collates_by_default(v) for v in loaders):
            return None
        return f"{binding.as_string()}, a batch of the DataLoader at {self._where(loaders[0])}"

    def _forward_input(self, function: nodes.FunctionDef, binding: nodes.NodeNG, depth: int) -> str | None:
        """A parameter of a Module's forward: batch-major when every call of the model in the file
        passes batch-major data for it."""
        method = enclosing_method(binding)
        if method is not function or function.name != "forward" or not is_module_class(function.parent):
            return None
        if dataflow.self_parameter_class(binding) is not None:
            return None
        sites = self._model_calls(function.parent)
        sources = [self._batch_major_argument(site, function, binding.name, depth) for site in sites]
        if not sources or not all(sources):
            return None
        return f"forward's {binding.name} receives {sources[0]}"

    def _batch_major_argument(self, site: nodes.Call, forward: nodes.FunctionDef, name: str, depth: int) -> str | None:
        passed = dataflow.bind_argument(site, forward, name, skip=1)
        return self._batch_major(passed, depth + 1) if passed is not None else None

    def _model_calls(self, cls: nodes.ClassDef) -> list[nodes.Call]:
        """The calls of the module that call an instance of `cls` or of a subclass."""
        if cls not in self._sites:
            if self._evaluator is None:
                self._evaluator = Evaluator(self.module)
            sites = []
            for call in self.calls.calls:
                if isinstance(call.func, (nodes.Name, nodes.Attribute)):
                    value = self._evaluator.value(call.func)
                    if isinstance(value, Instance) and any(c is cls for c in class_and_bases(value.cls)):
                        sites.append(call)
            self._sites[cls] = sites
        return self._sites[cls]

    def _where(self, node: nodes.NodeNG) -> str:
        root = node.root()
        where = f"line {node.fromlineno}"
        if root is not self.module:
            where += f" of {Path(root.file).name if root.file else root.name}"
        return where


def _is_time_major(value: nodes.NodeNG) -> bool:
    """Whether an expression builds a torch RNN/LSTM/GRU whose batch_first is known to be false."""
    if not isinstance(value, nodes.Call):
        return False
    position = BATCH_FIRST_POSITION.get(call_name(value) or "")
    if position is None:
        return False
    flag = argument(value, "batch_first", position)
    if flag is ABSENT:
        return True
    flag_value = constant(flag)
    return flag_value is not UNKNOWN and not flag_value


def _batch_first_indexings(call: nodes.Call) -> Iterator[nodes.Subscript]:
    """The `output[:, -1, :]` / `output[:, -1]` subscripts of the output of a recurrent layer call:
    `call(x)[0][...]`, or uses of `out` after `out, state = call(x)` or `out = call(x)[0]` that no
    other binding of `out` reaches."""
    parent = call.parent
    output: nodes.NodeNG = call
    if isinstance(parent, nodes.Subscript) and parent.value is call and constant(parent.slice) == 0:
        output = parent
        if isinstance(parent.parent, nodes.Subscript) and parent.parent.value is parent \
                and _is_last_step_batch_first(parent.parent):
            yield parent.parent
            return
    statement = output.parent
    if not isinstance(statement, nodes.Assign) or statement.value is not output or len(statement.targets) != 1:
        return
    target = statement.targets[0]
    if output is call:
        if not isinstance(target, nodes.Tuple) or not target.elts:
            return
        target = target.elts[0]
    if not isinstance(target, nodes.AssignName):
        return
    for use in descendants(target.scope(), nodes.Name):
        if use.name != target.name or not isinstance(use.parent, nodes.Subscript) or use.parent.value is not use:
            continue
        if _is_last_step_batch_first(use.parent) and dataflow.reaching_bindings(use) == [target]:
            yield use.parent


def _is_last_step_batch_first(subscript: nodes.Subscript) -> bool:
    """`[:, -1]` or `[:, -1, :]`."""
    index = subscript.slice
    if not isinstance(index, nodes.Tuple) or len(index.elts) not in (2, 3):
        return False
    first, second, *rest = index.elts
    step = constant(second)
    return _whole(first) and step == -1 and not isinstance(step, bool) and all(_whole(r) for r in rest)


def _whole(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Slice) and node.lower is None and node.upper is None and node.step is None


def _loop_of_target(binding: nodes.NodeNG) -> nodes.For | None:
    """The `for` loop whose target binds `binding` (directly or inside tuples)."""
    node = binding
    while isinstance(node.parent, (nodes.Tuple, nodes.List)):
        node = node.parent
    parent = node.parent
    return parent if isinstance(parent, nodes.For) and parent.target is node else None


def _in_second_field(binding: nodes.NodeNG, target: nodes.NodeNG) -> bool:
    """Whether `binding` is inside the second element of an `enumerate` loop's `i, item` target."""
    if not isinstance(target, nodes.Tuple) or len(target.elts) != 2:
        return False
    item = target.elts[1]
    return item is binding or item.parent_of(binding)


def _collates_by_default(loader: nodes.Call) -> bool:
    """A DataLoader that stacks samples along a new first dimension: no collate_fn, batch_size not None."""
    if call_name(loader) not in DATA_LOADERS:
        return False
    collate = argument(loader, "collate_fn", _COLLATE_POSITION)
    if collate is not ABSENT and constant(collate) is not None:
        return False
    batch_size = argument(loader, "batch_size", _BATCH_SIZE_POSITION)
    return batch_size is not UNKNOWN and (batch_size is ABSENT or constant(batch_size) is not None)


def check(calls: Calls) -> Iterator[Finding]:
    """Findings of W7403 in a module."""
    constructions = [call for call, _ in calls.named(BATCH_FIRST_POSITION)]
    if constructions:
        yield from _Rule(calls, constructions).findings()
