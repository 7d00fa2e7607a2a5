"""Fixes for the losses family (72xx)."""

from __future__ import annotations

from collections.abc import Callable

from astroid import nodes

from torchport.analysis.names import call_name
from torchport.fixes.common import make_fix, plain_call
from torchport.fixes.edits import Edit, Fix, Source
from torchport.fixes.imports import spell
from torchport.rules.finding import Finding
from torchport.rules.losses import DIM_REQUIRED, first_argument

_SOFTMAX = frozenset({"torch.nn.functional.softmax", "torch.softmax", "torch.special.softmax"})
_SIGMOID = frozenset({"torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit"})
_FINAL = {
    "softmax-before-cross-entropy": (_SOFTMAX, "softmax"),
    "sigmoid-before-bce-with-logits": (_SIGMOID, "sigmoid"),
}


def _applied(node: nodes.NodeNG | None, functions: frozenset[str], method: str) -> nodes.NodeNG | None:
    """The input of `F.softmax(z, ...)` / `z.softmax(...)` written right where the loss gets it."""
    if not isinstance(node, nodes.Call) or not plain_call(node):
        return None
    if call_name(node) in functions and node.args:
        return node.args[0]
    if isinstance(node.func, nodes.Attribute) and node.func.attrname == method and call_name(node) is None:
        return node.func.expr
    return None


def probabilities_into_loss(finding: Finding, source: Source) -> Fix | None:
    """Softmax (sigmoid) applied in the loss call is dropped; one inside the model is a proposal,
    since the model's output changes for every caller."""
    functions, method = _FINAL[finding.symbol]
    call = finding.node
    inner = _applied(first_argument(call), functions, method) if isinstance(call, nodes.Call) else None
    if inner is None:
        return make_fix(finding, f"return logits from the model (drop its final {method}) and apply {method} "
                        "only where probabilities are needed, e.g. at inference", None)
    return make_fix(finding, f"pass the logits: drop the {method} applied to the loss input",
                    [source.replace(first_argument(call), source.segment(inner))])


def nll_without_log_softmax(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    given = first_argument(call) if isinstance(call, nodes.Call) else None
    inner = _applied(given, _SOFTMAX, "softmax")
    if inner is not None:
        func = given.func
        if isinstance(func, nodes.Attribute) and func.attrname == "softmax":
            edit = Edit(source.end(func) - len("softmax"), source.end(func), "log_softmax")
            return make_fix(finding, "take log_softmax instead of softmax", [edit])
    description = "apply log_softmax to the model output, or use nn.CrossEntropyLoss on the logits"
    if given is None:
        return make_fix(finding, description, None)
    prefix, imports = spell(source, "torch.nn.functional", call)
    if not prefix:
        return make_fix(finding, description, None)
    edits = [source.replace(given, f"{prefix}.log_softmax({source.segment(given)}, dim=1)"), *imports]
    return make_fix(finding, description + " (proposal: check that the classes are dim 1)", edits, safe=False)


def bce_without_sigmoid(finding: Finding, source: Source) -> Fix | None:
    call = finding.node
    given = first_argument(call) if isinstance(call, nodes.Call) else None
    description = "apply torch.sigmoid to the logits first (or use nn.BCEWithLogitsLoss, more stable)"
    prefix, imports = spell(source, "torch", call) if given is not None else ("", [])
    if not prefix:
        return make_fix(finding, description, None)
    return make_fix(finding, description,
                    [source.replace(given, f"{prefix}.sigmoid({source.segment(given)})"), *imports])


def softmax_without_dim(finding: Finding, source: Source) -> Fix | None:
    """dim=1: the dim torch picks implicitly for the usual 2-D (batch, classes) and 4-D inputs."""
    call = finding.node
    description = "pass dim=1 (the classes of a (batch, classes) input; use dim=-1 for the last axis)"
    if not isinstance(call, nodes.Call) or not plain_call(call) or call_name(call) not in DIM_REQUIRED:
        return make_fix(finding, description, None)
    position, _ = DIM_REQUIRED[call_name(call)]
    given = call.args + [k.value for k in call.keywords or []]
    explicit_none = next((k for k in call.keywords or [] if k.arg == "dim"), None)
    if explicit_none is not None:
        return make_fix(finding, description, [source.replace(explicit_none.value, "1")])
    if len(call.args) > position:  # dim=None written positionally
        return make_fix(finding, description, [source.replace(call.args[position], "1")])
    if call.keywords:
        last = max(call.keywords, key=lambda k: (k.value.end_lineno, k.value.end_col_offset)).value
    else:
        last = given[-1] if given else None
    if last is None:
        at = source.end(call) - 1
        return make_fix(finding, description, [Edit(at, at, "dim=1")])
    at = source.end(last)
    return make_fix(finding, description, [Edit(at, at, ", dim=1")])


FIXERS: dict[str, Callable[[Finding, Source], Fix | None]] = {
    "softmax-before-cross-entropy": probabilities_into_loss,
    "sigmoid-before-bce-with-logits": probabilities_into_loss,
    "nll-loss-without-log-softmax": nll_without_log_softmax,
    "bce-loss-without-sigmoid": bce_without_sigmoid,
    "softmax-without-dim": softmax_without_dim,
}
