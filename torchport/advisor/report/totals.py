"""The project-level summary of a report: counts, notes, Keras ports, input-shape sources, and what could not be
inferred."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from torchport.advisor.inputs import SourceKind
from torchport.advisor.report.gather import NO_FIX, PROPOSAL, SAFE, Report
from torchport.advisor.report.ports import PortSection
from torchport.config import SEVERITIES
from torchport.keras.compare_kinds import is_difference
from torchport.messages import Message

# Where a model's input shapes came from (ModelSummary.input_kind) -> how the project summary names it
INPUT_SOURCE_KINDS: dict[SourceKind, str] = {
    SourceKind.COMMAND_LINE: "the command line",
    SourceKind.CONFIGURATION: "configuration",
    SourceKind.ANNOTATIONS: "annotations on forward",
    SourceKind.CALL: "a call in the project",
    SourceKind.EXAMPLE_INPUT: "example_input_array",
    SourceKind.FIRST_LAYER: "guessed from the first layer",
    SourceKind.NO_TENSOR: "no tensor input",
    SourceKind.UNKNOWN: "unknown",
}

FIX_KINDS: tuple[tuple[str, str], ...] = (
    (SAFE, "safe (`torchport fix` applies them)"),
    (PROPOSAL, "to review (proposals with a diff; `torchport fix --unsafe` applies them)"),
    (NO_FIX, "without an automatic fix (the message says what to do)"),
)

# a compared pair's verdict -> how the project summary counts it
PORT_VERDICTS: tuple[tuple[str, str], ...] = (
    ("equivalent", "equivalent up to conventions"),
    ("different", "different"),
    ("partial", "no difference in what could be followed"),
    ("failed", "not compared"),
)

HOW_TO_GIVE_SHAPES = "input shapes unknown: give them in pyproject.toml, [tool.torchport.input-shapes] {name} = [...]"


@dataclass(frozen=True)
class RuleCount:
    msgid: str
    symbol: str
    severity: str
    count: int


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


def by_note(report: Report) -> list[tuple[Message, int]]:
    """The report's notes per kind, most frequent first."""
    counts = Counter(note.message for note in report.notes)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].msgid))


def notes_overview(report: Report) -> str | None:
    """The notes in numbers, or None without notes."""
    counts = by_note(report)
    if not counts:
        return None
    kinds = ", ".join(f"{message.symbol} ({message.msgid}) {count}" for message, count in counts)
    return f"Notes (report only, not findings): {kinds}."


def port_verdict(port: PortSection) -> str:
    """A key of PORT_VERDICTS."""
    comparison = port.comparison
    if comparison is None:
        return "failed"
    if not comparison.equivalent:
        return "different"
    return "equivalent" if comparison.complete else "partial"


def ports_overview(report: Report) -> str | None:
    """The Keras ports in numbers: pairs by verdict, differences real and by convention; None without pairs."""
    if not report.ports:
        return None
    verdicts = Counter(port_verdict(port) for port in report.ports)
    kinds = [d.kind for port in report.ports if port.comparison is not None for d in port.comparison.differences]
    real = sum(1 for kind in kinds if is_difference(kind))
    by_verdict = ", ".join(f"{verdicts[verdict]} {label}" for verdict, label in PORT_VERDICTS if verdicts[verdict])
    return (f"Keras ports: {counted(len(report.ports), 'pair')} ({by_verdict}); "
            f"{counted(real, 'difference')}, {counted(len(kinds) - real, 'convention note')}.")


def counted(number: int, noun: str) -> str:
    """`1 file`, `2 files`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


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
            kinds.setdefault(INPUT_SOURCE_KINDS[model.summary.input_kind], []).append(labels[id(model)])
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
            if summary.input_kind == SourceKind.UNKNOWN:
                what.append(HOW_TO_GIVE_SHAPES.format(name=model.class_name))
            if "unknown" in summary.args_source:
                what.append(f"constructor arguments: {summary.args_source}")
            if summary.total_params is None:
                what.append("parameter count unknown")
            what.extend(summary.notes)
        if what:
            found.append((labels[id(model)], what))
    return found
