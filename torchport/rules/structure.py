"""Rules of the structure family (71xx): how a Module is initialised, what it registers, what its
forward builds, and how modules are called.

One walk over the file finds the Module classes and the `.forward(...)` calls; each class is then
read method by method: `__init__` (and the helpers it calls) for initialisation and registration,
`forward` (and the helpers it calls) for layers built on every call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from astroid import nodes

from torchport.analysis.layers import (
    LayerKind,
    construction_kind,
    functional_equivalent,
    is_module_value,
    is_stateful_value,
    local_values,
    parameter_annotation,
)
from torchport.analysis.memo import per_query
from torchport.analysis.model import class_and_bases, find_method, is_self, reachable_methods
from torchport.analysis.modules import is_module_class, project_class
from torchport.analysis.names import call_name, qualified_name
from torchport.analysis.node_index import descendants
from torchport.rules.finding import Finding

# --- tables ---------------------------------------------------------------------------------------

# What is set on `self` before Module.__init__ has run, and torch's error: (noun, error text).
_BEFORE_INIT_ERROR = "cannot assign %s before Module.__init__() call"
_EARLY_ASSIGNMENTS = {
    "torch.nn.Parameter": ("parameter", _BEFORE_INIT_ERROR % "parameters"),
    "torch.nn.UninitializedParameter": ("parameter", _BEFORE_INIT_ERROR % "parameters"),
    "torch.nn.Buffer": ("buffer", _BEFORE_INIT_ERROR % "buffer"),
    "torch.nn.UninitializedBuffer": ("buffer", _BEFORE_INIT_ERROR % "buffer"),
}
_EARLY_MODULE = ("module", _BEFORE_INIT_ERROR % "module")
# self.<method>(name, value) calls that register state, with the same wording.
_REGISTRATION_METHODS = {
    "register_buffer": ("buffer", _BEFORE_INIT_ERROR % "buffer"),
    "register_parameter": ("parameter", _BEFORE_INIT_ERROR % "parameter"),
    "add_module": ("module", "... object has no attribute '_modules'"),
    "register_module": ("module", "... object has no attribute '_modules'"),
}
_WRAPPERS = frozenset({"torch.nn.Parameter", "torch.nn.Buffer"})

# Why a stateful layer must not be built in forward, and what else to call, by kind.
_BUILT_IN_FORWARD = {
    LayerKind.PARAMETRIC: (
        "every call gets new random weights that are never trained, not moved by .to(device) and "
        "missing from state_dict()"
    ),
    LayerKind.TRAIN_DEPENDENT: "a new one is always in training mode and ignores model.eval()",
}

# torch functions that make a new tensor; torch.tensor/as_tensor only count on sequences.
_TENSOR_FACTORIES = frozenset({
    "torch.zeros", "torch.ones", "torch.empty", "torch.full", "torch.rand", "torch.randn", "torch.randint",
    "torch.randperm", "torch.arange", "torch.linspace", "torch.logspace", "torch.eye", "torch.zeros_like",
    "torch.ones_like", "torch.empty_like", "torch.full_like", "torch.rand_like", "torch.randn_like",
    "torch.from_numpy", "torch.Tensor", "torch.FloatTensor", "torch.LongTensor", "torch.BoolTensor",
})
_DATA_FACTORIES = frozenset({"torch.tensor", "torch.as_tensor"})
_SEQUENCE_TYPES = frozenset({"builtins.list", "builtins.tuple", "typing.List", "typing.Tuple", "typing.Sequence",
                             "collections.abc.Sequence"})
_TENSOR_TO_TENSOR = frozenset({"torch.tril", "torch.triu", "torch.diag", "torch.outer", "torch.exp", "torch.log"})
_TENSOR_METHODS = frozenset({
    "to", "cuda", "cpu", "float", "double", "half", "long", "int", "bool", "view", "reshape", "unsqueeze",
    "squeeze", "expand", "repeat", "t", "transpose", "permute", "contiguous", "clone", "detach",
    "requires_grad_", "fill_", "zero_", "normal_", "uniform_", "tril", "triu", "exp", "log",
})

# Methods and operators that put values into a list or dict: method -> index of the value argument.
_FILLERS = {"append": 0, "insert": 1, "add": 0}
_BULK_FILLERS = frozenset({"extend", "update"})
_COLLECTION_CALLS = {"builtins.list": "list", "builtins.tuple": "tuple", "builtins.dict": "dict",
                     "builtins.set": "set"}
_COLLECTION_NODES = {nodes.List: "list", nodes.ListComp: "list", nodes.Tuple: "tuple", nodes.Dict: "dict",
                     nodes.DictComp: "dict", nodes.Set: "set", nodes.SetComp: "set"}
_REGISTERING_CALLS = frozenset({"add_module", "register_module", "setattr"})
_INERT_CALLS = frozenset({"builtins.len", "builtins.print", "builtins.isinstance"})
_BLOCKS = ("body", "orelse", "handlers", "finalbody")
_MAX_DEPTH = 8  # bound on following local names and nested expressions
_NESTED_SCOPES = (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)
_GUARDS = (nodes.If, nodes.IfExp, nodes.Try, nodes.TryStar, nodes.Match)  # statements that may not run
# self.<attr>.<method>(value) calls that keep a value on self.
_KEEPING_METHODS = frozenset({"append", "insert", "extend", "add", "update", "__setitem__"})


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the structure family in one module."""
    classes: list[nodes.ClassDef] = []
    forward_calls: list[nodes.Call] = []
    for node in descendants(module, (nodes.ClassDef, nodes.Call)):
        if isinstance(node, nodes.ClassDef):
            classes.append(node)
        elif isinstance(node.func, nodes.Attribute) and node.func.attrname == "forward":
            forward_calls.append(node)
    forward_path: set[nodes.FunctionDef] = set()  # functions already checked: a block can serve several classes
    for cls in classes:
        if is_module_class(cls):
            yield from _check_init(cls)
            yield from _check_registration(cls)
            yield from _check_forward(cls, forward_path)
    yield from _check_direct_forward(forward_calls)


