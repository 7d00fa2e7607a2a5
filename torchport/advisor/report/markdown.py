"""The report as GitHub-flavoured markdown, for job summaries (`$GITHUB_STEP_SUMMARY`) and PR comments.

The same sections as the terminal report. A model's summary is the terminal's (summary_render's table)
as a text block, the way Keras prints `model.summary()`, and so is a Keras port's comparison
(compare_render's); code excerpts and diffs are fenced blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from io import StringIO

from rich.console import Console

from torchport.advisor.report import totals
from torchport.advisor.report.gather import (
    FileSection,
    Item,
    ModelSection,
    Report,
    fix_text,
    note_why_text,
    why_text,
)
from torchport.advisor.report.notes import Note
from torchport.advisor.report.ports import PAIRED_BY, PortSection
from torchport.advisor.report.terminal import FIX_LABELS, STATIC_NOTE, VERIFICATION_MARKS, overview
from torchport.advisor.summary_render import model_renderable
from torchport.keras.compare_render import render_rich
from torchport.messages.render import inline_code, markdown_text

SUMMARY_WIDTH = 100  # columns of a model's summary block and of a port's comparison


def to_markdown(report: Report) -> str:
    lines = ["# torchport migration report", "",
             f"Paths: {', '.join(inline_code(p) for p in report.paths)}. "
             f"{markdown_text(report.verify_note or STATIC_NOTE)}", ""]
    for file in report.files:
        lines += _file(file)
    lines += _ports(report.ports)
    lines += _project_summary(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _file(file: FileSection) -> list[str]:
    lines = [f"## {inline_code(file.path.as_posix())}", ""]
    if file.skipped:
        return [*lines, "Skipped: `# pylint: skip-file`.", ""]
    for model in file.models:
        lines += _model(model, file)
    if file.items:
        lines += [f"### Outside any model ({len(file.items)})", ""]
        for item in file.items:
            lines += _item(item, file)
    lines += _notes(file.notes, file, "### Notes outside any model")
    if not file.models and not file.items and not file.notes:
        lines += ["No model and no findings in this file.", ""]
    return lines


def _model(model: ModelSection, file: FileSection) -> list[str]:
    lines = [f"### Model {inline_code(model.class_name)} (line {model.line})", ""]
    if model.summary is not None:
        lines += ["```text", _summary_text(model), "```", ""]
    else:
        lines += [f"Not summarised: {markdown_text(model.error or '')}", ""]
    if not model.items:
        lines += [f"No findings in {inline_code(model.class_name)}.", ""]
    else:
        lines += [f"#### Findings in {inline_code(model.class_name)} ({len(model.items)})", ""]
        for item in model.items:
            lines += _item(item, file)
    return lines + _notes(model.notes, file, f"#### Notes in {inline_code(model.class_name)}")


def _summary_text(model: ModelSection) -> str:
    return _printed(lambda console: console.print(model_renderable(model.summary)))


def _printed(print_on: Callable[[Console], None]) -> str:
    """What `print_on` prints, as plain text at SUMMARY_WIDTH columns."""
    console = Console(file=StringIO(), width=SUMMARY_WIDTH, record=True, color_system=None)
    print_on(console)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def _notes(notes: list[Note], file: FileSection, heading: str) -> list[str]:
    if not notes:
        return []
    lines = [f"{heading} ({len(notes)})", ""]
    for note in notes:
        where = f"{file.path.as_posix()}:{note.line}:{note.column + 1}"
        lines += _located(note.message.msgid, note.symbol, "note", where, note.text, file, note.excerpt, note.line,
                          note_why_text(note))
    return lines


def _ports(ports: list[PortSection]) -> list[str]:
    if not ports:
        return []
    lines = ["## Keras ports", ""]
    for port in ports:
        lines += [f"### {inline_code(port.keras)} ↔ {inline_code(port.torch)}", "",
                  f"Paired by {markdown_text(PAIRED_BY[port.paired_by])}.", ""]
        if port.comparison is not None:
            lines += ["```text", _printed(partial(render_rich, port.comparison)), "```", ""]
        else:
            lines += [f"Not compared: {markdown_text(port.error or '')}", ""]
    return lines


def _item(item: Item, file: FileSection) -> list[str]:
    d = item.diagnostic
    lines = [*_located(d.msgid, d.symbol, d.severity, f"{d.path}:{d.line}:{d.column + 1}", d.message, file,
                       item.excerpt, d.line, why_text(item)),
             _fix_label(item), ""]
    if item.fix.diff:
        lines += ["```diff", item.fix.diff.rstrip("\n"), "```", ""]
    if item.verification is not None:
        mark, _ = VERIFICATION_MARKS[item.verification.status]
        lines += [f"**{mark}**" + (f": {markdown_text(item.verification.detail)}" if item.verification.detail else ""),
                  ""]
    return lines


def _located(msgid: str, symbol: str, kind: str, where: str, text: str, file: FileSection,
             excerpt: tuple[int, int], line: int, why: str) -> list[str]:
    """What a finding and a note both show: their heading (`kind`: the severity, or "note"), text, the code
    around their line and why."""
    return [f"**{msgid}** {inline_code(symbol)} · {kind} · {inline_code(where)}", "", markdown_text(text), "",
            "```python", *_code(file, excerpt, line), "```", "", f"**Why:** {why}", ""]


def _code(file: FileSection, excerpt: tuple[int, int], marked: int) -> list[str]:
    """The lines of the excerpt, numbered, the finding's (or note's) line marked with `>`."""
    first, last = excerpt
    code = file.source.splitlines()
    width = len(str(last))
    return [f"{'>' if number == marked else ' '} {number:>{width}} | {code[number - 1]}".rstrip()
            for number in range(first, min(last, len(code)) + 1)]


def _fix_label(item: Item) -> str:
    label, _, adds = FIX_LABELS[item.fix.kind]
    return f"**{label}**" + (f" ({adds})" if adds else "") + f": {markdown_text(fix_text(item.fix))}"


def _project_summary(report: Report) -> list[str]:
    lines = ["## Project summary", "", overview(report), ""]
    lines += [line for text in (totals.notes_overview(report), totals.ports_overview(report)) if text
              for line in (text, "")]
    if report.items:
        lines += ["Fixes:", "", *(f"- {count} {label}" for label, count in totals.by_fix_kind(report) if count), ""]
        lines += ["| Id | Symbol | Severity | Findings |", "|---|---|---|---:|"]
        lines += [f"| {rule.msgid} | {inline_code(rule.symbol)} | {rule.severity} | {rule.count} |"
                  for rule in totals.by_rule(report)]
        lines.append("")
    sources = totals.input_sources(report)
    if sources:
        lines += ["### Input shapes", ""]
        lines += [f"- **{kind}**: {', '.join(inline_code(m) for m in models)}" for kind, models in sources]
        lines.append("")
    unknowns = totals.unknowns(report)
    if unknowns:
        lines += ["### Not inferred", ""]
        for model, what in unknowns:
            lines.append(f"- {inline_code(model)}")
            lines += [f"  - {markdown_text(text)}" for text in what]
        lines.append("")
    if report.errors:
        lines += ["### Files that could not be analysed", ""]
        lines += [f"- {inline_code(e.path.as_posix())}: {markdown_text(e.message)}" for e in report.errors]
        lines.append("")
    return lines
