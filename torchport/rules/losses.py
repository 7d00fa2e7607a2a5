"""Rules of the losses family (72xx): activations that do not match the loss they feed.

A small abstract interpretation follows tensors from the model to the loss within one file: each
expression gets an abstract value (a tensor of a known Kind, a layer, a model instance, a loss
object, or UNKNOWN). What torch's activations, layers and losses do is data in the tables below;
the evaluator only combines them. Anything it cannot see is UNKNOWN, and UNKNOWN is never reported.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from astroid import nodes

from torchport.analysis import dataflow
from torchport.analysis.budget import tick
from torchport.analysis.model import class_and_bases, find_method
from torchport.analysis.modules import is_module_class, project_class
from torchport.analysis.source_text import mentions_any
from torchport.analysis.names import call_name, qualified_name
from torchport.rules.finding import Finding


class Kind(enum.Enum):
    """What the values of a tensor are, as far as the losses care."""

    LOGITS = "logits"
    PROBS = "softmax probabilities"
    SIGMOID_PROBS = "sigmoid probabilities"
    LOG_PROBS = "log-probabilities"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Effect:
    """What an operation does to the value it is applied to: `produces` a kind of tensor whatever
    its input (None: hands its input through unchanged), except for the input kinds in `maps`."""

    produces: Kind | None
    maps: tuple[tuple[Kind, Kind], ...] = ()


KEEP = Effect(None)
LOGITS, PROBS, SIGMOID, LOG_PROBS = (Effect(k) for k in (Kind.LOGITS, Kind.PROBS, Kind.SIGMOID_PROBS, Kind.LOG_PROBS))
LOG = Effect(Kind.UNKNOWN, ((Kind.PROBS, Kind.LOG_PROBS),))  # log of softmax probabilities

_CONVS = ("Conv1d", "Conv2d", "Conv3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
          "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
_DROPOUTS = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout")

# Functions, by canonical name: what they do to their first argument.
FUNCTION_EFFECTS: dict[str, Effect] = {
    **dict.fromkeys(("torch.nn.functional.softmax", "torch.nn.functional.softmin", "torch.softmax",
                     "torch.special.softmax"), PROBS),
    **dict.fromkeys(("torch.nn.functional.log_softmax", "torch.log_softmax", "torch.special.log_softmax"), LOG_PROBS),
    **dict.fromkeys(("torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit"), SIGMOID),
    **dict.fromkeys(("torch.nn.functional.linear", "torch.nn.functional.bilinear", "torch.nn.functional.conv1d",
                     "torch.nn.functional.conv2d", "torch.nn.functional.conv3d"), LOGITS),
    "torch.log": LOG,
    **dict.fromkeys(("torch.flatten", "torch.squeeze", "torch.unsqueeze", "torch.reshape", "torch.transpose",
                     "torch.permute", "torch.movedim", "torch.nn.functional.dropout",
                     # model wrappers: calling them calls the model
                     "torch.compile", "torch.nn.DataParallel", "torch.nn.parallel.DistributedDataParallel"), KEEP),
}

# Layers (Module classes), by canonical name: what calling an instance does to its input.
LAYER_EFFECTS: dict[str, Effect] = {
    **dict.fromkeys(("torch.nn.Softmax", "torch.nn.Softmin", "torch.nn.Softmax2d"), PROBS),
    "torch.nn.LogSoftmax": LOG_PROBS,
    "torch.nn.Sigmoid": SIGMOID,
    **dict.fromkeys(("torch.nn.Linear", "torch.nn.LazyLinear", "torch.nn.Bilinear",
                     *(f"torch.nn.{conv}" for conv in _CONVS)), LOGITS),
    **dict.fromkeys(("torch.nn.Identity", "torch.nn.Flatten", "torch.nn.Unflatten",
                     *(f"torch.nn.{dropout}" for dropout in _DROPOUTS)), KEEP),
}

# Tensor methods, by name, for receivers that are not instances of a known class.
METHOD_EFFECTS: dict[str, Effect] = {
    "softmax": PROBS,
    "log_softmax": LOG_PROBS,
    "sigmoid": SIGMOID,
    "log": LOG,
    **dict.fromkeys(("view", "reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "contiguous",
                     "float", "double", "half", "bfloat16", "to", "cuda", "cpu", "clone", "detach"), KEEP),
}

# Methods of a Module (or of a loss object) that return the object itself.
SELF_RETURNING_METHODS = frozenset(
    {"to", "cuda", "cpu", "train", "eval", "float", "double", "half", "bfloat16", "type", "requires_grad_"}
)

_SOFTMAX_BEFORE_CE = "softmax-before-cross-entropy"
_SIGMOID_BEFORE_BCE_LOGITS = "sigmoid-before-bce-with-logits"
_NLL_WITHOUT_LOG_SOFTMAX = "nll-loss-without-log-softmax"
_BCE_WITHOUT_SIGMOID = "bce-loss-without-sigmoid"

_CROSS_ENTROPY = {Kind.PROBS: _SOFTMAX_BEFORE_CE}
_BCE_WITH_LOGITS = {Kind.SIGMOID_PROBS: _SIGMOID_BEFORE_BCE_LOGITS}
_NLL = dict.fromkeys((Kind.LOGITS, Kind.PROBS, Kind.SIGMOID_PROBS), _NLL_WITHOUT_LOG_SOFTMAX)
_BCE = {Kind.LOGITS: _BCE_WITHOUT_SIGMOID}

# Losses (classes and functions), by canonical name: the input kinds they must not receive.
LOSSES: dict[str, dict[Kind, str]] = {
    "torch.nn.CrossEntropyLoss": _CROSS_ENTROPY,
    "torch.nn.functional.cross_entropy": _CROSS_ENTROPY,
    "torch.nn.BCEWithLogitsLoss": _BCE_WITH_LOGITS,
    "torch.nn.functional.binary_cross_entropy_with_logits": _BCE_WITH_LOGITS,
    "torch.nn.NLLLoss": _NLL,
    "torch.nn.functional.nll_loss": _NLL,
    "torch.nn.BCELoss": _BCE,
    "torch.nn.functional.binary_cross_entropy": _BCE,
}

_IMPLICIT_DIM = "torch picks the dimension implicitly (deprecated; dim 0 for 1-D and 3-D input)"
_NO_DEFAULT_DIM = "torch raises TypeError, dim has no default here"
# Softmax-family callables that need dim: (index of dim among the positional arguments, consequence).
DIM_REQUIRED: dict[str, tuple[int, str]] = {
    **dict.fromkeys(("torch.nn.Softmax", "torch.nn.LogSoftmax", "torch.nn.Softmin"), (0, _IMPLICIT_DIM)),
    **dict.fromkeys(("torch.nn.functional.softmax", "torch.nn.functional.log_softmax",
                     "torch.nn.functional.softmin"), (1, _IMPLICIT_DIM)),
    **dict.fromkeys(("torch.softmax", "torch.log_softmax", "torch.special.softmax",
                     "torch.special.log_softmax"), (1, _NO_DEFAULT_DIM)),
}

_ORDERED_MAPPINGS = frozenset({"collections.OrderedDict", "builtins.dict"})
_SHORT_PREFIXES = (("torch.nn.functional.", "F."), ("torch.nn.", "nn."))
_MAX_DEPTH = 60


def short_name(qualified: str) -> str:
    """The name users write: `torch.nn.functional.softmax` -> `F.softmax`."""
    for prefix, short in _SHORT_PREFIXES:
        if qualified.startswith(prefix):
            return short + qualified[len(prefix):]
    return qualified


# ---- abstract values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a tensor got its kind: `what` (e.g. `F.softmax`) at `node`."""

    what: str
    node: nodes.NodeNG

    def describe(self, module: nodes.Module) -> str:
        where = f"{self.what} at line {self.node.fromlineno}"
        root = self.node.root()
        if root is not module:
            where += f" of {Path(root.file).name if root.file else root.name}"
        return where