# --- E7101, E7102: the base initialiser -----------------------------------------------------------


def _check_init(cls: nodes.ClassDef) -> Iterator[Finding]:
    init = _own_method(cls, "__init__")
    if init is None or _is_stub(init):
        return
    before = _statements_before_base_init(init.body)
    if before is None:
        own = _own_reachable(cls, "__init__")
        if not any(_calls_base_init(m) for m in own) and not any(_calls_base_initialiser(cls, m) for m in own):
            yield Finding("module-super-init-missing", init, (cls.name,))
        return
    for statement in before:
        for node, attr, (noun, word) in _state_assignments(statement, init):
            yield Finding("module-assigned-before-super-init", node, (attr, noun, word))


def _own_method(cls: nodes.ClassDef, name: str) -> nodes.FunctionDef | None:
    """The class's own definition of a method: the last one that is not an `@overload` stub."""
    found = [n for n in cls.locals.get(name, []) if isinstance(n, nodes.FunctionDef) and n.parent is cls
             and not _is_overload(n)]
    return found[-1] if found else None


def _is_overload(method: nodes.FunctionDef) -> bool:
    decorators = method.decorators.nodes if method.decorators else []
    return any((qualified_name(d) or "").endswith(".overload") for d in decorators)


def _is_stub(method: nodes.FunctionDef) -> bool:
    """A body of only a docstring, `...` and `raise`: an abstract or placeholder method."""
    return all(
        isinstance(s, nodes.Raise)
        or (isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Const)
            and (s.value.value is Ellipsis or isinstance(s.value.value, str)))
        for s in method.body
    )


def _is_base_init_call(call: nodes.Call, method: nodes.FunctionDef) -> bool:
    """`super().__init__(...)`, `super(C, self).__init__(...)`, `Base.__init__(self, ...)`..."""
    func = call.func
    return isinstance(func, nodes.Attribute) and func.attrname == "__init__" and not is_self(func.expr, method)


def _calls_base_init(method: nodes.FunctionDef) -> bool:
    return any(_is_base_init_call(c, method) for c in descendants(method, nodes.Call))


