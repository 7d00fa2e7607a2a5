"""The time budget: a rule family that runs too long on a module is stopped at the next checkpoint of
the shared walkers, and reports a note instead of its findings (torchport.analysis.budget)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from astroid import nodes

from tests.hardening.lint import run_pylint
from torchport.analysis import budget, dataflow, layers, model, names
from torchport.analysis.parsing import PlainBuilder
from torchport.messages import CATALOGUE, FAMILIES
from torchport.rules import RULES, Finding, run_family

TINY = "0.000001"

MODEL = """
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.norm = nn.BatchNorm1d(4, momentum=0.99)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        return self.head(self.norm(self.fc(x)))


class Net(nn.Module):
    def __init__(self):
        self.block = Block()

    def forward(self, x):
        return F.softmax(nn.ReLU()(self.block.fc(x)))


model = Net()
loss = nn.CrossEntropyLoss()(model(torch.randn(2, 4)), torch.zeros(2, dtype=torch.long))
"""


def parse(text: str) -> nodes.Module:
    return PlainBuilder().string_build(text, "model", "model.py")


# --- the mechanism ------------------------------------------------------------------------------


def test_a_spent_budget_stops_at_the_next_checkpoint() -> None:
    with budget.within(1e-9), pytest.raises(budget.BudgetExceeded):
        time.sleep(0.001)  # sleeping spends no CPU time: the budget is CPU time
        for _ in range(10**7):
            budget.tick()


def test_checkpoints_are_free_outside_a_budget_and_after_one() -> None:
    for _ in range(1000):
        budget.tick()
    with pytest.raises(budget.BudgetExceeded), budget.within(1e-9):
        while True:
            budget.tick()
    for _ in range(1000):
        budget.tick()  # the spent budget is gone with its block


def test_an_inner_budget_cannot_outlast_the_outer_one() -> None:
    with pytest.raises(budget.BudgetExceeded), budget.within(1e-9), budget.within(1000):
        while True:
            budget.tick()


def test_the_budget_is_not_an_error_that_except_exception_swallows() -> None:
    with pytest.raises(budget.BudgetExceeded), budget.within(1e-9):
        while True:
            try:
                budget.tick()
            except Exception:  # noqa: BLE001 - what the rules do on odd trees
                pass


@pytest.mark.parametrize(("value", "seconds"), [
    (None, budget.DEFAULT_SECONDS), ("", budget.DEFAULT_SECONDS), ("2.5", 2.5), (" 30 ", 30.0),
    ("off", None), ("OFF", None), ("none", None), ("0", None), ("0.0", None),
])
def test_the_budget_comes_from_the_environment(value: str | None, seconds: float | None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv(budget.VARIABLE, raising=False)
    else:
        monkeypatch.setenv(budget.VARIABLE, value)
    assert budget.configured() == seconds


@pytest.mark.parametrize("value", ["5s", "-1", "inf", "nan", "fast"])
def test_an_invalid_budget_is_reported_once_and_the_default_applies(
        value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(budget.VARIABLE, value)
    monkeypatch.setattr(budget, "_warned", set())
    assert budget.configured() == budget.DEFAULT_SECONDS
    assert budget.configured() == budget.DEFAULT_SECONDS
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and budget.VARIABLE in lines[0] and repr(value) in lines[0]


# --- every shared walker is a checkpoint --------------------------------------------------------


def _endless(step: Callable[[nodes.Module], object]) -> Callable[[nodes.Module], Iterator[Finding]]:
    """A rule that never ends on its own: it repeats one step of the shared analysis forever."""

    def rule(module: nodes.Module) -> Iterator[Finding]:
        while True:
            step(module)
        yield  # pragma: no cover - makes this a generator, as the rules are

    return rule


def _first(module: nodes.Module, kind: type[nodes.NodeNG], name: str) -> nodes.NodeNG:
    return next(n for n in module.nodes_of_class(kind) if getattr(n, "name", None) == name)


STEPS: dict[str, Callable[[nodes.Module], object]] = {
    "qualified_name": lambda m: names.qualified_name(_first(m, nodes.Name, "model")),
    "reaching_bindings": lambda m: dataflow.reaching_bindings(_first(m, nodes.Name, "model")),
    "local_values": lambda m: layers.local_values(_first(m, nodes.Name, "model")),
    "is_module_value": lambda m: layers.is_module_value(_first(m, nodes.Name, "model")),
    "find_method": lambda m: model.find_method(_first(m, nodes.ClassDef, "Net"), "forward"),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_family_past_its_budget_gives_the_note_and_no_findings(
        step: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = parse(MODEL)
    monkeypatch.setenv(budget.VARIABLE, "0.2")
    monkeypatch.setitem(RULES, "structure", _endless(STEPS[step]))
    start = time.process_time()
    findings = run_family("structure", module)
    assert time.process_time() - start < 2
    assert findings == [Finding("torchport-budget-exceeded", module, ("structure", "0.2"))]
    assert findings[0].text.startswith("torchport stopped its structure checks on this module after their "
                                       "time budget of 0.2 s of CPU time")


@pytest.mark.parametrize("family", sorted(RULES))
def test_the_real_families_stop_within_a_tiny_budget(family: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "model.py").write_text(MODEL)  # the shapes family reads only files
    assert run_family(family, PlainBuilder().file_build(str(tmp_path / "model.py"), "model")), \
        "the model has findings of the family"
    module = PlainBuilder().file_build(str(tmp_path / "model.py"), "model")
    monkeypatch.setenv(budget.VARIABLE, TINY)
    assert run_family(family, module) == [Finding("torchport-budget-exceeded", module, (family, "1e-06"))]


def test_a_budget_spent_inside_class_kind_leaves_no_wrong_answer_behind() -> None:
    """class_kind caches a provisional answer while it works (for cycles); a budget that runs out
    meanwhile must not leave it as the class's answer."""
    module = parse(MODEL)
    block = _first(module, nodes.ClassDef, "Block")
    with pytest.raises(budget.BudgetExceeded), budget.within(1e-9):
        time.sleep(0.001)
        while True:
            layers.class_kind(block)
    assert layers.class_kind(block) is layers.LayerKind.PARAMETRIC


