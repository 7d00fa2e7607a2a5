"""`torchport fix` over the samples: every sample ends with no finding that has a safe fix."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from torchport.advisor import fix
from torchport.fixes import findings, fixes, parses

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    fix.add_arguments(parser)
    return fix.run(parser.parse_args(list(argv)))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLES, tmp_path / "samples")
    return tmp_path / "samples"


def test_fix_leaves_only_findings_without_a_safe_fix(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    originals = {p.name: p.read_text() for p in copy.glob("*.py")}
    assert _run(str(copy)) == fix.REMAINING
    out = capsys.readouterr().out
    changed = [p for p in copy.glob("*.py") if p.read_text() != originals[p.name]]
    # every sample has a safe fix but one, whose two findings (padding='same' with a stride, an LSTM inside
    # nn.Sequential) have proposals only
    assert {p.name for p in changed} == set(originals) - {"sensor_activity_sequential.py"}
    for path in copy.glob("*.py"):
        text = path.read_text()
        assert parses(text)
        source, left = findings(str(path), text)
        for proposal in fixes(source, left):
            assert not proposal.safe
            assert f"{path.name}:{proposal.line}: left {proposal.symbol}" in out
    fixed = {p.name: p.read_text() for p in copy.glob("*.py")}
    assert _run(str(copy)) == fix.REMAINING  # a second run changes nothing
    assert ": fixed " not in capsys.readouterr().out
    assert {p.name: p.read_text() for p in copy.glob("*.py")} == fixed


def test_diff_writes_nothing(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = copy / "cifar_resnet_subclass.py"
    before = target.read_text()
    _run(str(target), "--diff")
    captured = capsys.readouterr()
    assert target.read_text() == before
    assert "\n-        x = self.block1.forward(x)\n" in captured.out
    assert "\n+        x = self.block1(x)\n" in captured.out
    assert "would fix forward-called-directly" in captured.err


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    from torchport.advisor.cli import CommandError

    with pytest.raises(CommandError):
        _run(str(tmp_path / "missing.py"))
