"""Fixes for the Keras-habit family (74xx)."""

from __future__ import annotations

import re
from collections.abc import Callable

from astroid import nodes

from torchport.fixes.common import argument, enclosing_function, make_fix, plain_call
from torchport.fixes.edits import Edit, Fix, Source
from torchport.rules.finding import Finding

# the advice of keras-argument when torch only spells the argument differently: "write bias={value}"
_RENAME = re.compile(r"^write (\w+)=(.*)$")
_LOOPS = (nodes.For, nodes.While)


def batchnorm_momentum(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    value = argument(call, 2, "momentum") if isinstance(call, nodes.Call) and len(finding.args) == 3 else None
    if value is None or not _same_number(source.segment(value), str(finding.args[1])):
        return None
    torch_value = str(finding.args[2])
    return make_fix(finding, f"momentum={torch_value} (1 - the Keras value)", [source.replace(value, torch_value)])


def _same_number(written: str, value: str) -> bool:
    try:
        return float(written) == float(value)
    except ValueError:
        return False


def dropout_always_active(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    method = enclosing_function(call)
    description = "pass training=self.training"
    if not isinstance(call, nodes.Call) or method is None or not method.args.arguments or not plain_call(call) \
            or method.args.arguments[0].name in ("cls",):
        return make_fix(finding, description, None)
    given = call.args + [k.value for k in call.keywords or []]
    if not given:
        return make_fix(finding, description, None)
    last = max(given, key=lambda n: (n.end_lineno, n.end_col_offset))
    at = source.end(last)
    self_name = method.args.arguments[0].name
    return make_fix(finding, f"pass training={self_name}.training", [Edit(at, at, f", training={self_name}.training")])


def keras_argument(finding: Finding, source: Source) -> Fix | None:
    keyword = finding.node
    advice = str(finding.args[3]) if len(finding.args) > 3 else ""
    renamed = _RENAME.match(advice)
    if isinstance(keyword, nodes.Keyword) and keyword.arg and renamed \
            and renamed.group(2) == source.segment(keyword.value):
        name_end = source.start(keyword.value)
        start = source.offset(keyword.lineno, keyword.col_offset)
        text = source.text[start:name_end]
        return make_fix(finding, advice, [Edit(start, name_end, text.replace(keyword.arg, renamed.group(1), 1))])
    return make_fix(finding, advice or "write the torch spelling of the argument", None)


def zero_grad_missing(finding: Finding, source: Source) -> Fix | None:
    """`optimizer.zero_grad()` as the first statement of the training loop."""
    call = finding.node
    loop = call.parent
    while loop is not None and not isinstance(loop, _LOOPS + (nodes.FunctionDef, nodes.Module)):
        loop = loop.parent
    optimizer = call.func.expr if isinstance(call, nodes.Call) and isinstance(call.func, nodes.Attribute) else None
    description = f"call {finding.args[0]}.zero_grad() at the start of each iteration"
    if not isinstance(loop, _LOOPS) or optimizer is None or loop.body[0].lineno == loop.lineno:
        return make_fix(finding, description, None)
    return make_fix(finding, description,
                    [source.insert_before(loop.body[0], f"{source.segment(optimizer)}.zero_grad()")])


def loss_accumulated(finding: Finding, source: Source) -> Fix | None:
    """`total += loss.item()`: a number, not the loss tensor and its graph."""
    statement = finding.node
    description = "accumulate loss.item() (a float) instead of the loss tensor"
    if isinstance(statement, nodes.AugAssign) and isinstance(statement.value, (nodes.Name, nodes.Attribute,
                                                                              nodes.Subscript)):
        return make_fix(finding, description,
                        [source.replace(statement.value, f"{source.segment(statement.value)}.item()")])
    return make_fix(finding, description, None)


def batch_first(finding: Finding, _: Source) -> Fix | None:
    return make_fix(finding, "pass batch_first=True where the layer is built (proposal: every input and "
                    "output of the layer changes layout, so check each use)", None)


def rnn_in_sequential(finding: Finding, _: Source) -> Fix | None:
    return make_fix(finding, "take the recurrent layer out of nn.Sequential and unpack its (output, state) "
                    "tuple in forward", None)


FIXERS: dict[str, Callable[[Finding, Source], Fix | None]] = {
    "keras-batchnorm-momentum": batchnorm_momentum,
    "dropout-always-active": dropout_always_active,
    "keras-argument": keras_argument,
    "zero-grad-missing": zero_grad_missing,
    "loss-accumulated-with-graph": loss_accumulated,
    "rnn-batch-first-mismatch": batch_first,
    "rnn-in-sequential": rnn_in_sequential,
}