# --- through pylint ------------------------------------------------------------------------------


def test_pylint_reports_the_note_for_each_family_that_ran_out(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    run = run_pylint(tmp_path, ["model.py"], tmp_path / "scratch", hide_torch=True,
                     env={budget.VARIABLE: TINY})
    notes = {m.text for m in run.messages if m.symbol == "torchport-budget-exceeded"}
    stopped = {family for family in RULES if any(f" {family} checks" in note for note in notes)}
    assert stopped == set(RULES)
    assert all("1e-06 s" in note for note in notes)
    family_of = {m.symbol: family for family, messages in FAMILIES.items() for m in messages}
    assert [m for m in run.messages if family_of.get(m.symbol) in stopped] == []
    assert run.stderr.strip() == ""


def test_pylint_reports_the_findings_with_the_default_budget(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    run = run_pylint(tmp_path, ["model.py"], tmp_path / "scratch", hide_torch=True)
    symbols = {m.symbol for m in run.messages}
    assert {"module-super-init-missing", "stateless-layer-built-in-forward", "softmax-without-dim",
            "softmax-before-cross-entropy", "keras-batchnorm-momentum", "linear-in-features-mismatch"} <= symbols
    assert "torchport-budget-exceeded" not in symbols


def test_the_note_is_an_info_message_in_the_catalogue() -> None:
    message = CATALOGUE["torchport-budget-exceeded"]
    assert message.severity == "info" and message.msgid == "I7199"
    assert budget.VARIABLE in message.template and budget.VARIABLE in message.what
