"""`--verify`: run each model's shape fixes in torch (torchport.advisor.verify) and attach the verdicts.

A model's shape fixes are verified together: the fixed text a fix is judged on has the model's other shape
fixes applied too (when their edits do not overlap), since one wrong size can hide another. Shape fixes
outside any summarised model cannot be run: they get a "not-run" verdict that says why.
"""

from __future__ import annotations

from torchport.advisor.report.gather import FileSection, Item, ModelSection, Report
from torchport.advisor.verify import (
    INSTALL_HINT,
    Verification,
    example_sizes,
    input_plan,
    torch_available,
    verify_fix,
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


def verify_report(report: Report, timeout: float) -> None:
    """Attach a verdict to every shape fix of the report, and say in its header what was run."""
    ran: list[ModelSection] = []
    files = 0
    for file in report.files:
        verified = [model for model in file.models if _verify_model(file, model, timeout)]
        ran += verified
        files += bool(verified)
        for item in file.items:
            if _is_shape_fix(item):
                item.verification = Verification("not-run", OUTSIDE_MODEL)
    if not torch_available():
        report.verify_note = NO_TORCH
    elif not ran:
        report.verify_note = NOTHING_TO_RUN
    else:
        report.verify_note = RAN.format(files=_count(files, "file"), models=_count(len(ran), "model"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _is_shape_fix(item: Item) -> bool:
    return CATALOGUE[item.diagnostic.symbol].family_id == SHAPES_FAMILY_ID and bool(item.fix.edits)


def _verify_model(file: FileSection, model: ModelSection, timeout: float) -> bool:
    """Verify the model's shape fixes; whether its code was given to torch."""
    items = [item for item in model.items if _is_shape_fix(item)]
    if not items:
        return False
    summary = model.summary
    if summary is None:
        for item in items:
            item.verification = Verification("not-run", f"the model was not summarised: {model.error}")
        return False
    sizes = example_sizes(summary)
    edits = [_edits_with_others(item, items) for item in items]
    texts = [apply_edits(file.source, item_edits) for item_edits in edits]
    by_text = {text: verify_fix(file.path, file.source, text, summary.class_name, summary.args, summary.inputs,
                                summary.input_dtypes, timeout, sizes=sizes)
               for text in dict.fromkeys(texts)}
    for item, text, item_edits in zip(items, texts, edits):
        verdict = by_text[text]
        if len(item_edits) > len(item.fix.edits) and verdict.status != "not-run":
            verdict = Verification(verdict.status, verdict.detail + WITH_OTHERS)
        item.verification = verdict
    return torch_available() and not isinstance(input_plan(summary.inputs, summary.input_dtypes, sizes), str)


def _edits_with_others(item: Item, items: list[Item]) -> list[Edit]:
    """The item's edits, and those of the other items that overlap neither them nor each other."""
    taken = list(item.fix.edits)
    for other in items:
        if other is not item and not any(overlaps(edit, taken) for edit in other.fix.edits):
            taken.extend(e for e in other.fix.edits if e not in taken)
    return taken
