"""The structure family (71xx) against real torch.

For every message, torch shows that the catalogue's `bad` example fails or misbehaves (an
AttributeError, weights that change on every call, parameters missing from `parameters()` and
`state_dict()`, hooks that never run) while its `good` example does not, and torchport flags `bad`
with exactly that message and is silent on `good`. A few more sources check the claims a rule's
silence rests on, e.g. that plain values may be set before `super().__init__()`.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from typing import Any

import astroid
import pytest

from tests.support.examples import family_symbols
from torchport.messages import CATALOGUE
from torchport.rules import run_family

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Failed to initialize NumPy": torch needs no numpy here
    torch = pytest.importorskip("torch")


def symbols(source: str) -> list[str]:
    return family_symbols("structure", source)


def run(source: str) -> dict[str, Any]:
    """Execute an example as a script and return its globals."""
    namespace: dict[str, Any] = {"__name__": "__example__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "<example>", "exec"), namespace)  # noqa: S102 - our own catalogue examples
    return namespace


@contextlib.contextmanager
def counting_constructions(layer: type) -> Iterator[list[int]]:
    """Count the instances of `layer` built inside the block."""
    count = [0]
    original = layer.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        count[0] += 1
        original(self, *args, **kwargs)

    layer.__init__ = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        layer.__init__ = original  # type: ignore[method-assign]


# ---- each message's examples -------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["module-super-init-missing", "module-assigned-before-super-init"])
def test_initialiser_examples_raise_the_error_the_message_names(symbol: str) -> None:
    message = CATALOGUE[symbol]
    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        run(message.bad)
    good = run(message.good)
    assert len(list(good["model"].parameters())) == 2


def test_layer_built_in_forward_gets_new_untrained_weights_on_every_call() -> None:
    message = CATALOGUE["layer-built-in-forward"]
    bad, good = run(message.bad), run(message.good)
    x = torch.randn(3, 4)
    assert not torch.equal(bad["model"](x), bad["model"](x))
    assert torch.equal(good["model"](x), good["model"](x))
    assert len(list(bad["model"].parameters())) == 2  # only the hidden layer: the output layer is never trained
    assert len(list(good["model"].parameters())) == 4
    assert set(good["model"].state_dict()) - set(bad["model"].state_dict()) == {"out.weight", "out.bias"}


DROPOUT_IN_FORWARD = """
import torch
from torch import nn

class Regularised(nn.Module):
    def forward(self, x):
        return nn.Dropout(0.5)(x)
"""


def test_dropout_built_in_forward_ignores_eval() -> None:
    assert symbols(DROPOUT_IN_FORWARD) == ["layer-built-in-forward"]
    model = run(DROPOUT_IN_FORWARD)["Regularised"]().eval()
    x = torch.ones(1000)
    assert not torch.equal(model(x), x), "a Dropout built in forward is still active after eval()"


def test_stateless_layer_built_in_forward_gives_the_same_result_but_builds_a_module_per_call() -> None:
    message = CATALOGUE["stateless-layer-built-in-forward"]
    bad, good = run(message.bad)["model"], run(message.good)["model"]
    good.load_state_dict(bad.state_dict())
    x = torch.randn(3, 4)
    with counting_constructions(torch.nn.ReLU) as built:
        for _ in range(3):
            assert torch.equal(bad(x), good(x))
    assert built[0] == 3
    assert not any(isinstance(m, torch.nn.ReLU) for m in bad.modules())


def test_unregistered_container_hides_its_layers_from_torch() -> None:
    message = CATALOGUE["module-container-not-registered"]
    bad, good = run(message.bad)["model"], run(message.good)["model"]
    assert list(bad.parameters()) == [] and bad.state_dict() == {}
    assert len(list(good.parameters())) == 4 and len(good.state_dict()) == 4
    bad.to(torch.float64)
    good.to(torch.float64)
    assert bad.layers[0].weight.dtype == torch.float32, ".to() does not reach layers in a plain list"
    assert good.layers[0].weight.dtype == torch.float64


def test_unregistered_tensor_is_not_saved_and_not_converted() -> None:
    message = CATALOGUE["tensor-attribute-not-registered"]
    bad, good = run(message.bad)["model"], run(message.good)["model"]
    assert bad.state_dict() == {} and bad.mean.dtype == torch.float32
    assert set(good.state_dict()) == {"mean", "std"} and good.mean.dtype == torch.float64
    assert bad.to("meta").mean.device.type == "cpu"
    assert good.to("meta").mean.device.type == "meta"


def test_forward_called_directly_skips_hooks() -> None:
    message = CATALOGUE["forward-called-directly"]
    assert run(message.bad)["seen"] == []
    assert run(message.good)["seen"] == [torch.Size([3, 2])]


# ---- what the rules stay silent on, or report, is what torch does ------------------------------------

BEFORE_SUPER = """
import torch
from torch import nn

class Model(nn.Module):
    def __init__(self):
        {statement}
        super().__init__()
"""


@pytest.mark.parametrize(("statement", "error"), [
    ("self.size = 3", None),
    ("self.name = 'mlp'", None),
    ("self.table = torch.zeros(3)", None),
    ("self.sizes = [nn.Linear(2, 2)]", None),
    ("self.fc = nn.Linear(2, 2)", "cannot assign module before Module.__init__() call"),
    ("self.act = nn.ReLU()", "cannot assign module before Module.__init__() call"),
    ("self.w = nn.Parameter(torch.ones(1))", "cannot assign parameters before Module.__init__() call"),
    ("self.b = nn.Buffer(torch.ones(1))", "cannot assign buffer before Module.__init__() call"),
    ("self.register_buffer('b', torch.ones(1))", "cannot assign buffer before Module.__init__() call"),
    ("self.register_parameter('w', nn.Parameter(torch.ones(1)))",
     "cannot assign parameter before Module.__init__() call"),
    ("self.add_module('fc', nn.Linear(2, 2))", "object has no attribute '_modules'"),
    ("self.register_module('fc', nn.Linear(2, 2))", "object has no attribute '_modules'"),
])
def test_assignments_before_super_init_are_reported_exactly_when_torch_fails(
        statement: str, error: str | None) -> None:
    source = BEFORE_SUPER.format(statement=statement)
    findings = run_family("structure", astroid.parse(source, module_name="example"))
    reported = [f.text for f in findings if f.symbol == "module-assigned-before-super-init"]
    cls = run(source)["Model"]
    if error is None:
        cls()
        assert reported == []
    else:
        with pytest.raises(AttributeError, match=re.escape(error)):
            cls()
        assert len(reported) == 1 and error.removeprefix("... ") in reported[0]


@pytest.mark.parametrize(("source", "parameters"), [
    ("self.acts = [nn.ReLU(), nn.Tanh()]", 0),  # nothing to register: no message
    ("self.layers = [nn.Linear(2, 2)]", 0),  # reported: the layer's 2 parameters are lost
    ("layers = [nn.Linear(2, 2)]\n        self.net = nn.Sequential(*layers)\n        self.layers = layers", 2),
    ("self.layers = [nn.Linear(2, 2)]\n        self.layers = nn.ModuleList(self.layers)", 2),
])
def test_plain_containers_are_reported_exactly_when_layers_are_lost(source: str, parameters: int) -> None:
    module = f"import torch\nfrom torch import nn\n\nclass Model(nn.Module):\n    def __init__(self):\n" \
             f"        super().__init__()\n        {source}\n"
    model = run(module)["Model"]()
    assert len(list(model.parameters())) == parameters
    lost = "nn.Linear" in source and parameters == 0
    assert symbols(module) == (["module-container-not-registered"] if lost else [])