@dataclass(frozen=True)
class Tensor:
    kind: Kind
    origin: Origin


@dataclass(frozen=True)
class Layer:
    """A callable that applies an Effect: a torch layer, an nn.Sequential."""

    effect: Effect
    origin: Origin


@dataclass(frozen=True)
class Instance:
    cls: nodes.ClassDef


@dataclass(frozen=True)
class ClassRef:
    cls: nodes.ClassDef


@dataclass(frozen=True)
class FunctionRef:
    function: nodes.FunctionDef


@dataclass(frozen=True)
class Loss:
    name: str  # canonical name of the loss class


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
Value = Tensor | Layer | Instance | ClassRef | FunctionRef | Loss | _Unknown


def join(values: list[Value]) -> Value:
    """The value all of `values` agree on (the first origin is kept), else UNKNOWN."""
    if not values:
        return UNKNOWN
    first = values[0]
    for other in values[1:]:
        if isinstance(first, Tensor) and isinstance(other, Tensor):
            same = first.kind is other.kind
        elif isinstance(first, Layer) and isinstance(other, Layer):
            same = first.effect == other.effect
        else:
            same = first == other
        if not same:
            return UNKNOWN
    return first


def apply(effect: Effect, value: Value, origin: Origin) -> Value:
    """The value an operation with `effect`, located at `origin`, makes of `value`."""
    if isinstance(value, Tensor):
        for source, result in effect.maps:
            if value.kind is source:
                return Tensor(result, origin)
    if effect.produces is None:
        return value
    return UNKNOWN if effect.produces is Kind.UNKNOWN else Tensor(effect.produces, origin)


