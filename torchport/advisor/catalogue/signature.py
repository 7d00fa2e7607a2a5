"""Call signatures written as Python parameter lists, and binding of a call's arguments to them.

A signature is declared as the text between the parentheses of a `def`
(`"in_features, out_features, bias=True, device=None, dtype=None"`); defaults are literals.
Binding follows Python's rules, so a call torch would reject with a TypeError (too many positional
arguments, an unknown or repeated keyword, a missing required argument) is reported as such. Argument
values may be anything the caller models (literals, dims, abstract tensors, UNKNOWN); a call with
`*args` or `**kwargs` that cannot be expanded binds what it can and leaves the rest UNKNOWN.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from torchport.advisor.dims import UNKNOWN

REQUIRED = object()  # default of a parameter without one


@dataclass(frozen=True)
class Param:
    name: str
    default: object = REQUIRED
    positional: bool = True  # False: keyword-only (after `*`)
    keyword: bool = True  # False: positional-only (before `/`)


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]
    var_positional: bool = False  # accepts *args
    var_keyword: bool = False  # accepts **kwargs

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def default(self, name: str) -> object:
        for p in self.params:
            if p.name == name:
                return p.default
        raise KeyError(name)


class BindError(Exception):
    """The call does not fit the signature; torch would raise a TypeError."""


@lru_cache(maxsize=None)
def parse(text: str) -> Signature:
    """`parse("x, dim=-1, *, keepdim=False")`; defaults must be literals (`None`, numbers, strings...)."""
    tree = ast.parse(f"def f({text}): pass")
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    a = fn.args
    params: list[Param] = []
    positional = [*a.posonlyargs, *a.args]
    defaults = [REQUIRED] * (len(positional) - len(a.defaults)) + [ast.literal_eval(d) for d in a.defaults]
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        params.append(Param(arg.arg, default, keyword=i >= len(a.posonlyargs)))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        params.append(Param(arg.arg, REQUIRED if default is None else ast.literal_eval(default), positional=False))
    return Signature(tuple(params), a.vararg is not None, a.kwarg is not None)


def bind(
    signature: Signature,
    args: Sequence[object] = (),
    kwargs: Mapping[str, object] | None = None,
    *,
    more_args: bool = False,
    more_kwargs: bool = False,
) -> dict[str, object]:
    """Map parameter names to values (defaults filled in); raise BindError where Python would.

    `more_args` / `more_kwargs`: the call also passes `*something` / `**something` whose contents are
    unknown; then missing parameters become UNKNOWN instead of an error, and surplus is not checked.
    Extra positional arguments of a `*args` signature are kept under "*args", extra keywords under
    their names.
    """
    kwargs = dict(kwargs or {})
    positional = [p for p in signature.params if p.positional]
    bound: dict[str, object] = {}
    if len(args) > len(positional) and not signature.var_positional:
        raise BindError(f"takes {len(positional)} positional arguments but {len(args)} were given")
    for param, value in zip(positional, args):
        bound[param.name] = value
    if signature.var_positional:
        bound["*args"] = tuple(args[len(positional):])
    by_name = {p.name: p for p in signature.params}
    for name, value in kwargs.items():
        param = by_name.get(name)
        if param is None or not param.keyword:
            if signature.var_keyword:
                bound[name] = value
                continue
            raise BindError(f"got an unexpected keyword argument '{name}'")
        if name in bound:
            raise BindError(f"got multiple values for argument '{name}'")
        bound[name] = value
    for param in signature.params:
        if param.name in bound:
            continue
        if more_args or more_kwargs:
            bound[param.name] = UNKNOWN
        elif param.default is REQUIRED:
            raise BindError(f"missing required argument '{param.name}'")
        else:
            bound[param.name] = param.default
    return bound
