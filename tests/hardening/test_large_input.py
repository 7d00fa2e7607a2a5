"""Inputs too large or too deep for the other cases' shared run: a 100,000-line file, and an
expression too deep for astroid. Generated in a temporary folder, linted in one pylint run (torch
hidden: it halves pylint's own parse of the big file; torchport's work is the same either way)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import torchport
from tests.hardening.lint import LintRun, run_pylint
from torchport.analysis import budget
from torchport.messages import FAMILIES

LINES = 100_000
BUDGET = 2.0  # seconds of CPU per family and module for this run; the fast families need ~0.2 s here
SLACK = 1.0  # a family stops at its first checkpoint past the budget

HEADER = '''import torch
from torch import nn
import torch.nn.functional as F


class First(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.norm = nn.BatchNorm1d(2, momentum=0.99)

    def forward(self, x):
        return F.softmax(self.norm(self.fc(x)))


class Mismatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 8)
        self.b = nn.Linear(16, 2)

    def forward(self, x):
        return self.b(self.a(x))


model = Mismatch()
out = model(torch.randn(2, 4))
'''
HELPER = '''

def helper_{i}(values, scale={i}):
    total = 0
    for value in values:
        if value > scale:
            total += value * scale
        else:
            total -= value
    return total
'''
MODEL = '''

class Block{i}(nn.Module):
    def __init__(self, width={width}):
        super().__init__()
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return torch.relu(self.fc(x)) + helper_{i}([1, 2])
'''
FOOTER = '''

class Last(nn.Module):
    def forward(self, x):
        return nn.ReLU()(x)
'''
# what each family must report on the big file when it finishes: (symbol, the code it is about)
PLANTED = {
    "structure": [("stateless-layer-built-in-forward", "return nn.ReLU()(x)")],
    "losses": [("softmax-without-dim", "return F.softmax(self.norm(self.fc(x)))")],
    "shapes": [("linear-in-features-mismatch", "self.b = nn.Linear(16, 2)")],
    "keras": [("keras-batchnorm-momentum", "self.norm = nn.BatchNorm1d(2, momentum=0.99)")],
}


def big_file(lines: int) -> str:
    """Realistic code of exactly `lines` lines: a helper function per block and a model every 50th."""
    parts, count, index = [HEADER], HEADER.count("\n"), 0
    footer = FOOTER.count("\n")
    while True:
        block = HELPER.format(i=index) + (MODEL.format(i=index, width=index % 64 + 1) if index % 50 == 0 else "")
        if count + block.count("\n") + footer > lines:
            break
        parts.append(block)
        count += block.count("\n")
        index += 1
    parts.append("\n" * (lines - count - footer) + FOOTER)
    return "".join(parts)


@pytest.fixture(scope="module")
def large_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LintRun]:
    folder = tmp_path_factory.mktemp("large")
    (folder / "big.py").write_text(big_file(LINES))
    (folder / "too_deep.py").write_text("import torch\n\nx = " + " + ".join(["torch.ones(1)"] * 5000) + "\n")
    run = run_pylint(folder, ["big.py", "too_deep.py"], folder / "scratch", hide_torch=True,
                     env={budget.VARIABLE: str(BUDGET)})
    return folder, run


def test_the_generated_file_has_100000_lines() -> None:
    assert big_file(LINES).count("\n") == LINES


def test_each_family_finishes_with_its_findings_or_stops_with_the_note(large_run: tuple[Path, LintRun]) -> None:
    folder, run = large_run
    lines = (folder / "big.py").read_text().splitlines()
    reported = {(m.line, m.symbol) for m in run.by_file()["big.py"]}
    notes = {m.text for m in run.by_file()["big.py"] if m.symbol == "torchport-budget-exceeded"}
    for family, planted in PLANTED.items():
        stopped = any(f" {family} checks " in note for note in notes)
        own = {(line, symbol) for line, symbol in reported if symbol in {m.symbol for m in FAMILIES[family]}}
        expected = set() if stopped else {(lines.index(next(l for l in lines if code in l)) + 1, symbol)
                                          for symbol, code in planted}
        assert own == expected, f"{family}: {'stopped, yet reported' if stopped else 'finished'} {sorted(own)}"
    assert "torchport-analysis-error" not in {symbol for _, symbol in reported}


def test_the_rules_of_one_file_finish_far_within_the_budget(large_run: tuple[Path, LintRun]) -> None:
    """Linear in the file's size: a fifth of a second per family on 100,000 lines. (The shapes family
    scans the module once per model: on this file's 200 models it runs out of its budget.)"""
    _, run = large_run
    notes = " ".join(m.text for m in run.messages if m.symbol == "torchport-budget-exceeded")
    for family in ("structure", "losses", "keras"):
        assert f" {family} checks " not in notes
        assert run.family_seconds[family] < BUDGET / 3


def test_no_family_runs_past_its_budget(large_run: tuple[Path, LintRun]) -> None:
    _, run = large_run
    assert set(run.family_seconds) == set(PLANTED)
    assert all(seconds < BUDGET + SLACK for seconds in run.family_seconds.values()), run.family_seconds


def test_an_expression_too_deep_for_astroid_is_pylints_astroid_error_not_torchports(
        large_run: tuple[Path, LintRun]) -> None:
    """pylint reports the file it could not build (astroid-error, with astroid's traceback on stderr);
    torchport never saw it, and no frame of any traceback is torchport's."""
    _, run = large_run
    assert {m.symbol for m in run.by_file()["too_deep.py"]} == {"astroid-error"}
    package = Path(torchport.__file__).resolve().parent
    frames = [Path(path).resolve() for path in re.findall(r'^\s*File "([^"]+)"', run.stderr, re.MULTILINE)]
    assert frames, "pylint prints astroid's traceback"
    assert [frame for frame in frames if frame.is_relative_to(package)] == []
