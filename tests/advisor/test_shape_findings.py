"""shape_findings: the one translation of the interpreter's trace into 73xx findings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import astroid

from torchport.advisor.interpreter import trace_model
from torchport.advisor.shape_findings import CONDITION, ERROR, shape_findings
from torchport.advisor.values import TensorValue
from torchport.advisor.dims import symbol
from torchport.analysis.model import module_classes
from torchport.rules import run_family

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "mnist_convnet.py"

_MERGE = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear({in_features}, 10)

    def forward(self, x):
        return self.fc(x.reshape(-1, 32 * 32))
"""


def _findings(source: str, shape: tuple, conditions: bool = True):
    module = astroid.parse(textwrap.dedent(source))
    (cls,) = [c for c in module_classes(module) if c.name == "Net"]
    return shape_findings(trace_model(cls, [], {}, [TensorValue(shape)]), conditions)


def test_mnist_sample_condition_is_readable(capsys) -> None:
    from torchport.advisor import cli

    assert cli.main(["summary", str(SAMPLE)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "valid only when 64*((H + 2)//4 - 2)*((W + 2)//4 - 2) == 3136, e.g. a 34x34 input" in out
    assert "[linear-in-features-mismatch]" in out


def test_conditions_never_reach_pylint() -> None:
    module = astroid.MANAGER.ast_from_file(str(SAMPLE))
    assert [f.symbol for f in run_family("shapes", module)] == []


def test_merging_leading_dims_is_silent_when_the_layer_fits() -> None:
    assert _findings(_MERGE.format(in_features="32 * 32"), (2, 3, 32, 32)) == []


def test_merging_leading_dims_is_the_cause_when_the_layer_wants_the_whole_product() -> None:
    (finding,) = _findings(_MERGE.format(in_features="3 * 32 * 32"), (2, 3, 32, 32))
    assert (finding.symbol, finding.kind, finding.line) == ("view-flatten-mismatch", ERROR, 10)
    assert "x.reshape(-1, 3072)" in finding.text


def test_a_layer_mismatch_that_depends_on_the_size_is_a_condition_with_an_example() -> None:
    source = """
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3)
            self.fc = nn.Linear(8 * 26 * 26, 10)

        def forward(self, x):
            return self.fc(self.conv(x).flatten(1))
    """
    n, h, w = symbol("N"), symbol("H"), symbol("W")
    (finding,) = _findings(source, (n, 1, h, w))
    assert (finding.symbol, finding.kind, finding.line) == ("linear-in-features-mismatch", CONDITION, 8)
    assert "valid only when 8*(H - 2)*(W - 2) == 5408, e.g. a 28x28 input" in finding.text
    assert _findings(source, (n, 1, h, w), conditions=False) == []
    (error,) = _findings(source, (2, 1, 32, 32))
    assert error.kind == ERROR and error.text.endswith("in_features should be 7200")
    assert "from self.conv(x).flatten(1), 8*30*30 for a 32x32 input" in error.text
