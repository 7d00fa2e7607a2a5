"""Abstract values of the shape interpreter.

A known Python value (int, float, str, bool, None, tuple, list, dict, range) stands for itself.
Everything else the interpreter meets is one of the records below. `UNKNOWN` is what the interpreter
could not follow: it propagates through every operation and silences every check downstream.
A dimension is a `torchport.advisor.dims` dim: an int, a symbolic `Expr` (`N`, `H//2`), or UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from astroid import nodes

from torchport.advisor.dims import UNKNOWN, Dim, Expr, Unknown

Shape = tuple[Dim, ...]


@dataclass(frozen=True)
class TensorValue:
    """A tensor: its shape (UNKNOWN when even the rank is unknown), dtype name (`float32`, `int64`, `bool`)
    and strides, None when not certain (`torchport.advisor.catalogue.layout` says which operations know them)."""

    shape: Shape | Unknown
    dtype: str | None = None
    strides: tuple[Dim, ...] | None = None

    @property
    def rank(self) -> int | None:
        return None if isinstance(self.shape, Unknown) else len(self.shape)


@dataclass(frozen=True)
class NameRef:
    """A name outside the analysed project, by its canonical dotted name: `torch.nn.Conv2d`, `torch.cat`."""

    qname: str


@dataclass(frozen=True)
class ClassRef:
    """A class defined in the analysed project."""

    classdef: nodes.ClassDef


@dataclass(frozen=True, eq=False)
class FunctionRef:
    """A function of the project (or a lambda), with `self` bound for a method and its defining frame
    for a closure."""

    node: nodes.FunctionDef | nodes.Lambda
    bound: Any = None
    closure: Any = None  # the interpreter's Frame the function was defined in


@dataclass(frozen=True, eq=False)
class MethodRef:
    """A builtin method looked up on a value: `x.view`, `layers.append`, `self.blocks.items`."""

    receiver: Any
    name: str


@dataclass(eq=False)
class ParamValue:
    """An `nn.Parameter`: its shape and whether it requires grad (None: unknown). Mutable, as
    `p.requires_grad = False` changes the parameter itself. A torch layer's parameters are held as one
    aggregate ParamValue of shape `(count,)`."""

    shape: Shape | Unknown
    trainable: bool | None = True


@dataclass(frozen=True, eq=False)
class PartialRef:
    """`functools.partial(func, *args, **kwargs)`: calling it calls `func` with these arguments first."""

    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class SuperRef:
    """`super()` inside a method of `owner`, bound to the instance `instance`."""

    owner: nodes.ClassDef
    instance: Any


@dataclass(eq=False)
class ModuleInstance:
    """One Module object: a torch layer or container, or an instance of a project Module class.

    `children` keeps torch's registration order, so that `named_modules()` spells the same names.
    """

    type_name: str  # canonical class name: `torch.nn.Conv2d`, `pkg.model.Block`
    node: nodes.NodeNG | None = None  # the call that constructed it
    classdef: nodes.ClassDef | None = None  # for a project class
    args: dict[str, Any] = field(default_factory=dict)  # bound constructor arguments
    children: dict[str, ModuleInstance | None] = field(default_factory=dict)
    params: dict[str, ParamValue] = field(default_factory=dict)  # own parameters
    attrs: dict[str, Any] = field(default_factory=dict)  # other attributes
    layer: Any = None  # for a torch layer: the catalogue's bound layer
    complete: bool = True  # False when construction did something the interpreter could not follow

    @property
    def short_type(self) -> str:
        return self.type_name.rpartition(".")[2]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, ModuleInstance]]:
        """Every module below and including this one, named and deduplicated as torch does."""
        seen: set[int] = set()
        pending: list[tuple[str, ModuleInstance]] = [(prefix, self)]
        while pending:
            name, module = pending.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{key}" if name else key, child)
                        for key, child in module.children.items() if child is not None]
            pending.extend(reversed(children))

    def parameters(self) -> Iterator[ParamValue]:
        """Every parameter below this module, each shared one once (as torch's `parameters()`)."""
        seen: set[int] = set()
        for _, module in self.named_modules():
            for param in module.params.values():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield param

    def is_complete(self) -> bool:
        return all(module.complete for _, module in self.named_modules())


@dataclass(eq=False)
class ObjectInstance:
    """An instance of a plain project class (a configuration record such as MobileNetV3's
    `InvertedResidualConfig`): its instance attributes. `known` turns False when code the interpreter did
    not follow may have changed them; its attributes are unknown from then on. Its truth is unknown
    (a class may define `__bool__` or `__len__`)."""

    classdef: nodes.ClassDef
    attrs: dict[str, Any] = field(default_factory=dict)
    known: bool = True


def truth(value: Any) -> bool | None:
    """The truth of a value, or None when it is not known."""
    if isinstance(value, (ModuleInstance, NameRef, ClassRef, FunctionRef, PartialRef, SuperRef)):
        return True
    if isinstance(value, (int, float, str, tuple, list, dict, range, type(None))):
        return bool(value)
    return None


def is_known(value: Any) -> bool:
    """Whether a value is fully known: no UNKNOWN anywhere inside it."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, (tuple, list)):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    if isinstance(value, TensorValue):
        return value.rank is not None and not any(isinstance(d, Unknown) for d in value.shape)
    return True


def same(a: Any, b: Any) -> bool:
    """Whether two values are certainly equal (identity for objects, equality for data)."""
    if a is b:
        return not isinstance(a, Unknown)
    if type(a) is not type(b):
        return False
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (ModuleInstance, FunctionRef, MethodRef, PartialRef)):
        return False
    try:
        return bool(a == b)
    except TypeError:
        return False


def join(a: Any, b: Any) -> Any:
    """What is known of a value that is `a` on one path and `b` on another: what both agree on."""
    if same(a, b):
        return a
    if isinstance(a, TensorValue) and isinstance(b, TensorValue):
        dtype = a.dtype if a.dtype == b.dtype else None
        if a.rank is None or a.rank != b.rank:
            return TensorValue(UNKNOWN, dtype)
        shape = tuple(x if same(x, y) else UNKNOWN for x, y in zip(a.shape, b.shape))
        return TensorValue(shape, dtype, a.strides if shape == a.shape and same(a.strides, b.strides) else None)
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return tuple(join(x, y) for x, y in zip(a, b))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [join(x, y) for x, y in zip(a, b)]
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {k: join(a[k], b[k]) for k in a}
    return UNKNOWN


def copy_containers(value: Any, memo: dict[int, Any]) -> Any:
    """A copy of the lists, dicts and sets inside a value (aliasing kept), so that two paths of an `if`
    can mutate them independently; other values are immutable or shared by design."""
    if type(value) in _NOT_CONTAINERS:  # the common case, answered by one lookup
        return value
    if isinstance(value, (list, dict, set)):
        if id(value) in memo:
            return memo[id(value)]
        if isinstance(value, list):
            copied_list: list[Any] = []
            memo[id(value)] = copied_list
            copied_list.extend(copy_containers(v, memo) for v in value)
            return copied_list
        if isinstance(value, dict):
            copied_dict: dict[Any, Any] = {}
            memo[id(value)] = copied_dict
            copied_dict.update((k, copy_containers(v, memo)) for k, v in value.items())
            return copied_dict
        copied_set = set(value)
        memo[id(value)] = copied_set
        return copied_set
    if isinstance(value, tuple):
        return tuple(copy_containers(v, memo) for v in value)
    return value


# The records that hold state the interpreter may change (or refer to such state): `clone` copies them.
# Every other value (tensors, names, classes, dims, the catalogue's layers, syntax-tree nodes) is immutable.
RECORDS: frozenset[type] = frozenset({ModuleInstance, ObjectInstance, ParamValue, FunctionRef, MethodRef, PartialRef,
                                      SuperRef})
# The most frequent immutable values, which `clone` and `copy_containers` return at once: a container or
# a record is never one of these types.
_IMMUTABLE: frozenset[type] = frozenset({int, float, bool, str, type(None), Unknown, Expr, TensorValue, NameRef,
                                         ClassRef})
_NOT_CONTAINERS: frozenset[type] = _IMMUTABLE | RECORDS


def clone(value: Any, memo: dict[int, Any], records: frozenset[type] = RECORDS) -> Any:
    """A deep copy of a value: containers and `records` (dataclasses) copied with their aliasing kept
    (`memo`: id of an original -> its copy, shared by everything copied together), immutable values shared.
    The items of a container or record that are of an `_IMMUTABLE` type are shared without a call."""
    if type(value) in _IMMUTABLE:
        return value
    copied = memo.get(id(value))
    if copied is not None:
        return copied
    kind = type(value)
    if kind is list:
        new_list: list[Any] = []
        memo[id(value)] = new_list
        new_list.extend([v if type(v) in _IMMUTABLE else clone(v, memo, records) for v in value])
        return new_list
    if kind is dict:
        new_dict: dict[Any, Any] = {}
        memo[id(value)] = new_dict
        for k, v in value.items():
            new_dict[k if type(k) in _IMMUTABLE else clone(k, memo, records)] = \
                v if type(v) in _IMMUTABLE else clone(v, memo, records)
        return new_dict
    if kind is set:
        new_set: set[Any] = set()
        memo[id(value)] = new_set
        new_set.update([clone(v, memo, records) for v in value])
        return new_set
    if kind is tuple:
        items = [v if type(v) in _IMMUTABLE else clone(v, memo, records) for v in value]
        new_tuple = value if all(a is b for a, b in zip(items, value)) else tuple(items)
        memo[id(value)] = new_tuple
        return new_tuple
    if kind in records:
        new = object.__new__(kind)
        memo[id(value)] = new
        for name in _field_names(kind):
            field = getattr(value, name)
            object.__setattr__(new, name, field if type(field) in _IMMUTABLE else clone(field, memo, records))
        return new
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    return names
