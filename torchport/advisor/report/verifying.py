"""`--verify`: run each model's shape fixes in torch (torchport.advisor.verify) and attach the verdicts.

A model's shape fixes are verified together: the fixed text a fix is judged on has the model's other shape
fixes applied too (when their edits do not overlap), since one wrong size can hide another. Shape fixes
outside any summarised model cannot be run: they get a "not-run" verdict that says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from torchport.advisor.report.gather import FileSection, Item, ModelSection, Report
from torchport.advisor.verify import (
    INSTALL_HINT,
    FixCheck,
    Verification,
    example_sizes,
    input_plan,
    torch_available,
    verify_all,
)
from torchport.fixes.edits import Edit, apply_edits, overlaps
from torchport.messages import CATALOGUE

SHAPES_FAMILY_ID = "73"
OUTSIDE_MODEL = "not inside a model torchport could summarise, so there is nothing to build and run"
WITH_OTHERS = " (with this model's other shape fixes applied)"
RAN = ("--verify: to test the shape fixes, torchport imported {files} and built and ran {models} in torch "
       "on the meta device (no memory, no weights): module-level code ran, `__main__` blocks did not.")
NOTHING_TO_RUN = "--verify: no shape fix to verify, so none of your code was run."
NO_TORCH = f"--verify: none of your code was run: {INSTALL_HINT}."


@dataclass(frozen=True)
class _ModelFixes:
    """One model's shape fixes and the fixed text each is judged on."""

    file: FileSection
    model: ModelSection
    items: list[Item]
    texts: list[str]  # per item
    alone: list[bool]  # per item: whether its text has only its own edits

    def check(self) -> FixCheck:
        summary = self.model.summary
        assert summary is not None  # noqa: S101 - only summarised models are checked
        return FixCheck(self.file.path, self.file.source, tuple(dict.fromkeys(self.texts)), summary.class_name,
                        summary.args, summary.inputs, summary.input_dtypes, example_sizes(summary))


def verify_report(report: Report, timeout: float) -> None:
    """Attach a verdict to every shape fix of the report (all models in one run of torchport.advisor.verify),
    and say in the report's header what was run."""
    pending: list[_ModelFixes] = []
    for file in report.files:
        for model in file.models:
            pending += _model_fixes(file, model)
        for item in file.items:
            if _is_shape_fix(item):
                item.verification = Verification("not-run", OUTSIDE_MODEL)
    checks = [entry.check() for entry in pending]
    for entry, check, verdicts in zip(pending, checks, verify_all(checks, timeout)):
        by_text = dict(zip(check.afters, verdicts))
        for item, text, alone in zip(entry.items, entry.texts, entry.alone):
            verdict = by_text[text]
            if not alone and verdict.status != "not-run":
                verdict = Verification(verdict.status, verdict.detail + WITH_OTHERS)
            item.verification = verdict
    report.verify_note = _note(list(zip(pending, checks)))


def _note(runs: list[tuple[_ModelFixes, FixCheck]]) -> str:
    """What --verify ran: models with a concrete input were built and run, in torch when it is installed."""
    if not torch_available():
        return NO_TORCH
    ran = [entry for entry, check in runs
           if not isinstance(input_plan(check.inputs, check.input_dtypes, check.sizes), str)]
    if not ran:
        return NOTHING_TO_RUN
    files = len({id(entry.file) for entry in ran})
    return RAN.format(files=_count(files, "file"), models=_count(len(ran), "model"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _is_shape_fix(item: Item) -> bool:
    return CATALOGUE[item.diagnostic.symbol].family_id == SHAPES_FAMILY_ID and bool(item.fix.edits)


def _model_fixes(file: FileSection, model: ModelSection) -> list[_ModelFixes]:
    """The model's shape fixes to verify ([] when it has none, or when it was not summarised: then each
    gets a not-run verdict here)."""
    items = [item for item in model.items if _is_shape_fix(item)]
    if not items:
        return []
    if model.summary is None:
        for item in items:
            item.verification = Verification("not-run", f"the model was not summarised: {model.error}")
        return []
    edits = [_edits_with_others(item, items) for item in items]
    return [_ModelFixes(file, model, items, [apply_edits(file.source, e) for e in edits],
                        [len(e) == len(item.fix.edits) for e, item in zip(edits, items)])]
def _edits_with_others(item: Item, items: list[Item]) -> list[Edit]:
    """The item's edits, and those of the other items that overlap neither them nor each other."""
    taken = list(item.fix.edits)
    for other in items:
        if other is not item and not any(overlaps(edit, taken) for edit in other.fix.edits):
            taken.extend(e for e in other.fix.edits if e not in taken)
    return taken
