"""The 73xx findings on the zoo: no finding on any correct model (summary JSON and pylint), exactly the
expected one on every broken variant, where the fix goes and with the number that makes torch run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.advisor.zoo.manifest import BROKEN, ZOO, ZOO_DIR
from torchport.advisor import cli
from torchport.messages import FAMILIES

SHAPE_SYMBOLS = {m.symbol for m in FAMILIES["shapes"]}
RC_FILE = Path(__file__).resolve().parents[1] / "lint_rules" / "torchport.rc"


def _summary(model: Any, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    arguments = ", ".join(f"{k}={v!r}" for k, v in model.kwargs.items())
    shapes = [arg for shape in model.inputs for arg in ("--input-shape", ",".join(map(str, shape)))]
    assert cli.main(["summary", f"{model.path}::{model.cls}({arguments})", *shapes, "--format", "json"]) == 0
    (summary,) = json.loads(capsys.readouterr().out)["models"]
    return summary


@pytest.mark.parametrize("model", ZOO, ids=[m.id for m in ZOO])
def test_correct_zoo_model_has_no_finding(model: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert _summary(model, capsys)["findings"] == []


@pytest.mark.parametrize("model", BROKEN, ids=[m.id for m in BROKEN])
def test_broken_zoo_model_has_exactly_its_finding(model: Any, capsys: pytest.CaptureFixture[str]) -> None:
    findings = [f for f in _summary(model, capsys)["findings"] if f["kind"] == "error"]
    assert [f["symbol"] for f in findings] == [model.symbol], findings
    (finding,) = findings
    if model.symbol == "incompatible-shapes":
        # reported at the operation torch fails on; the text names the operands' shapes
        assert finding["line"] == model.error_line
    else:
        assert finding["line"] == model.line  # the layer definition or the view: where the fix goes
    expected = f"dim={model.correct}" if model.argument == "dim" else str(model.correct)
    assert expected in finding["message"]


def _pylint(paths: list[Path]) -> list[tuple[str, int, str]]:
    """(file name, line, symbol) of every 73xx message pylint gives on these files."""
    result = subprocess.run(
        [sys.executable, "-m", "pylint", f"--rcfile={RC_FILE}", "--output-format=json", *map(str, paths)],
        capture_output=True, text=True, check=False,
    )
    return [(Path(m["path"]).name, m["line"], m["symbol"]) for m in json.loads(result.stdout or "[]")
            if m["symbol"] in SHAPE_SYMBOLS or m["symbol"] == "torchport-analysis-error"]


def test_pylint_is_silent_on_the_correct_zoo() -> None:
    assert _pylint(sorted({m.path for m in ZOO})) == []


def test_pylint_on_the_broken_zoo_reports_only_the_expected_symbols() -> None:
    """Without --input-shape the plugin sees symbolic sizes: what it reports must be the expected message
    (a mismatch that depends on the input size is a summary condition, not a pylint error)."""
    messages = _pylint([m.path for m in BROKEN])
    expected = {(Path(m.file).name, m.symbol) for m in BROKEN}
    assert messages, "the plugin reports nothing on the broken zoo"
    assert {(name, symbol) for name, _, symbol in messages} <= expected, messages
    for name, line, symbol in messages:
        model = next(m for m in BROKEN if Path(m.file).name == name)
        if symbol != "incompatible-shapes":
            assert line == model.line or symbol != model.symbol, (name, line)


def test_zoo_dir_exists() -> None:
    assert (ZOO_DIR / "broken").is_dir()
