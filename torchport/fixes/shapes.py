"""Fixes for the shapes family (73xx): the size the traced input actually has."""

from __future__ import annotations

import re
from collections.abc import Callable

from astroid import nodes

from torchport.fixes.common import argument, is_constant, make_fix, plain_call
from torchport.fixes.edits import Fix, Source
from torchport.rules.finding import Finding

_INTEGER = re.compile(r"^\d+$")
_VIEWS = frozenset({"view", "reshape"})


def _layer_size(parameter: str | None) -> Callable[[Finding, Source], Fix | None]:
    """Write the expected size as the layer's `parameter` (first positional), when it is a constant:
    a size computed from the constructor's arguments serves other configurations too."""

    def fixer(finding: Finding, source: Source) -> Fix | None:
        call = finding.node
        if not finding.args or not isinstance(call, nodes.Call):
            return None
        name = parameter or str(finding.args[-2])
        expected = str(finding.args[-1])
        description = f"{name}={expected}"
        given = argument(call, 0, name)
        if not _INTEGER.match(expected) or given is None or not plain_call(call):
            return make_fix(finding, description, None)
        return make_fix(finding, description, [source.replace(given, expected)], safe=is_constant(given))

    return fixer


def view_flatten(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    if not finding.args or not isinstance(call, nodes.Call) or not isinstance(call.func, nodes.Attribute) \
            or call.func.attrname not in _VIEWS:
        return None
    receiver = source.segment(call.func.expr)
    return make_fix(finding, f"{receiver}.flatten(1): keep the batch dim and flatten the rest",
                    [source.replace(call, f"{receiver}.flatten(1)")])


_COPYING = {"view": "reshape", "view_as": "reshape_as"}  # the view -> its form that copies when it must


def view_of_non_contiguous(finding: Finding, source: Source) -> Fix | None:
    """`x.view(...)` -> `x.reshape(...)`: the same values, copied only where a view cannot give them."""
    call = finding.node
    if not isinstance(call, nodes.Call) or not isinstance(call.func, nodes.Attribute) \
            or call.func.attrname not in _COPYING:
        return None
    receiver, copying = source.segment(call.func.expr), _COPYING[call.func.attrname]
    return make_fix(finding, f"{receiver}.{copying}(...): a copy where the strides allow no view",
                    [source.replace(call.func, f"{receiver}.{copying}")])


FIXERS: dict[str, Callable[[Finding, Source], Fix | None]] = {
    "linear-in-features-mismatch": _layer_size("in_features"),
    "conv-in-channels-mismatch": _layer_size("in_channels"),
    "norm-num-features-mismatch": _layer_size(None),
    "view-flatten-mismatch": view_flatten,
    "view-of-non-contiguous": view_of_non_contiguous,
}
