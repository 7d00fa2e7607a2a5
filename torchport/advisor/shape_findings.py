"""The one place that turns the shape interpreter's trace into findings: the 73xx symbol, the node the
message points at and its text. Used by the pylint rule (`torchport.rules.shapes`, errors with a symbol
only) and by `torchport summary` (every error, and the conditions).

Decisions:
- A layer whose argument disagrees with its input (Linear's in_features, a convolution's in_channels, a
  norm's num_features) is reported at the layer's definition, where the fix goes; the text names the
  forward line where the shape arrives and, through a flatten, the product it is made of.
- An operation whose operands cannot fit (broadcast, cat, matmul) is reported at the operation; the text
  names the layer that made the faulty operand when the value comes straight from one.
- `view/reshape(-1, K)` on a tensor of rank >= 3: K must be the product of the non-batch dims. A K equal
  to a trailing run's product merges leading dims on purpose (`(N, T, H).view(-1, H)`) and is reported
  only when a later layer fails expecting exactly the non-batch product, or an operation (a cat) fails in
  dim 0 between the merged rows and a tensor that kept the batch (the view is then the cause).
  The errors downstream of a reported view are its consequences and are not reported again; a layer
  error after a view that fits some input sizes only has no 73xx symbol (which number is wrong depends
  on the input size).
- `view` of a tensor whose strides certainly cannot give the new shape (after transpose, permute, a
  batch-first RNN: `catalogue.layout`) is view-of-non-contiguous, with the step that made it so.
- A mismatch that holds for some values of the symbols only is a "condition" (summary only), phrased
  "valid only when <equation>, e.g. <an input that satisfies it>"; conditions that an input is merely too
  small for a kernel are left out (every convolution has one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.advisor.catalogue import Problem
from torchport.advisor.catalogue.layout import is_contiguous
from torchport.advisor.dims import Condition, Relation
from torchport.advisor.interpreter import ModuleCall, OpCall, Trace
from torchport.advisor.values import ModuleInstance, ParamValue, TensorValue
from torchport.messages import CATALOGUE

ERROR, CONDITION = "error", "condition"

# the argument a layer's "arg-mismatch" names -> its message
_LAYER_SYMBOLS = {
    "in_features": "linear-in-features-mismatch",
    "in_channels": "conv-in-channels-mismatch",
    "num_features": "norm-num-features-mismatch",
    "num_channels": "norm-num-features-mismatch",
}
# operations whose "size-mismatch" is incompatible-shapes (the name after "operator.", "torch." or
# "torch.Tensor.")
_INCOMPATIBLE_OPS = frozenset({
    "add", "sub", "mul", "truediv", "floordiv", "div", "matmul", "mm", "bmm", "cat", "concat", "concatenate",
    "stack", "iadd", "isub", "imul", "itruediv", "imatmul", "maximum", "minimum", "where", "einsum",
})
_VIEW_OPS = frozenset({"torch.Tensor.view", "torch.Tensor.reshape", "torch.reshape"})
_FLATTEN_OPS = _VIEW_OPS | {"torch.flatten", "torch.Tensor.flatten"}
_FLATTEN_LAYERS = frozenset({"Flatten"})
_SOURCE_LIMIT = 80  # longer call sources are shortened in messages
_EXAMPLE_LIMIT = 1024  # largest input size tried for a condition's example
_EXAMPLE_BATCH = 2


@dataclass(frozen=True)
class ShapeFinding:
    symbol: str | None  # the 73xx message; None for an error no 73xx message describes (rank, dim range)
    kind: str  # ERROR: torch raises for every value of the symbols; CONDITION: for some only
    node: nodes.NodeNG  # where the message points
    where: str  # the layer ("fc1 (Linear)") or the operation ("torch.cat")
    text: str
    args: tuple[str, ...] = ()  # the 73xx template's arguments (errors with a symbol)
    # a condition's example, the symbol values its text gives ("e.g. a 34x34 input": {"H": 34, "W": 34});
    # None when it has none
    example: dict[str, int] | None = field(default=None, compare=False)

    @property
    def line(self) -> int:
        return self.node.fromlineno or 0


def shape_findings(trace: Trace, conditions: bool = True) -> list[ShapeFinding]:
    """The errors (and, unless `conditions` is False, the conditions) of a trace, in line order."""
    context = _Context(trace)
    found: list[ShapeFinding] = []
    for finding in context.findings(conditions):
        if finding not in found:
            found.append(finding)
    return sorted(found, key=lambda f: (f.line, f.kind != ERROR))


def certain(found: list[ShapeFinding], alternatives: list[list[ShapeFinding]]) -> list[ShapeFinding]:
    """`found` without the errors that another plausible input (Inputs.alternatives) does not give:
    those belong to the guess, not to the model. An alternative on which the model fails elsewhere too
    (a BatchNorm1d given 4-D input) proves nothing and is ignored. Conditions are kept."""
    def errors(findings: list[ShapeFinding]) -> set[tuple[str | None, int]]:
        return {(f.symbol, id(f.node)) for f in findings if f.kind == ERROR}

    main = errors(found)
    witnesses = [keys for keys in map(errors, alternatives) if keys <= main]
    return [f for f in found if f.kind != ERROR or all((f.symbol, id(f.node)) in keys for keys in witnesses)]



@dataclass
class _View:
    """A `view/reshape(-1 or N, K)` on a tensor of rank >= 3."""

    op: OpCall
    shape: tuple[Any, ...]
    k: Any
    verdict: str  # "mismatch", "merge" (K is a trailing run's product), "condition"
    reported: bool = False


@dataclass
class _Context:
    trace: Trace
    names: dict[int, str] = field(default_factory=dict)
    producers: dict[int, ModuleCall | OpCall] = field(default_factory=dict)
    views: dict[int, _View] = field(default_factory=dict)  # id(op) -> view
    tainted: dict[int, _View] = field(default_factory=dict)  # id(value) -> the view it comes from

    def __post_init__(self) -> None:
        root = self.trace.root
        self.names = {id(m): n for n, m in root.named_modules()} if root is not None else {}
        for op in self.trace.op_calls:
            self.producers[id(op.output)] = op
        for call in self.trace.module_calls:
            if call.module.layer is not None:
                self.producers.setdefault(id(call.output), call)
        for call in self.trace.module_calls:
            self.producers.setdefault(id(call.output), call)
        for op in self.trace.op_calls:
            view = _view(op)
            if view is not None:
                self.views[id(op)] = view
                if not op.errors:
                    self.tainted[id(op.output)] = view
        self._propagate()

    def _propagate(self) -> None:
        """Values computed from a suspicious view's output come from it too."""
        if not self.tainted:
            return
        calls: list[ModuleCall | OpCall] = [*self.trace.module_calls, *self.trace.op_calls]
        changed = True
        while changed:
            changed = False
            for call in calls:
                source = self._source(call)
                if source is not None and id(call.output) not in self.tainted:
                    self.tainted[id(call.output)] = source
                    changed = True

    def _source(self, call: ModuleCall | OpCall) -> _View | None:
        for value in _flat(call.inputs):
            view = self.tainted.get(id(value))
            if view is not None and view.op is not call:
                return view
        return None

    # ------------------------------------------------------------------------------- findings
    def findings(self, conditions: bool) -> Iterator[ShapeFinding]:
        for node, module, errors in self.trace.construction_errors:
            for problem in errors:
                yield ShapeFinding(None, ERROR, node, self._label(module), problem.message)
        for view in self.views.values():
            if view.verdict == "mismatch":
                view.reported = True
                yield self._view_finding(view)
            elif view.verdict == "condition" and conditions:
                yield self._view_condition(view)
        for call in self.trace.module_calls:
            yield from self._module_call(call, conditions)
        for op in self.trace.op_calls:
            yield from self._op_call(op, conditions)

    def _module_call(self, call: ModuleCall, conditions: bool) -> Iterator[ShapeFinding]:
        source = self._source(call)
        for problem in call.errors:
            if source is not None and source.verdict == "mismatch":
                continue  # a consequence of the view already reported
            if source is not None and _is_flatten_consequence(source, problem):
                if not source.reported:
                    source.reported = True
                    yield self._view_finding(source)
                continue
            if source is not None and source.verdict == "condition":
                # certain, but which number is wrong (the view's K or the layer's) depends on the input
                # size: no 73xx message, the summary shows it beside the view's condition
                yield ShapeFinding(None, ERROR, call.node, self._label(call.module), problem.message)
                continue
            yield self._layer_finding(call, problem, ERROR)
        if conditions and source is None:
            for problem in call.constraints:
                if problem.code != "too-small":
                    yield self._layer_finding(call, problem, CONDITION)

    def _op_call(self, op: OpCall, conditions: bool) -> Iterator[ShapeFinding]:
        node = op.node if op.node is not None else None
        if node is None or id(op) in self.views and self.views[id(op)].verdict in ("mismatch", "condition"):
            return  # the view's own finding says it (or an operation the interpreter made internally)
        source = self._source(op)
        if source is not None and source.verdict == "mismatch":
            return
        if source is not None and any(_is_batch_consequence(source, problem) for problem in op.errors):
            if not source.reported:  # the merged rows meet a tensor that kept the batch: the view is the cause
                source.reported = True
                yield self._view_finding(source)
            return
        for problem in op.errors:
            yield self._op_finding(op, node, problem, ERROR)
        if conditions and source is None:
            for problem in op.constraints:
                if problem.code != "too-small":
                    yield self._op_finding(op, node, problem, CONDITION)

    # ------------------------------------------------------------------------------- layers
    def _layer_finding(self, call: ModuleCall, problem: Problem, kind: str) -> ShapeFinding:
        module = call.module
        symbol = _LAYER_SYMBOLS.get(problem.arg or "") if problem.code == "arg-mismatch" else None
        where = self._label(module)
        if symbol is None:
            if kind == CONDITION:
                return self._condition_finding(None, call.node, where, problem, None)
            return ShapeFinding(None, kind, call.node, where, problem.message)
        definition = module.node if module.node is not None else call.node
        value = call.inputs[problem.operand or 0] if len(call.inputs) > (problem.operand or 0) else None
        origin, product = self._origin(value)
        if kind == CONDITION:
            return self._condition_finding(symbol, definition, where, problem, product)
        label = _definition_label(self.names.get(id(module)), definition)
        shape = dims.fmt_shape(value.shape) if isinstance(value, (TensorValue, ParamValue)) else "?"
        args = (label, shape, str(call.node.fromlineno), origin)
        args += ((problem.arg or "", dims.fmt(problem.expected)) if symbol == "norm-num-features-mismatch"
                 else (dims.fmt(problem.expected),))
        return ShapeFinding(symbol, kind, definition, where, CATALOGUE[symbol].template % args, args)

    def _origin(self, value: Any) -> tuple[str, str | None]:
        """Where a layer's input comes from: (" from flatten (64*12*12 for a 28x28 input)", "64*12*12"),
        following shape-preserving steps (activations, dropout) back to a flatten or a layer."""
        for _ in range(12):
            producer = self.producers.get(id(value))
            if producer is None:
                return "", None
            first = next((v for v in _flat(producer.inputs) if isinstance(v, (TensorValue, ParamValue))), None)
            if _is_flatten(producer) and first is not None and _flattens(first, producer.output):
                product = "*".join(_factor(d) for d in first.shape[1:])
                for_input = self._input_text()
                return f" from {self._producer_label(producer)}, {product}{for_input}", product
            if first is not None and _same_shape(first, producer.output):
                value = first
                continue
            return f" from {self._producer_label(producer)}", None
        return "", None

    def _input_text(self) -> str:
        """` for a 28x28 input` when the model's first input has concrete sizes after (N, C)."""
        inputs = self.trace.inputs
        shape = inputs[0].shape if inputs and isinstance(inputs[0], TensorValue) else None
        if not isinstance(shape, tuple) or len(shape) < 3 or not all(isinstance(d, int) for d in shape[2:]):
            return ""
        return f" for a {'x'.join(str(d) for d in shape[2:])} input"

    def _producer_label(self, producer: ModuleCall | OpCall) -> str:
        if isinstance(producer, ModuleCall):
            name = self.names.get(id(producer.module))
            return f"{name} ({producer.module.short_type})" if name else producer.module.short_type
        return _source(producer.node) if producer.node is not None else producer.name

    def _label(self, module: ModuleInstance) -> str:
        name = self.names.get(id(module))
        return f"{name} ({module.short_type})" if name else module.short_type

    # ------------------------------------------------------------------------------- operations
    def _op_finding(self, op: OpCall, node: nodes.NodeNG, problem: Problem, kind: str) -> ShapeFinding:
        if problem.code == "strides" and kind == ERROR:
            return self._strides_finding(op, node)
        incompatible = problem.code == "size-mismatch" and _op_suffix(op.name) in _INCOMPATIBLE_OPS
        symbol = "incompatible-shapes" if incompatible else None
        if kind == CONDITION:
            return self._condition_finding(symbol, node, op.name, problem, None)
        if symbol is None:
            return ShapeFinding(None, kind, node, op.name, problem.message)
        tensors = [v for v in _flat(op.inputs) if isinstance(v, (TensorValue, ParamValue))]
        shapes = " and ".join(dims.fmt_shape(t.shape) for t in tensors)
        detail = f"operands {shapes}: {problem.message}{_cat_hint(op, tensors)}"
        if problem.operand is not None and problem.operand < len(tensors):
            origin, _ = self._origin(tensors[problem.operand])
            if origin:
                detail += f"; operand {problem.operand} comes{origin}{self._definition_line(tensors[problem.operand])}"
        args = (_source(node), detail)
        return ShapeFinding(symbol, kind, node, op.name, CATALOGUE[symbol].template % args, args)

    def _strides_finding(self, op: OpCall, node: nodes.NodeNG) -> ShapeFinding:
        """A view torch rejects for the input's strides, with the step that made the input non-contiguous."""
        tensor = op.inputs[0]
        assert isinstance(tensor, TensorValue) and isinstance(tensor.shape, tuple) and tensor.strides is not None
        call = _source(node)
        fix = call.replace(".view(", ".reshape(", 1).replace(".view_as(", ".reshape_as(", 1)
        args = (call, dims.fmt_shape(tensor.shape), dims.fmt_shape(tensor.strides), self._strided_origin(tensor), fix)
        symbol = "view-of-non-contiguous"
        return ShapeFinding(symbol, ERROR, node, op.name, CATALOGUE[symbol].template % args, args)

    def _strided_origin(self, value: TensorValue) -> str:
        """` from x.transpose(1, 2) at line 12`: the first step back whose input was contiguous."""
        for _ in range(12):
            producer = self.producers.get(id(value)) or next(  # or an element of its output: `out, _ = self.lstm(x)`
                (c for c in self.trace.module_calls if isinstance(c.output, tuple)
                 and any(v is value for v in _flat(c.output))), None)
            if producer is None:
                return ""
            first = next((v for v in _flat(producer.inputs) if isinstance(v, TensorValue)), None)
            if first is None or not isinstance(first.shape, tuple) or is_contiguous(first.shape, first.strides) \
                    is not False:
                line = f" at line {producer.node.fromlineno}" if producer.node is not None else ""
                return f" from {self._producer_label(producer)}{line}"
            value = first
        return ""

    def _definition_line(self, value: Any) -> str:
        """`, defined at line 18` for a value a torch layer made."""
        producer = self.producers.get(id(value))
        if isinstance(producer, ModuleCall) and producer.module.node is not None:
            return f" = {_source(producer.module.node)}, defined at line {producer.module.node.fromlineno}"
        return ""

    # ------------------------------------------------------------------------------- views
    def _view_finding(self, view: _View) -> ShapeFinding:
        node = view.op.node
        assert node is not None
        product = dims.prod(view.shape[1:])
        correct = dims.fmt(product)
        factors = "*".join(_factor(d) for d in view.shape[1:])
        receiver = _receiver(node)
        fix = f"{receiver}.flatten(1) or {_source(node).replace(_k_text(node), correct)}" if receiver \
            and _k_text(node) else "x.flatten(1)"
        args = (_source(node), dims.fmt_shape(view.shape), dims.fmt(view.k),
                f"{factors} = {correct}" if factors != correct else correct, fix)
        return ShapeFinding("view-flatten-mismatch", ERROR, node, view.op.name,
                            CATALOGUE["view-flatten-mismatch"].template % args, args)

    def _view_condition(self, view: _View) -> ShapeFinding:
        node = view.op.node
        assert node is not None
        product = "*".join(_factor(d) for d in view.shape[1:])
        condition = Condition(dims.prod(view.shape[1:]), "==", view.k)
        detail = (f"otherwise {_source(node)} on {dims.fmt_shape(view.shape)} changes the batch size or fails")
        valid, example = self._valid_only_when(f"{product} == {dims.fmt(view.k)}", condition)
        text = f"{_source(node)}: {valid} ({detail})"
        return ShapeFinding("view-flatten-mismatch", CONDITION, node, view.op.name, text, example=example)

    # ------------------------------------------------------------------------------- conditions
    def _condition_finding(self, symbol: str | None, node: nodes.NodeNG, where: str, problem: Problem,
                           product: str | None) -> ShapeFinding:
        condition = problem.condition
        if condition is None:
            return ShapeFinding(symbol, CONDITION, node, where, f"{where}: {problem.message}")
        if problem.code == "arg-mismatch" and dims.is_known(problem.expected) and dims.is_known(problem.got):
            equation = f"{product or dims.fmt(problem.expected)} == {dims.fmt(problem.got)}"
            detail = f"otherwise {problem.arg} should be {product or dims.fmt(problem.expected)}"
        else:
            equation = condition.text
            detail = _detail(problem.message)
        valid, example = self._valid_only_when(equation, condition)
        text = f"{where}: {valid}" + (f" ({detail})" if detail else "")
        return ShapeFinding(symbol, CONDITION, node, where, text, example=example)

    def _valid_only_when(self, equation: str, condition: Condition) -> tuple[str, dict[str, int] | None]:
        """`valid only when H*W == 784, e.g. a 28x28 input` and the example's values."""
        example = self._example(condition)
        if example is None:
            return f"valid only when {equation}, which no input size up to {_EXAMPLE_LIMIT} satisfies", None
        return f"valid only when {equation}, e.g. {example[0]}", example[1]

    def _example(self, condition: Condition) -> tuple[str, dict[str, int]] | None:
        """A concrete input meeting the condition: a small search over square sizes (the batch at 2),
        then the dims engine's own search."""
        difference = condition.left - condition.right  # type: ignore[operator]
        names = sorted(difference.symbols) if isinstance(difference, dims.Expr) else []
        if not names:
            return None
        for size in range(1, _EXAMPLE_LIMIT + 1):
            values = {n: _EXAMPLE_BATCH if n == "N" else size for n in names}
            if condition.holds(values):
                return self._describe_values(values)
        example = condition.example
        return (dims.fmt_values(example), dict(example)) if example else None

    def _describe_values(self, values: dict[str, int]) -> tuple[str, dict[str, int]]:
        """`a 34x34 input` when the values fill the sizes after (N, C) of the first input, else `H=34`; and
        the values the text gives (those of the dims after (N, C) that are one symbol, for an input)."""
        inputs = self.trace.inputs
        shape = inputs[0].shape if inputs and isinstance(inputs[0], TensorValue) else None
        if isinstance(shape, tuple) and len(shape) >= 3:
            symbols = {name for d in shape[2:] if isinstance(d, dims.Expr) for name in d.symbols}
            sizes = [dims.evaluate(d, values) for d in shape[2:]]
            if set(values) - {"N"} <= symbols and all(isinstance(s, int) for s in sizes):
                named = {dims.fmt(d): size for d, size in zip(shape[2:], sizes) if dims.is_symbol_text(dims.fmt(d))}
                return f"a {'x'.join(str(s) for s in sizes)} input", named  # type: ignore[misc]
        shown = {n: v for n, v in values.items() if n != "N"} or values
        return dims.fmt_values(shown), shown