def _calls_base_initialiser(cls: nodes.ClassDef, method: nodes.FunctionDef) -> bool:
    """Whether `method` calls a base class's helper that runs the base initialiser: torch's quantized
    convolutions call `super()._init(...)`, whose body calls `super().__init__()`. A helper whose body
    cannot be read (a base outside the project and outside torch) counts as one; torch's own methods
    other than `__init__` never initialise the Module."""
    chain = class_and_bases(cls)
    for call in descendants(method, nodes.Call):
        func = call.func
        if not (isinstance(func, nodes.Attribute) and func.attrname != "__init__" and _is_super(func.expr)):
            continue
        owner = next((base for base in chain[1:] if _own_method(base, func.attrname) is not None), None)
        if owner is None:
            if not _outside_bases_are_torch(chain):
                return True
        elif any(_calls_base_init(m) for m in reachable_methods(owner, func.attrname)):
            return True
    return False


def _outside_bases_are_torch(chain: list[nodes.ClassDef]) -> bool:
    """Whether every base of the classes in `chain` (a class and its project bases) that is not itself in
    `chain` is torch's own."""
    names = {c.name for c in chain}
    for cls in chain:
        for base in cls.bases:
            name = qualified_name(base) or ""
            if not (name.startswith("torch.") or name.rpartition(".")[2] in names):
                return False
    return True


def _is_super(node: nodes.NodeNG) -> bool:
    """`super()` or `super(C, self)`."""
    return isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name == "super"


