"""Every fix: buggy sample -> fix -> the file parses, the message is gone, a second run changes
nothing, and torch runs the fixed model (meta device) or training code (CPU)."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchport.advisor.sources import parse_text
from torchport.fixes import FIXERS, fix_text, findings
from torchport.messages import CATALOGUE
from tests.fixes.cases import PROPOSALS, SAFE, Case


def _fixed(tmp_path: Path, case: Case) -> tuple[Path, str]:
    path = tmp_path / "model.py"
    path.write_text(case.source)
    _, before = findings(str(path), case.source)
    assert case.symbol in {f.symbol for f in before}, "the sample must show the bug"
    outcome = fix_text(case.source, str(path))
    path.write_text(outcome.text)
    return path, outcome.text


@pytest.mark.parametrize("case", SAFE, ids=lambda c: c.symbol)
def test_safe_fix(tmp_path: Path, case: Case) -> None:
    path, text = _fixed(tmp_path, case)
    parse_text(text)
    assert case.expected in text
    _, after = findings(str(path), text)
    assert not after, [f.text for f in after]
    again = fix_text(text, str(path))
    assert again.text == text and not again.applied


@pytest.mark.parametrize("case", PROPOSALS, ids=lambda c: c.symbol)
def test_proposal_is_not_applied(tmp_path: Path, case: Case) -> None:
    path, text = _fixed(tmp_path, case)
    assert text == case.source
    outcome = fix_text(case.source, str(path))
    proposal = next(f for f in outcome.remaining if f.symbol == case.symbol)
    assert not proposal.safe and case.expected in proposal.description


def test_every_message_has_a_fixer() -> None:
    about_torchport = {"torchport-analysis-error", "torchport-budget-exceeded"}  # notes, not problems in the code
    assert set(FIXERS) | about_torchport | {"incompatible-shapes"} == set(CATALOGUE)


def test_fix_keeps_formatting_and_non_ascii_columns(tmp_path: Path) -> None:
    case = next(c for c in SAFE if c.symbol == "forward-called-directly")
    source = case.source.replace("return self.fc.forward(x)", "return  self.fc.forward(x) if 'é' else x  # é")
    _, text = _fixed(tmp_path, Case(case.symbol, source, ""))
    assert "return  self.fc(x) if 'é' else x  # é" in text
    assert text.replace("self.fc(x)", "self.fc.forward(x)") == source


def test_unsafe_applies_proposals_with_edits(tmp_path: Path) -> None:
    source = SAFE[0].source.replace("class Model(nn.Module)", "class Base(nn.Module):\n    pass\n\n\nclass Model(Base)")
    path = tmp_path / "model.py"
    path.write_text(source)
    assert fix_text(source, str(path)).text == source  # the base may need arguments: a proposal
    assert "super().__init__()" in fix_text(source, str(path), unsafe=True).text


# --- torch as the oracle --------------------------------------------------------------------------


@pytest.mark.parametrize("case", SAFE, ids=lambda c: c.symbol)
def test_fixed_code_runs_in_torch(tmp_path: Path, case: Case) -> None:
    torch = pytest.importorskip("torch")
    from tests.support.torch_oracle import load_namespace

    path, text = _fixed(tmp_path, case)
    namespace = load_namespace(path, text)
    if case.run is not None:
        torch.manual_seed(0)
        namespace[case.run]()
        return
    with torch.device("meta"):
        model = namespace["Model"]()
        output = model(torch.empty(case.model_input))
    assert tuple(output.shape) == case.model_output
    if case.params is not None:
        assert len(list(model.parameters())) == case.params
    if case.symbol == "tensor-attribute-not-registered":
        assert "scale" in model.state_dict()