# ----------------------------------------------------------------------------------- helpers

def _view(op: OpCall) -> _View | None:
    """The op as a `view/reshape(B, K)` on a tensor of rank >= 3 with B = -1 or its batch, and K known."""
    if op.name not in _VIEW_OPS or op.node is None or not op.inputs:
        return None
    tensor, sizes = op.inputs[0], list(op.inputs[1:])
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = list(sizes[0])
    if not isinstance(tensor, (TensorValue, ParamValue)) or not isinstance(tensor.shape, tuple):
        return None
    shape = tensor.shape
    if len(shape) < 3 or len(sizes) != 2 or not all(dims.is_known(s) for s in (*shape, *sizes)):
        return None
    batch, k = sizes
    keeps_batch = batch == -1 or compare_is(batch, shape[0], Relation.EQUAL)
    if not keeps_batch or k == -1 or isinstance(k, bool):
        return None
    relations = [dims.compare(k, dims.prod(shape[j:])).relation for j in range(1, len(shape))]
    if Relation.UNKNOWN in relations or relations[0] is Relation.EQUAL:
        return None
    if all(r is Relation.UNEQUAL for r in relations):
        return _View(op, shape, k, "mismatch")
    if relations[0] is Relation.UNEQUAL and Relation.EQUAL in relations and batch == -1:
        return _View(op, shape, k, "merge")
    if relations[0] is Relation.CONDITIONAL and Relation.EQUAL not in relations:
        return _View(op, shape, k, "condition")
    return None