def _contains_base_init(node: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
    return any(_is_base_init_call(c, method) for c in descendants(node, nodes.Call))


def _statements_before_base_init(body: list[nodes.NodeNG]) -> list[nodes.NodeNG] | None:
    """The statements of `body` that run before its first base-initialiser call (descending into the
    block that holds it); None when `body` holds no such call."""
    method = body[0].scope() if body else None
    if not isinstance(method, nodes.FunctionDef):
        return None
    before: list[nodes.NodeNG] = []
    for statement in body:
        if not _contains_base_init(statement, method):
            before.append(statement)
            continue
        for block in _blocks(statement):
            inner = _statements_before_base_init(block)
            if inner is not None:
                before.extend(inner)
                break
        return before
    return None


def _blocks(statement: nodes.NodeNG) -> list[list[nodes.NodeNG]]:
    """The statement lists nested in a compound statement, in source order."""
    blocks = []
    for name in _BLOCKS:
        value = getattr(statement, name, None)
        if isinstance(value, list) and value and isinstance(value[0], nodes.ExceptHandler):
            blocks += [handler.body for handler in value]
        elif isinstance(value, list) and value:
            blocks.append(value)
    return blocks


def _state_assignments(
    statement: nodes.NodeNG, method: nodes.FunctionDef
) -> Iterator[tuple[nodes.NodeNG, str, tuple[str, str]]]:
    """Modules, parameters and buffers that a statement puts on `self`: (node, attribute, wording)."""
    if isinstance(statement, _NESTED_SCOPES):
        return  # a nested function or class: its body does not run here
    for node in descendants(statement, (nodes.AssignAttr, nodes.Call), skip_klass=_NESTED_SCOPES):
        if isinstance(node, nodes.AssignAttr):
            value = _assigned_value(node)
            if value is None or not is_self(node.expr, method):
                continue
            wording = _EARLY_ASSIGNMENTS.get(call_name(value)) if isinstance(value, nodes.Call) else None
            if wording is None and is_module_value(value):
                wording = _EARLY_MODULE
            if wording is not None:
                yield node.parent, node.attrname, wording
        elif isinstance(node.func, nodes.Attribute) and is_self(node.func.expr, method) \
                and node.func.attrname in _REGISTRATION_METHODS and node.args:
            yield node, _constant_or_source(node.args[0]), _REGISTRATION_METHODS[node.func.attrname]


def _assigned_value(target: nodes.AssignAttr) -> nodes.NodeNG | None:
    """The value of `self.x = value`, `self.x: T = value`, or `self.x` in `self.x, self.y = a, b`."""
    parent = target.parent
    if isinstance(parent, nodes.Assign) and target in parent.targets:
        return parent.value
    if isinstance(parent, nodes.AnnAssign) and parent.target is target:
        return parent.value
    assign = parent.parent if isinstance(parent, nodes.Tuple) else None
    if not isinstance(assign, nodes.Assign) or parent not in assign.targets:
        return None
    values = assign.value
    if isinstance(values, nodes.Tuple) and len(values.elts) == len(parent.elts) \
            and not any(isinstance(e, nodes.Starred) for e in (*parent.elts, *values.elts)):
        return values.elts[parent.elts.index(target)]
    return None


def _constant_or_source(node: nodes.NodeNG) -> str:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else node.as_string()


# --- E7105, W7106: what __init__ registers --------------------------------------------------------


@dataclass
class _InitFacts:
    """What the methods run by `__init__` do with `self.<attr>`."""

    assignments: dict[str, list[tuple[nodes.NodeNG, nodes.NodeNG]]] = field(default_factory=dict)
    fills: dict[str, list[nodes.NodeNG]] = field(default_factory=dict)  # values put into self.<attr>
    registered: set[str] = field(default_factory=set)  # names given to register_buffer/parameter
    passed_on: set[str] = field(default_factory=set)  # attributes handed to calls that may register them


def _check_registration(cls: nodes.ClassDef) -> Iterator[Finding]:
    methods = _own_reachable(cls, "__init__")
    if not methods:
        return
    facts = _init_facts(methods)
    for attr, assignments in facts.assignments.items():
        yield from _unregistered_container(attr, assignments, facts)
        yield from _unregistered_tensor(attr, assignments, facts)


def _init_facts(methods: list[nodes.FunctionDef]) -> _InitFacts:
    facts = _InitFacts()
    walked = (nodes.AssignAttr, nodes.Call, nodes.AugAssign, nodes.For, nodes.Subscript)
    for method in methods:
        for node in descendants(method, walked):
            if isinstance(node, nodes.AssignAttr) and is_self(node.expr, method):
                value = _assigned_value(node)
                if value is not None:
                    facts.assignments.setdefault(node.attrname, []).append((node.parent, value))
            elif isinstance(node, nodes.AugAssign):
                attr = _self_attr(node.target, method)
                if attr:
                    facts.fills.setdefault(attr, []).append(node.value)
            elif isinstance(node, nodes.Call):
                _read_call(node, method, facts)
            elif isinstance(node, nodes.For):
                attr = _self_attr(node.iter, method)
                if attr and any(_registers(c) for c in descendants(node, nodes.Call)):
                    facts.passed_on.add(attr)
            elif isinstance(node, nodes.Subscript):
                attr = _self_attr(node.value, method)
                parent = node.parent
                if attr and isinstance(parent, nodes.Assign) and node in parent.targets:
                    facts.fills.setdefault(attr, []).append(parent.value)
    return facts


def _read_call(call: nodes.Call, method: nodes.FunctionDef, facts: _InitFacts) -> None:
    func = call.func
    if isinstance(func, nodes.Attribute):
        attr = _self_attr(func.expr, method)
        if attr and func.attrname in _FILLERS and len(call.args) > _FILLERS[func.attrname]:
            facts.fills.setdefault(attr, []).append(call.args[_FILLERS[func.attrname]])
            return
        if attr and func.attrname in _BULK_FILLERS and call.args:
            facts.fills.setdefault(attr, []).append(call.args[0])
            return
        if is_self(func.expr, method) and func.attrname in ("register_buffer", "register_parameter") \
                and call.args and isinstance(call.args[0], nodes.Const):
            facts.registered.add(str(call.args[0].value))
    if call_name(call) in _INERT_CALLS:
        return
    for argument in list(call.args) + [k.value for k in call.keywords or ()]:
        attr = _self_attr(argument.value if isinstance(argument, nodes.Starred) else argument, method)
        if attr:
            facts.passed_on.add(attr)


def _self_attr(node: nodes.NodeNG, method: nodes.FunctionDef) -> str | None:
    """`x` for an expression `self.x`."""
    if isinstance(node, (nodes.Attribute, nodes.AssignAttr)) and is_self(node.expr, method):
        return node.attrname
    return None


def _registers(call: nodes.Call) -> bool:
    func = call.func
    name = func.attrname if isinstance(func, nodes.Attribute) else func.name if isinstance(func, nodes.Name) else ""
    return name in _REGISTERING_CALLS


def _unregistered_container(
    attr: str, assignments: list[tuple[nodes.NodeNG, nodes.NodeNG]], facts: _InitFacts
) -> Iterator[Finding]:
    if attr in facts.passed_on:
        return
    for index, (statement, value) in enumerate(assignments):
        collection = _collection_type(value)
        if collection is None:
            continue
        if any(_collection_type(later) is None for _, later in assignments[index + 1:]):
            return  # replaced later, e.g. by nn.ModuleList(self.layers)
        if any(_holds_lost_state(v) for v in [value, *facts.fills.get(attr, [])]):
            container = "ModuleDict(...)" if collection == "dict" else "ModuleList(...)"
            yield Finding("module-container-not-registered", statement, (attr, collection, container))
        return


@per_query
def _collection_type(value: nodes.NodeNG, depth: int = 0) -> str | None:
    """"list", "tuple", "dict" or "set" for a plain Python collection expression."""
    if depth > _MAX_DEPTH:
        return None
    for node_type, name in _COLLECTION_NODES.items():
        if isinstance(value, node_type):
            return name
    if isinstance(value, nodes.Call):
        return _COLLECTION_CALLS.get(call_name(value) or "")
    if isinstance(value, nodes.BinOp) and value.op in ("+", "*"):
        return _collection_type(value.left, depth + 1) or _collection_type(value.right, depth + 1)
    if isinstance(value, nodes.Name):
        types = {_collection_type(v, depth + 1) for v in local_values(value) or [None]}
        return types.pop() if len(types) == 1 else None
    return None


@per_query
def _holds_lost_state(value: nodes.NodeNG, depth: int = 0) -> bool:
    """Whether a collection expression, or a value put into one, holds a stateful layer that nothing
    else registers: a layer also handed to `nn.Sequential`, `add_module` or `self.x = ...` is not lost."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(value, nodes.Name):
        if _registered_elsewhere(value):
            return False
        return any(_holds_lost_state(v, depth + 1) for v in local_values(value) or ()) \
            or _local_filled_with_state(value, depth + 1)
    if isinstance(value, (nodes.List, nodes.Tuple, nodes.Set)):
        return any(_holds_lost_state(e, depth + 1) for e in value.elts)
    if isinstance(value, nodes.Dict):
        return any(_holds_lost_state(v, depth + 1) for _, v in value.items)
    if isinstance(value, nodes.DictComp):
        return _holds_lost_state(value.value, depth + 1)
    if isinstance(value, nodes.BinOp):
        return _holds_lost_state(value.left, depth + 1) or _holds_lost_state(value.right, depth + 1)
    if isinstance(value, nodes.Call) and call_name(value) in _COLLECTION_CALLS:
        return any(_holds_lost_state(a, depth + 1) for a in value.args)
    if isinstance(value, nodes.Starred):
        return _holds_lost_state(value.value, depth + 1)
    return is_stateful_value(value)


def _local_filled_with_state(name: nodes.Name, depth: int) -> bool:
    """Whether a local list/dict gets a lost stateful layer through `append`/`extend`/`+=`/`[k] =`."""
    for node in descendants(name.scope(), (nodes.Call, nodes.AugAssign, nodes.Subscript)):
        if isinstance(node, nodes.Call):
            put = _filled_value(node)
            if put is not None and _is_name(node.func.expr, name.name) and _holds_lost_state(put, depth):
                return True
        elif isinstance(node, nodes.AugAssign):
            if _is_name(node.target, name.name) and _holds_lost_state(node.value, depth):
                return True
        elif _is_name(node.value, name.name) and isinstance(node.parent, nodes.Assign) \
                and node in node.parent.targets and _holds_lost_state(node.parent.value, depth):
            return True
    return False


def _filled_value(call: nodes.Call) -> nodes.NodeNG | None:
    """The value `xs.append(v)`, `xs.insert(i, v)`, `xs.extend(vs)` or `d.update(vs)` puts into `xs`."""
    func = call.func
    if not isinstance(func, nodes.Attribute):
        return None
    index = _FILLERS.get(func.attrname, 0 if func.attrname in _BULK_FILLERS else None)
    return call.args[index] if index is not None and len(call.args) > index else None


def _registered_elsewhere(name: nodes.Name) -> bool:
    """Whether a local is also registered another way: handed to a call other than a collection's
    `append`-like methods (`nn.Sequential(*layers)`, `self.add_module(n, layer)`), assigned to a self
    attribute, or iterated by a loop that registers its items."""
    for node in descendants(name.scope(), nodes.Name):
        if node.name != name.name or node is name:
            continue
        parent = node.parent.parent if isinstance(node.parent, nodes.Starred) else node.parent
        if isinstance(parent, nodes.Call) and node is not parent.func and _filled_value(parent) is None \
                and call_name(parent) not in _INERT_CALLS:
            return True
        if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and node is parent.value and any(
                isinstance(t, nodes.AssignAttr) for t in parent.get_children() if t is not node):
            return True
        if isinstance(parent, nodes.For) and node is parent.iter \
                and any(_registers(c) for c in descendants(parent, nodes.Call)):
            return True
    return False


def _is_name(node: nodes.NodeNG, name: str) -> bool:
    return isinstance(node, (nodes.Name, nodes.AssignName)) and node.name == name


def _unregistered_tensor(
    attr: str, assignments: list[tuple[nodes.NodeNG, nodes.NodeNG]], facts: _InitFacts
) -> Iterator[Finding]:
    if attr in facts.registered or any(_wraps_state(value) for _, value in assignments):
        return
    for statement, value in assignments:
        factory = _tensor_factory(value)
        if factory is not None and (_requires_grad(value) or not _placed(value)):
            yield Finding("tensor-attribute-not-registered", statement, (attr, factory, attr))
            return


def _placed(value: nodes.NodeNG) -> bool:
    """Whether the code places the tensor itself (`device=...`, `.to(...)`, `.cuda()`): scratch
    state it manages on purpose, such as DistributedDataParallel's gradient buffer."""
    for call in descendants(value, nodes.Call):
        if any(k.arg == "device" for k in call.keywords or ()):
            return True
        if isinstance(call.func, nodes.Attribute) and call.func.attrname in ("to", "cuda"):
            return True
    return False


def _requires_grad(value: nodes.NodeNG) -> bool:
    """`requires_grad=True` or `.requires_grad_()`: a tensor meant to be trained, whatever its device."""
    for call in descendants(value, nodes.Call):
        if any(k.arg == "requires_grad" and isinstance(k.value, nodes.Const) and k.value.value is True
               for k in call.keywords or ()):
            return True
        if isinstance(call.func, nodes.Attribute) and call.func.attrname == "requires_grad_":
            return True
    return False


@per_query
def _is_sequence(data: nodes.NodeNG, depth: int = 0) -> bool:
    """Whether `torch.tensor(data)` gets a sequence (not a scalar, which works on any device): a
    literal, a list()/tuple() call, a local bound to one, or a parameter annotated as a sequence."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(data, (nodes.List, nodes.Tuple, nodes.ListComp)):
        return True
    if isinstance(data, nodes.Call):
        return call_name(data) in ("builtins.list", "builtins.tuple")
    if not isinstance(data, nodes.Name):
        return False
    annotation = parameter_annotation(data)
    if annotation is not None:
        generic = annotation.value if isinstance(annotation, nodes.Subscript) else annotation
        return qualified_name(generic) in _SEQUENCE_TYPES
    values = local_values(data)
    return values is not None and all(_is_sequence(v, depth + 1) for v in values)


def _wraps_state(value: nodes.NodeNG) -> bool:
    return isinstance(value, nodes.Call) and call_name(value) in _WRAPPERS


def _tensor_factory(value: nodes.NodeNG, depth: int = 0) -> str | None:
    """The torch factory (as written in messages) that makes the new tensor `value` evaluates to."""
    if not isinstance(value, nodes.Call) or depth > 8:
        return None
    name = call_name(value)
    if name in _TENSOR_FACTORIES:
        return name
    if name in _DATA_FACTORIES:
        return name if value.args and _is_sequence(value.args[0]) else None
    if name in _TENSOR_TO_TENSOR and value.args:
        return _tensor_factory(value.args[0], depth + 1)
    func = value.func
    if isinstance(func, nodes.Attribute) and func.attrname in _TENSOR_METHODS:
        return _tensor_factory(func.expr, depth + 1)
    return None


# --- E7103, R7104: layers built in forward --------------------------------------------------------


def _check_forward(cls: nodes.ClassDef, checked: set[nodes.FunctionDef]) -> Iterator[Finding]:
    """Layers built by forward, by the class's own methods it calls as `self.<method>(...)`, and by
    the functions of the same file they call by name (`conv_block(x, 32)`, Keras functional-API style)."""
    pending = _own_reachable(cls, "forward")
    while pending:
        function = pending.pop(0)
        if function in checked:
            continue
        checked.add(function)
        where = "forward()" if function.name == "forward" else f"{function.name}() (called from forward)"
        for call in descendants(function, nodes.Call, skip_klass=nodes.ClassDef):
            callee = _module_function(call)
            if callee is not None:
                pending.append(callee)
                continue
            finding = _construction_finding(call, function, where)
            if finding is not None:
                yield finding


def _construction_finding(call: nodes.Call, function: nodes.FunctionDef, where: str) -> Finding | None:
    kind = construction_kind(call)
    if kind is None or kind in (LayerKind.LOSS, LayerKind.CONTAINER) or _built_once(call, function):
        return None
    name = call_name(call)
    if kind.is_stateful:
        functional = functional_equivalent(name) if kind is LayerKind.TRAIN_DEPENDENT else None
        alternative = f", or call {_shown(functional)}(..., training=self.training)" if functional else ""
        return Finding("layer-built-in-forward", call, (_shown(name), where, _BUILT_IN_FORWARD[kind], alternative))
    functional = functional_equivalent(name)
    advice = (f"call {_shown(functional)}(...) instead, or build it once in __init__" if functional
              else "build it once in __init__")
    return Finding("stateless-layer-built-in-forward", call, (_shown(name), where, advice))


def _module_function(call: nodes.Call) -> nodes.FunctionDef | None:
    """The top-level function of the same file that a call `name(...)` runs."""
    if not isinstance(call.func, nodes.Name):
        return None
    try:
        _, bindings = call.func.lookup(call.func.name)
    except Exception:  # astroid lookup on malformed trees: the callee is simply unknown
        return None
    root = call.root()
    functions = [b for b in bindings if isinstance(b, nodes.FunctionDef) and b.parent is root]
    return functions[-1] if len(functions) == len(bindings) and functions else None


def _built_once(call: nodes.Call, function: nodes.FunctionDef) -> bool:
    """Whether a layer built on the forward path is not rebuilt on every call, or is not used fresh:
    stored on self in a lazy first-call build (`if self.fc is None: self.fc = ...`) or in a
    `build()`-style helper, or given its weights afterwards (`layer.weight = self.weight`)."""
    stored = call if _stored_on_self(call, function) else None
    local = _local_target(call)
    if local is not None:
        if _weights_given(local, function):
            return True
        stored = _local_stored_on_self(local, function)
    if stored is None:
        return False
    return function.name != "forward" or _is_conditional(stored, function)


def _local_target(call: nodes.Call) -> str | None:
    """`x` when the call is the whole right-hand side of `x = call`."""
    parent = call.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1 \
            and isinstance(parent.targets[0], nodes.AssignName):
        return parent.targets[0].name
    return None


def _stored_on_self(value: nodes.NodeNG, function: nodes.FunctionDef) -> bool:
    """`self.x = value`, `self.add_module(n, value)`, `setattr(self, n, value)`, `self.xs.append(value)`."""
    parent = value.parent
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign)):
        targets = parent.targets if isinstance(parent, nodes.Assign) else [parent.target]
        return any(isinstance(t, nodes.AssignAttr) and is_self(t.expr, function) for t in targets) or any(
            isinstance(t, nodes.Subscript) and _self_attr(t.value, function) for t in targets)
    if isinstance(parent, nodes.Call) and value is not parent.func:
        func = parent.func
        if isinstance(func, nodes.Attribute):
            return (is_self(func.expr, function) and func.attrname in _REGISTRATION_METHODS) or (
                _self_attr(func.expr, function) is not None and func.attrname in _KEEPING_METHODS)
        return call_name(parent) == "builtins.setattr" and bool(parent.args) and is_self(parent.args[0], function)
    return False


def _local_stored_on_self(local: str, function: nodes.FunctionDef) -> nodes.NodeNG | None:
    """The first read of a local that stores it on self (`self.fc = fc`), if any."""
    for node in descendants(function, nodes.Name):
        if node.name == local and _stored_on_self(node, function):
            return node
    return None


def _weights_given(local: str, function: nodes.FunctionDef) -> bool:
    """Whether a local layer gets its state from elsewhere: `layer.weight = ...`, `layer.load_state_dict(...)`."""
    for node in descendants(function, (nodes.AssignAttr, nodes.Attribute)):
        if isinstance(node, nodes.AssignAttr) and _is_name(node.expr, local):
            return True
        if isinstance(node, nodes.Attribute) and node.attrname == "load_state_dict" and _is_name(node.expr, local):
            return True
    return False


def _is_conditional(node: nodes.NodeNG, function: nodes.FunctionDef) -> bool:
    """Whether a statement of `function` runs only under a condition (`if`, `match`, a conditional
    expression, or a `try` whose failure it handles)."""
    current = node.parent
    while current is not None and current is not function:
        if isinstance(current, _GUARDS):
            return True
        current = current.parent
    return False


def _shown(qname: str | None) -> str:
    """A name as messages write it: `nn.Linear`, `F.relu`, `torch.flatten`, `MyBlock`."""
    if qname is None:
        return "?"
    for prefix, short in (("torch.nn.functional.", "F."), ("torch.nn.", "nn.")):
        if qname.startswith(prefix):
            return short + qname[len(prefix):]
    return qname if qname.startswith("torch.") else qname.rsplit(".", 1)[-1]


# --- W7107: forward called directly ---------------------------------------------------------------


def _check_direct_forward(calls: list[nodes.Call]) -> Iterator[Finding]:
    for call in calls:
        receiver = call.func.expr
        if _is_known_module(receiver):
            shown = receiver.as_string()
            yield Finding("forward-called-directly", call, (shown, shown))


def _is_known_module(receiver: nodes.NodeNG) -> bool:
    method = receiver.scope()
    if isinstance(method, nodes.FunctionDef) and isinstance(method.parent, nodes.ClassDef):
        if is_self(receiver, method):
            return False  # self.forward(...) inside the class: see the message's documentation
        if isinstance(receiver, nodes.Attribute) and is_self(receiver.expr, method):
            return _attribute_is_module(method.parent, receiver.attrname)
    return isinstance(receiver, (nodes.Name, nodes.Call)) and is_module_value(receiver)


def _attribute_is_module(cls: nodes.ClassDef, attr: str) -> bool:
    """Whether every assignment to `self.<attr>` in the class and its project bases is a Module."""
    values = list(_self_assignments(cls, attr))
    return bool(values) and all(is_module_value(v) for v in values)


def _self_assignments(cls: nodes.ClassDef, attr: str) -> Iterator[nodes.NodeNG]:
    seen: set[int] = set()
    pending = [cls]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for method in current.mymethods():
            for target in descendants(method, nodes.AssignAttr):
                if target.attrname == attr and is_self(target.expr, method):
                    value = _assigned_value(target)
                    yield value if value is not None else target  # an unknown value: not a Module
        for base in current.bases:
            name = qualified_name(base)
            base_cls = project_class(name, base) if name else None
            if base_cls is not None:
                pending.append(base_cls)


# --- shared ---------------------------------------------------------------------------------------


def _own_reachable(cls: nodes.ClassDef, entry: str) -> list[nodes.FunctionDef]:
    """The methods defined in `cls` that `entry` (its own or a base's) runs, `entry` included."""
    if find_method(cls, entry) is None:
        return []
    return [m for m in reachable_methods(cls, entry) if m.parent is cls]
