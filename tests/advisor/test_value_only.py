"""Weight initialisers are proven value-only from the source, and only those calls are skipped."""

from __future__ import annotations

import textwrap

import pytest
from astroid import nodes

from torchport.advisor.dims import UNKNOWN
from torchport.advisor.sources import parse_text
from torchport.advisor.value_only import Effects, effects
from tests.advisor.test_build import HEADER, build, tree
from torchport.advisor.summary_model import param_count

FUNCTIONS = HEADER + """
import math
import warnings
from functools import partial

def _trunc_normal_(tensor, mean, std, a, b):
    def norm_cdf(x):
        return (1. + math.erf(x / math.sqrt(2.))) / 2.
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b]")
    low, high = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
    tensor.uniform_(2 * low - 1, 2 * high - 1)
    tensor.erfinv_()
    tensor.mul_(std * math.sqrt(2.))
    tensor.add_(mean)
    tensor.clamp_(min=a, max=b)
    return tensor

def trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.):
    with torch.no_grad():
        return _trunc_normal_(tensor, mean, std, a, b)

def init_weights(module, name=""):
    if isinstance(module, nn.Linear):
        trunc_normal_(module.weight, std=.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm):
        for weight in module.parameters():
            nn.init.ones_(weight)

def named_apply(fn, module, name=""):
    for child_name, child in module.named_children():
        named_apply(fn=fn, module=child, name=".".join((name, child_name)) if name else child_name)
    fn(module=module, name=name)
    return module

def apply_init(model):
    named_apply(partial(init_weights, name="x"), model)

def replace_head(module, name=""):
    module.head = nn.Linear(4, 4)

def store_item(module, name=""):
    module.weights[0] = 1

def freeze(module, name=""):
    module.weight.requires_grad_(False)

def set_attribute(module, name=""):
    setattr(module, "head", None)

def reset_children(module, name=""):
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()

def call_own_method(module, name=""):
    module.rebuild()

def call_a_closure(module, name=""):
    init = make_initialiser()
    init(module.weight)

def pass_structural(model):
    named_apply(replace_head, model)

def pass_on_unpacked(fn, *args):
    named_apply(fn, *args)

def resize(tensor):
    tensor.unsqueeze_(0)

def declares_global(tensor):
    global COUNT
    COUNT = 1

def makes_a_class(tensor):
    class Local:
        pass
"""

VALUE_ONLY = Effects()
VERDICTS = {
    "_trunc_normal_": VALUE_ONLY, "trunc_normal_": VALUE_ONLY, "init_weights": VALUE_ONLY,
    "named_apply": Effects(called=frozenset({"fn"})), "apply_init": VALUE_ONLY,
    "reset_children": Effects(methods=frozenset({"reset_parameters"})),
    "pass_on_unpacked": None, "replace_head": None, "store_item": None, "freeze": None, "set_attribute": None,
    "call_own_method": None, "call_a_closure": None, "pass_structural": None, "resize": None,
    "declares_global": None, "makes_a_class": None,
}


@pytest.mark.parametrize(("name", "expected"), VERDICTS.items(), ids=VERDICTS.keys())
def test_value_only_verdicts(name: str, expected: Effects | None) -> None:
    module = parse_text(textwrap.dedent(FUNCTIONS), "initialisers")
    function = next(node for node in module.body if isinstance(node, nodes.FunctionDef) and node.name == name)
    assert effects(function) == expected


MODEL = FUNCTIONS + """
class Net(nn.Module):
    def __init__(self, init):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.norm = nn.LayerNorm(8)
        self.pos = nn.Parameter(torch.zeros(1, 8))
        trunc_normal_(self.pos, std=.02)
        if init == "named":
            named_apply(init_weights, self)
        elif init == "replace":
            named_apply(replace_head, self)
"""


def test_an_initialiser_call_is_skipped_and_changes_nothing_the_summary_shows() -> None:
    trace = build(MODEL, "Net", kwargs={"init": "named"})

    assert trace.stopped is None
    assert tree(trace) == {"": ("Net", 72 + 16 + 8), "fc": ("Linear", 72), "norm": ("LayerNorm", 16)}
    assert not [text for _, text in trace.notes if "no_grad" in text or "erfinv_" in text]


def test_a_function_that_changes_the_model_is_still_followed() -> None:
    trace = build(MODEL, "Net", kwargs={"init": "replace"})

    assert tree(trace)["head"] == ("Linear", 20)


def test_apply_runs_a_function_that_changes_the_model() -> None:
    """`Module.apply(fn)` used to be taken as changing values only, whatever `fn` did."""
    trace = build(MODEL + "\n        self.apply(replace_head)\n", "Net", kwargs={"init": None})

    assert tree(trace)["head"] == ("Linear", 20)


def test_freezing_a_parameter_of_the_model_itself_is_followed() -> None:
    trace = build(MODEL + "\n        self.pos.requires_grad_(False)\n", "Net", kwargs={"init": None})

    assert param_count(trace.root) == 96
    assert param_count(trace.root, trainable_only=True) == 88


def test_unknown_arguments_still_build() -> None:
    assert build(MODEL, "Net", kwargs={"init": UNKNOWN}).root is not None