def compare_is(a: Any, b: Any, relation: Relation) -> bool:
    return dims.is_known(a) and dims.is_known(b) and dims.compare(a, b).relation is relation


def _is_flatten_consequence(view: _View, problem: Problem) -> bool:
    """A layer error after a leading-dims merge that the merge explains: the layer expected exactly the
    product of the view's non-batch dims."""
    return (view.verdict == "merge" and problem.code == "arg-mismatch" and dims.is_known(problem.got)
            and compare_is(problem.got, dims.prod(view.shape[1:]), Relation.EQUAL))


def _is_batch_consequence(view: _View, problem: Problem) -> bool:
    """An operation error after a leading-dims merge that the merge explains: in dim 0, the merged rows
    (`view(-1, K)` on (N, ...) gives N*.../K of them) against another operand's batch N (a cat with a
    tensor that kept the batch)."""
    if view.verdict != "merge" or problem.code != "size-mismatch" or problem.dim != 0:
        return False
    rows = dims.exact_div(dims.prod(view.shape), view.k)
    sizes = (problem.got, problem.expected)
    return all(dims.is_known(d) for d in (*sizes, rows)) and any(
        compare_is(a, rows, Relation.EQUAL) and compare_is(b, view.shape[0], Relation.EQUAL)
        for a, b in (sizes, sizes[::-1]))


