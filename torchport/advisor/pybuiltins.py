"""Python's builtins and container methods as the shape interpreter evaluates them.

Each builtin runs the real Python function on known values; anything unknown, or any error, gives
UNKNOWN. Results are bounded in size, so that no analysed source can make the interpreter allocate
without limit (`[0] * 10**12`, `"x".rjust(10**9)`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from torchport.advisor.dims import UNKNOWN, Expr, Unknown
from torchport.advisor.values import NameRef, is_known, truth

if TYPE_CHECKING:
    from torchport.advisor.evaluator import Evaluator

MAX_SIZE = 10_000  # longest list, tuple, range, str the interpreter builds
MAX_INT_BITS = 256

Builtin = Callable[["Evaluator", list[Any], dict[str, Any]], Any]


def bounded(value: Any) -> Any:
    """The value, or UNKNOWN when it is too large to be a model's configuration."""
    if isinstance(value, (list, tuple, str, dict, range)) and len(value) > MAX_SIZE:
        return UNKNOWN
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        return UNKNOWN
    return value


def _pure(function: Callable[..., Any]) -> Builtin:
    """A builtin that is a pure function of known arguments."""
    def run(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not all(_plain_data(v) for v in (*args, *kwargs.values())):
            return UNKNOWN
        try:
            return bounded(function(*args, **kwargs))
        except (TypeError, ValueError, ArithmeticError, KeyError, IndexError, AttributeError):
            return UNKNOWN
    return run


def _plain_data(value: Any) -> bool:
    """Numbers, strings, None and containers of them: what Python's builtins may safely compute on
    (not symbolic dims, not the interpreter's records)."""
    if isinstance(value, (int, float, str, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain_data(v) for v in value)
    if isinstance(value, dict):
        return all(_plain_data(k) and _plain_data(v) for k, v in value.items())
    return False


def _sequence_builtin(function: Callable[..., Any]) -> Builtin:
    """A builtin over iterables (zip, enumerate, list...): the interpreter lists their items first."""
    def run(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
        items = [ev.iterate(a) if not isinstance(a, int) else a for a in args]
        if any(i is None for i in items) or not all(isinstance(v, (int, str, type(None))) for v in kwargs.values()):
            return UNKNOWN
        try:
            return bounded(function(*items, **kwargs))
        except (TypeError, ValueError, ArithmeticError, KeyError, IndexError):
            return UNKNOWN
    return run


def _range(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs or not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return UNKNOWN
    try:
        result = range(*args)
    except (TypeError, ValueError):
        return UNKNOWN
    return result if len(result) <= MAX_SIZE else UNKNOWN


def _len(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return ev.length(args[0]) if len(args) == 1 and not kwargs else UNKNOWN


def _min_max(pick: Callable[..., Any]) -> Builtin:
    def run(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
        items = ev.iterate(args[0]) if len(args) == 1 else args
        if kwargs or items is None or not items or not all(_plain_data(i) for i in items):
            return UNKNOWN
        try:
            return pick(items)
        except TypeError:
            return UNKNOWN
    return run


def _sum(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    items = ev.iterate(args[0]) if args else None
    if items is None or kwargs or len(args) > 2:
        return UNKNOWN
    total = args[1] if len(args) == 2 else 0
    for item in items:
        total = ev.binary("+", total, item)
    return total


_PYTHON_TYPES = {f"builtins.{t.__name__}": t for t in (int, float, str, bool, list, tuple, dict)}


def _isinstance(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 2 or kwargs:
        return UNKNOWN
    value, classes = args
    classes = classes if isinstance(classes, tuple) else (classes,)
    if not all(isinstance(c, NameRef) and c.qname in _PYTHON_TYPES for c in classes):
        return UNKNOWN
    if isinstance(value, (Unknown, Expr)) or not isinstance(value, (int, float, str, list, tuple, dict, type(None))):
        return UNKNOWN
    return isinstance(value, tuple(_PYTHON_TYPES[c.qname] for c in classes))


def _bool(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args:
        return False
    known = truth(args[0])
    return UNKNOWN if known is None else known


def _dims_aware(function: Callable[..., Any]) -> Builtin:
    """int()/abs() keep a symbolic dim as it is (`int(x.size(1))`)."""
    pure = _pure(function)

    def run(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) == 1 and not kwargs and isinstance(args[0], Expr):
            return args[0]
        return pure(ev, args, kwargs)
    return run


def _print(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return None


def _dict(ev: Evaluator, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args:
        return dict(kwargs)
    if len(args) != 1:
        return UNKNOWN
    if isinstance(args[0], dict):
        return {**args[0], **kwargs}
    pairs = ev.iterate(args[0])
    if pairs is None or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
        return UNKNOWN
    try:
        return {**dict(pairs), **kwargs}  # type: ignore[arg-type]
    except TypeError:  # an unhashable key
        return UNKNOWN


def _math(function: Callable[..., Any]) -> Builtin:
    """A `math` function; symbolic dims are not floats, so they give UNKNOWN."""
    return _pure(function)


# canonical name -> implementation
BUILTINS: dict[str, Builtin] = {
    "builtins.range": _range,
    "builtins.len": _len,
    "builtins.zip": _sequence_builtin(lambda *xs: list(zip(*xs))),
    "builtins.enumerate": _sequence_builtin(lambda xs, start=0: list(enumerate(xs, start))),
    "builtins.reversed": _sequence_builtin(lambda xs: list(reversed(xs))),
    "builtins.list": _sequence_builtin(lambda xs=(): list(xs)),
    "builtins.tuple": _sequence_builtin(lambda xs=(): tuple(xs)),
    "builtins.sorted": _pure(sorted),
    "builtins.min": _min_max(min),
    "builtins.max": _min_max(max),
    "builtins.sum": _sum,
    "builtins.abs": _dims_aware(abs),
    "builtins.int": _dims_aware(int),
    "builtins.float": _pure(float),
    "builtins.round": _pure(round),
    "builtins.str": _pure(str),
    "builtins.bool": _bool,
    "builtins.divmod": _pure(divmod),
    "builtins.pow": _pure(lambda a, b: a ** b if abs(b) <= 64 else UNKNOWN),
    "builtins.any": _sequence_builtin(lambda xs: any(xs)),
    "builtins.all": _sequence_builtin(lambda xs: all(xs)),
    "builtins.isinstance": _isinstance,
    "builtins.print": _print,
    "builtins.dict": _dict,
    "collections.OrderedDict": _dict,
    "math.ceil": _math(math.ceil),
    "math.floor": _math(math.floor),
    "math.sqrt": _math(math.sqrt),
    "math.isqrt": _math(math.isqrt),
    "math.log2": _math(math.log2),
    "math.log": _math(math.log),
    "math.gcd": _math(math.gcd),
    "math.prod": _sequence_builtin(lambda xs: math.prod(xs)),
}

# Python names looked up when no assignment or import defines them (the interpreter implements the
# ones that need its hooks: super, getattr, hasattr, setattr).
BUILTIN_NAMES = frozenset(name.partition(".")[2] for name in BUILTINS if name.startswith("builtins.")) | {
    "super", "getattr", "hasattr", "setattr", "staticmethod", "classmethod", "property"}

# type -> methods run for real on the receiver; mutating ones change the interpreter's own container.
SAFE_METHODS: dict[type, frozenset[str]] = {
    list: frozenset({"append", "extend", "insert", "pop", "index", "count", "copy", "reverse", "remove", "clear"}),
    dict: frozenset({"get", "update", "pop", "setdefault", "copy", "items", "keys", "values"}),
    tuple: frozenset({"index", "count"}),
    str: frozenset({"join", "upper", "lower", "split", "rsplit", "strip", "lstrip", "rstrip", "startswith",
                    "endswith", "replace", "isdigit", "title", "capitalize"}),
}
_MUTATING = frozenset({"append", "extend", "insert", "pop", "reverse", "remove", "clear", "update", "setdefault"})
_VIEWS = frozenset({"items", "keys", "values"})


def container_method(ev: Evaluator, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Call a safe method of a list, dict, tuple or str. Raises `Untracked` when a mutation cannot be
    followed (the caller then forgets the container)."""
    if name == "extend" and isinstance(receiver, list) and len(args) == 1:
        items = ev.iterate(args[0])
        if items is None:
            raise Untracked
        args = [items]
    known_args = is_known(args) and is_known(list(kwargs.values()))
    if not known_args and (name not in _MUTATING or name in ("pop", "remove")):
        if name in _MUTATING:
            raise Untracked
        return UNKNOWN
    try:
        result = getattr(receiver, name)(*args, **kwargs)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        if name in _MUTATING:
            raise Untracked from None
        return UNKNOWN
    if name in _VIEWS:
        return list(result)
    return bounded(result)


class Untracked(Exception):
    """A mutation the interpreter cannot follow: whoever holds the container must forget it."""
