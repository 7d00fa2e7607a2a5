"""The project-level summary of a report: counts, input-shape sources, and what could not be inferred."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from torchport.advisor.inputs import UNKNOWN_SOURCE
from torchport.advisor.report.gather import NO_FIX, PROPOSAL, SAFE, Report
from torchport.config import SEVERITIES

# Where a model's input shapes came from: (a phrase of ModelSummary.input_source, the kind shown), first match
# wins (the phrases are those torchport.advisor.inputs writes).
INPUT_SOURCE_KINDS: tuple[tuple[str, str], ...] = (
    ("[tool.torchport.input-shapes]", "configuration"),
    ("jaxtyping", "annotations on forward"),
    ("the call at", "a call in the project"),
    ("(input_data=...)", "a call in the project"),
    ("example_input_array", "example_input_array"),
    ("the first layer", "guessed from the first layer"),
    ("forward takes no tensor argument", "no tensor input"),
    (UNKNOWN_SOURCE, "unknown"),
)
UNKNOWN_KIND = INPUT_SOURCE_KINDS[-1][1]
OTHER_SOURCE = "other"

FIX_KINDS: tuple[tuple[str, str], ...] = (
    (SAFE, "safe (`torchport fix` applies them)"),
    (PROPOSAL, "to review (proposals with a diff; `torchport fix --unsafe` applies them)"),
    (NO_FIX, "without an automatic fix (the message says what to do)"),
)

HOW_TO_GIVE_SHAPES = "input shapes unknown: give them in pyproject.toml, [tool.torchport.input-shapes] {name} = [...]"


@dataclass(frozen=True)
class RuleCount:
    msgid: str
    symbol: str
    severity: str
    count: int


def input_source_kind(source: str) -> str:
    return next((kind for phrase, kind in INPUT_SOURCE_KINDS if phrase in source), OTHER_SOURCE)


def by_rule(report: Report) -> list[RuleCount]:
    """Findings per message (severity after the configuration), most frequent first."""
    counts = Counter((d.msgid, d.symbol, d.severity) for d in (item.diagnostic for item in report.items))
    return [RuleCount(msgid, symbol, severity, count)
            for (msgid, symbol, severity), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def by_severity(report: Report) -> list[tuple[str, int]]:
    counts = Counter(item.diagnostic.severity for item in report.items)
    order = ("fatal", *SEVERITIES)
    return [(severity, counts[severity]) for severity in order if counts[severity]]


def by_fix_kind(report: Report) -> list[tuple[str, int]]:
    counts = Counter(item.fix.kind for item in report.items)
    return [(label, counts[kind]) for kind, label in FIX_KINDS]


def by_verification(report: Report) -> list[tuple[str, int]]:
    counts = Counter(item.verification.status for item in report.items if item.verification is not None)
    return [(status, counts[status]) for status in ("verified", "failed", "not-run") if counts[status]]


def model_labels(report: Report) -> dict[int, str]:
    """A name for each model: its class name, with its file when another model has the same name."""
    names = Counter(model.class_name for model in report.models)
    return {id(model): model.class_name if names[model.class_name] == 1 else
            f"{model.class_name} ({file.path.as_posix()}:{model.line})"
            for file in report.files for model in file.models}


def input_sources(report: Report) -> list[tuple[str, list[str]]]:
    """(kind of source, the models whose input shapes came from it) for the summarised models."""
    labels = model_labels(report)
    kinds: dict[str, list[str]] = {}
    for model in report.models:
        if model.summary is not None:
            kinds.setdefault(input_source_kind(model.summary.input_source), []).append(labels[id(model)])
    return list(kinds.items())


def unknowns(report: Report) -> list[tuple[str, list[str]]]:
    """(model, what could not be inferred about it and why) for the models with anything unknown: why it
    could not be summarised, unknown inputs, arguments and parameter counts, and what the interpreter
    could not follow (the summary's notes)."""
    labels = model_labels(report)
    found = []
    for model in report.models:
        summary = model.summary
        if summary is None:
            what = [f"not summarised: {model.error}"]
        else:
            what = []
            if input_source_kind(summary.input_source) == UNKNOWN_KIND:
                what.append(HOW_TO_GIVE_SHAPES.format(name=model.class_name))
            if "unknown" in summary.args_source:
                what.append(f"constructor arguments: {summary.args_source}")
            if summary.total_params is None:
                what.append("parameter count unknown")
            what.extend(summary.notes)
        if what:
            found.append((labels[id(model)], what))
    return found