def _is_flatten(producer: ModuleCall | OpCall) -> bool:
    if isinstance(producer, ModuleCall):
        return producer.module.short_type in _FLATTEN_LAYERS and producer.module.layer is not None
    return producer.name in _FLATTEN_OPS


def _flattens(value: Any, output: Any) -> bool:
    """Whether output's last dim is the product of value's non-batch dims (a flatten, not a reshape)."""
    return (isinstance(value.shape, tuple) and isinstance(output, TensorValue) and isinstance(output.shape, tuple)
            and bool(output.shape) and compare_is(output.shape[-1], dims.prod(value.shape[1:]), Relation.EQUAL))


def _same_shape(value: Any, output: Any) -> bool:
    return isinstance(output, TensorValue) and isinstance(value.shape, tuple) and output.shape == value.shape


def _flat(values: Iterable[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from value
        else:
            yield value


def _op_suffix(name: str) -> str:
    return name.rpartition(".")[2]


def _cat_hint(op: OpCall, tensors: list[Any]) -> str:
    """`: they differ only in dim 1, cat on dim=1` when the tensors of a cat differ in one dim."""
    if _op_suffix(op.name) not in ("cat", "concat", "concatenate") or len(tensors) < 2:
        return ""
    shapes = [t.shape for t in tensors]
    if not all(isinstance(s, tuple) and len(s) == len(shapes[0]) for s in shapes):
        return ""
    differing = [d for d in range(len(shapes[0]))
                 if any(not compare_is(s[d], shapes[0][d], Relation.EQUAL) for s in shapes[1:])]
    if len(differing) == 1:
        return f"; they differ only in dim {differing[0]}: cat on dim={differing[0]}"
    return ""


def _factor(d: Any) -> str:
    text = dims.fmt(d)
    return f"({text})" if any(c in text for c in " +-") else text


def _detail(message: str) -> str:
    """The catalogue's "(otherwise ...)" part of a constraint's message, if it has one."""
    start = message.find("(otherwise ")
    return message[start + 1:-1] if start >= 0 and message.endswith(")") else ""


def _definition_label(name: str | None, definition: nodes.NodeNG) -> str:
    """`fc1 = nn.Linear(2048, 128)`; a container's entry as `nn.Linear(2048, 128) (classifier.1)`."""
    if not name:
        return _source(definition)
    if name.rpartition(".")[2].isidentifier():
        return f"{name} = {_source(definition)}"
    return f"{_source(definition)} ({name})"


def _source(node: nodes.NodeNG) -> str:
    text = node.as_string().replace("\n", " ")
    return text if len(text) <= _SOURCE_LIMIT else text[:_SOURCE_LIMIT - 5] + " ...)"


def _receiver(node: nodes.NodeNG) -> str | None:
    """`x` in `x.view(-1, 400)`."""
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
        return node.func.expr.as_string()
    return None


def _k_text(node: nodes.NodeNG) -> str | None:
    """The source of K, the last size of a view/reshape call."""
    if not isinstance(node, nodes.Call):
        return None
    sizes = node.args[-1] if node.args else None
    if isinstance(sizes, (nodes.Tuple, nodes.List)) and sizes.elts:
        return sizes.elts[-1].as_string()
    return sizes.as_string() if sizes is not None else None


__all__ = ["CONDITION", "ERROR", "ShapeFinding", "shape_findings"]