def first_argument(call: nodes.Call) -> nodes.NodeNG | None:
    """The tensor a torch function, layer or loss is applied to: its first argument or `input=`."""
    if call.args:
        return None if isinstance(call.args[0], nodes.Starred) else call.args[0]
    return next((k.value for k in call.keywords or [] if k.arg == "input"), None)


# ---- the evaluator -------------------------------------------------------------------------------


class Evaluator:
    """Abstract values of the expressions of one module, memoised.

    `owner` is the class of `self` when a method is evaluated for an instance of a subclass; None
    means the class that lexically encloses the method.
    """

    def __init__(self, module: nodes.Module) -> None:
        self.module = module
        self.index = dataflow.call_index(module)
        self.changed = dataflow.changed_after_construction(module)
        self._memo: dict[tuple[nodes.NodeNG, nodes.ClassDef | None], Value] = {}
        self._classes: dict[str, nodes.ClassDef | None] = {}
        self._names: dict[nodes.Call, str | None] = {}
        self._lineage: dict[nodes.ClassDef, list[nodes.ClassDef]] = {}
        self._depth = 0

    def value(self, node: nodes.NodeNG | None, owner: nodes.ClassDef | None = None) -> Value:
        if node is None:
            return UNKNOWN
        key = (node, owner)
        if key in self._memo:
            return self._memo[key]
        if self._depth > _MAX_DEPTH:
            return UNKNOWN
        tick()
        self._memo[key] = UNKNOWN  # a cycle evaluates to UNKNOWN
        self._depth += 1
        try:
            result = self._evaluate(node, owner)
        finally:
            self._depth -= 1
        self._memo[key] = result
        return result

    def _evaluate(self, node: nodes.NodeNG, owner: nodes.ClassDef | None) -> Value:
        if isinstance(node, nodes.Call):
            return self._call(node, owner)
        if isinstance(node, nodes.Name):
            return join([self._binding(b, node, owner) for b in dataflow.reaching_bindings(node)])
        if isinstance(node, nodes.Attribute):
            return self._attribute(node, owner)
        if isinstance(node, nodes.Subscript):  # a slice of a tensor keeps its kind
            value = self.value(node.value, owner)
            return value if isinstance(value, Tensor) else UNKNOWN
        if isinstance(node, nodes.IfExp):
            return join([self.value(node.body, owner), self.value(node.orelse, owner)])
        if isinstance(node, nodes.NamedExpr):
            return self.value(node.value, owner)
        return UNKNOWN

    # -- names and attributes

    def _binding(self, binding: nodes.NodeNG, use: nodes.Name, owner: nodes.ClassDef | None) -> Value:
        if binding.root().name == "builtins":
            return UNKNOWN
        if isinstance(binding, nodes.ClassDef):
            return ClassRef(binding)
        if isinstance(binding, nodes.FunctionDef):
            return FunctionRef(binding)
        if isinstance(binding, (nodes.Import, nodes.ImportFrom)):
            return self._imported_class(use)
        cls = dataflow.self_parameter_class(binding)
        if cls is not None:
            return Instance(owner or cls)
        if use.name in self.changed:  # `model.add_module(...)`, `layers[-1] = ...` somewhere
            return UNKNOWN
        function = dataflow.parameter_owner(binding)
        if function is not None:
            return self._parameter(function, binding.name)
        return self.value(dataflow.bound_value(binding), owner)

    def _imported_class(self, node: nodes.NodeNG) -> Value:
        name = qualified_name(node)
        if name is None or name.split(".", 1)[0] == "torch":
            return UNKNOWN
        if name not in self._classes:
            self._classes[name] = project_class(name, node)
        cls = self._classes[name]
        return ClassRef(cls) if cls is not None else UNKNOWN

    def _parameter(self, function: nodes.FunctionDef, name: str) -> Value:
        """A parameter's value at every call site in this module, when they all agree."""
        if function.root() is not self.module:
            return UNKNOWN
        if isinstance(function.parent, nodes.ClassDef):
            if function.name != "__init__" or not dataflow.is_instance_method(function):
                return UNKNOWN
            sites, skip = self.index.by_callee.get(function.parent.qname(), []), 1
        else:
            sites, skip = self.index.by_callee.get(function.qname(), []), 0
        return join([self.value(dataflow.bind_argument(site, function, name, skip)) for site in sites])

    def _attribute(self, node: nodes.Attribute, owner: nodes.ClassDef | None) -> Value:
        receiver = self.value(node.expr, owner)
        if isinstance(receiver, Instance):
            return self._instance_attribute(receiver.cls, node.attrname)
        if receiver is UNKNOWN:
            return self._imported_class(node)
        return UNKNOWN

    def _instance_attribute(self, cls: nodes.ClassDef, name: str) -> Value:
        """What `self.<name>` holds: every assignment in the class and its project bases."""
        if name in self.changed:
            return UNKNOWN
        values: list[Value] = []
        if cls not in self._lineage:
            self._lineage[cls] = class_and_bases(cls)
        for klass in self._lineage[cls]:
            for expression in dataflow.attribute_values(klass).get(name, []):
                values.append(self.value(expression, cls if klass is not cls else None))
        return join(values)

    # -- calls

    def _call(self, call: nodes.Call, owner: nodes.ClassDef | None) -> Value:
        name = self._name(call)
        if name in FUNCTION_EFFECTS:
            origin = Origin(short_name(name), call)
            return apply(FUNCTION_EFFECTS[name], self.value(first_argument(call), owner), origin)
        if name in LAYER_EFFECTS:
            return Layer(LAYER_EFFECTS[name], Origin(short_name(name), call))
        if name in LOSSES and _is_class_name(name):
            return Loss(name)
        if name == "torch.nn.Sequential":
            return self._sequential(call, owner)
        if isinstance(call.func, nodes.Attribute) and name is None:
            method = self._method_call(call, call.func, owner)
            if method is not None:
                return method
        return self._invoke(self.value(call.func, owner), call, owner)

    def _name(self, call: nodes.Call) -> str | None:
        """The callee's canonical name; calls of other project files are not in the index."""
        if call in self.index.names:
            return self.index.names[call]
        if call not in self._names:
            self._names[call] = call_name(call)
        return self._names[call]

    def _method_call(self, call: nodes.Call, func: nodes.Attribute, owner: nodes.ClassDef | None) -> Value | None:
        """`receiver.method(...)`: a model's own method, a method returning the object, a tensor
        method; None when the attribute is a callable stored on an instance."""
        receiver = self.value(func.expr, owner)
        method = func.attrname
        if isinstance(receiver, Instance):
            if method in SELF_RETURNING_METHODS:
                return receiver
            if method in self.changed:
                return UNKNOWN
            function = find_method(receiver.cls, method)
            if function is not None:
                return self._returned(function, receiver.cls)
            return None
        if isinstance(receiver, (Layer, Loss)) and method in SELF_RETURNING_METHODS:
            return receiver
        if isinstance(receiver, (Tensor, _Unknown)) and method in METHOD_EFFECTS:
            return apply(METHOD_EFFECTS[method], receiver, Origin(f"Tensor.{method}", call))
        return UNKNOWN

    def _invoke(self, callee: Value, call: nodes.Call, owner: nodes.ClassDef | None) -> Value:
        """The value of calling `callee`."""
        if isinstance(callee, Layer):
            return apply(callee.effect, self.value(first_argument(call), owner), callee.origin)
        if isinstance(callee, Instance):
            return self._forward(callee)
        if isinstance(callee, ClassRef):
            return Instance(callee.cls)
        if isinstance(callee, FunctionRef):
            return self._returned(callee.function, None)
        return UNKNOWN

    def _returned(self, function: nodes.FunctionDef, owner: nodes.ClassDef | None) -> Value:
        if owner is function.parent:
            owner = None
        return join([self.value(value, owner) for value in dataflow.returned_values(function)])

    def _sequential(self, call: nodes.Call, owner: nodes.ClassDef | None) -> Value:
        """nn.Sequential(...) as one layer: its layers folded over an unknown input."""
        output: Value = UNKNOWN
        for argument in self._sequential_layers(call):
            layer = self.value(argument, owner)
            if isinstance(layer, Layer):
                output = apply(layer.effect, output, layer.origin)
            else:
                output = self._forward(layer)
        if isinstance(output, Tensor):
            return Layer(Effect(output.kind), output.origin)
        return UNKNOWN

    def _sequential_layers(self, call: nodes.Call) -> list[nodes.NodeNG]:
        """The layer expressions of `nn.Sequential(a, b)` or `nn.Sequential(OrderedDict([("a", a)]))`;
        after `*layers`, only the layers that follow it (the fold starts from unknown there)."""
        if call.keywords:
            return []
        arguments = list(call.args)
        if len(arguments) == 1 and isinstance(arguments[0], nodes.Call):
            mapping = arguments[0]
            if self._name(mapping) in _ORDERED_MAPPINGS and len(mapping.args) == 1 and not mapping.keywords:
                pairs = mapping.args[0]
                if not isinstance(pairs, (nodes.List, nodes.Tuple)):
                    return []
                if not all(isinstance(p, nodes.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                    return []
                return [pair.elts[1] for pair in pairs.elts]
        starred = [i for i, argument in enumerate(arguments) if isinstance(argument, nodes.Starred)]
        return arguments[starred[-1] + 1:] if starred else arguments

    def _forward(self, model: Value) -> Value:
        """The output of calling a model instance: what its `forward` returns."""
        if isinstance(model, Instance) and is_module_class(model.cls) and "forward" not in self.changed:
            forward = find_method(model.cls, "forward")
            if forward is not None:
                return self._returned(forward, model.cls)
        return UNKNOWN

    # -- losses

    def loss_called(self, call: nodes.Call) -> str | None:
        """The canonical name of the loss a call computes, if it is one."""
        name = self.index.names.get(call)
        if name in LOSSES and not _is_class_name(name):
            return name
        if isinstance(call.func, (nodes.Name, nodes.Attribute, nodes.Call)):
            callee = self.value(call.func)
            if isinstance(callee, Loss):
                return callee.name
        return None


def _is_class_name(qualified: str) -> bool:
    return qualified.rpartition(".")[2][:1].isupper()


# ---- the checks ------------------------------------------------------------------------------------


# A torch name resolves only through an import or attribute that spells its last component, so a
# file whose text holds none of these cannot contain a call the rules are about.
_TRIGGERS = frozenset(name.rpartition(".")[2] for name in (*LOSSES, *DIM_REQUIRED))


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the losses family in one module."""
    if not mentions_any(module, _TRIGGERS):
        return
    index = dataflow.call_index(module)
    for call in index.calls:
        finding = _missing_dim(call, index.names[call])
        if finding is not None:
            yield finding
    if not any(name in LOSSES for name in index.by_callee):
        return
    evaluator = Evaluator(module)
    for call in index.calls:
        loss = evaluator.loss_called(call)
        if loss is not None:
            finding = _mismatch(evaluator, call, loss)
            if finding is not None:
                yield finding


def _mismatch(evaluator: Evaluator, call: nodes.Call, loss: str) -> Finding | None:
    """The finding for a loss call whose input has a kind the loss must not receive."""
    value = evaluator.value(first_argument(call))
    if not isinstance(value, Tensor) or value.kind not in LOSSES[loss]:
        return None
    symbol = LOSSES[loss][value.kind]
    origin = value.origin.describe(evaluator.module)
    if symbol == _NLL_WITHOUT_LOG_SOFTMAX:
        return Finding(symbol, call, (short_name(loss), value.kind.value, origin))
    return Finding(symbol, call, (short_name(loss), origin))


def _missing_dim(call: nodes.Call, name: str | None) -> Finding | None:
    if name not in DIM_REQUIRED:
        return None
    position, consequence = DIM_REQUIRED[name]
    if any(isinstance(arg, nodes.Starred) for arg in call.args):
        return None
    keywords = call.keywords or []
    if any(keyword.arg is None for keyword in keywords):
        return None
    dim = call.args[position] if len(call.args) > position else next(
        (keyword.value for keyword in keywords if keyword.arg == "dim"), None
    )
    if dim is not None and not (isinstance(dim, nodes.Const) and dim.value is None):
        return None
    return Finding("softmax-without-dim", call, (short_name(name), consequence))
