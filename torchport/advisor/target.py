"""Parse a `FILE[::Class[(args)]]` target of the command line.

The constructor arguments are Python literals read with `ast.literal_eval`: they are never executed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

SEPARATOR = "::"


class TargetError(ValueError):
    """A malformed target; the message is one line meant for the user."""


@dataclass(frozen=True)
class Target:
    path: str
    class_name: str | None = None  # None: every top-level model of the file
    args: tuple[object, ...] = ()
    kwargs: dict[str, object] = field(default_factory=dict)
    has_call: bool = False  # `Class(...)` written: the arguments come from the target

    def describe_args(self) -> str:
        """The arguments as the user wrote them, e.g. `n_classes=4, base=8`."""
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


def parse_target(text: str) -> Target:
    """`model.py`, `model.py::Net` or `model.py::Net(n_classes=4, sizes=(8, 16))`."""
    path, sep, spec = text.partition(SEPARATOR)
    if not path:
        raise TargetError(f"no file in target {text!r}")
    if not sep:
        return Target(path)
    spec = spec.strip()
    try:
        expr = ast.parse(spec, mode="eval").body
    except SyntaxError:
        raise TargetError(f"cannot read {spec!r}: write Class or Class(arg=value, ...) with literal values") from None
    if isinstance(expr, ast.Name):
        return Target(path, expr.id)
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Name):
        raise TargetError(f"cannot read {spec!r}: write Class or Class(arg=value, ...) with literal values")
    args = tuple(_literal(arg, spec) for arg in expr.args)
    kwargs: dict[str, object] = {}
    for keyword in expr.keywords:
        if keyword.arg is None:
            raise TargetError(f"cannot read {spec!r}: `**` arguments are not supported, name each argument")
        kwargs[keyword.arg] = _literal(keyword.value, spec)
    return Target(path, expr.func.id, args, kwargs, has_call=True)


def _literal(node: ast.expr, spec: str) -> object:
    if isinstance(node, ast.Starred):
        raise TargetError(f"cannot read {spec!r}: `*` arguments are not supported, write each argument")
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        raise TargetError(
            f"argument {ast.unparse(node)!r} in {spec!r} is not a Python literal (numbers, strings, tuples, lists, "
            "dicts, True/False/None)"
        ) from None
