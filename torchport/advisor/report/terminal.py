"""The report as rich renderables: for a terminal, and for the HTML export (torchport.advisor.report.html).

Prose wraps at spaces (rich's Text and Markdown), code wraps rather than being cut, tables wrap their cells:
the report reads the same at 80 columns as in a wide terminal, where it stays within `MAX_WIDTH` columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from io import StringIO

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from torchport.advisor.report import totals
from torchport.advisor.report.gather import (
    NO_FIX,
    PROPOSAL,
    SAFE,
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
from torchport.advisor.summary_render import model_renderable
from torchport.keras.compare_render import render_rich
from torchport.messages.render import SEVERITY_STYLES

THEME = "monokai"
INDENT = 2
MAX_WIDTH = 120  # columns: prose wider than this is hard to read, even in a wide terminal

# Fix kind -> (label, its style, what the label adds)
FIX_LABELS: dict[str, tuple[str, str, str]] = {
    SAFE: ("Safe fix", "bold green", "`torchport fix` applies it"),
    PROPOSAL: ("Proposal", "bold yellow", "review before applying; `torchport fix --unsafe` applies it"),
    NO_FIX: ("No automatic fix", "bold", ""),
}
# Verification status -> (mark, style)
VERIFICATION_MARKS: dict[str, tuple[str, str]] = {
    "verified": ("✓ verified in torch (meta device)", "bold green"),
    "failed": ("✗ torch rejects the fixed model", "bold red"),
    "not-run": ("not verified", "dim"),
}
STATIC_NOTE = "torchport read your code without importing or running it."


def write(report: Report, console: Console) -> None:
    width = min(console.width, MAX_WIDTH)
    for renderable in renderables(report):
        console.print(renderable, width=width)


def renderables(report: Report) -> Iterator[RenderableType]:
    yield from _header(report)
    for file in report.files:
        yield from _file(file)
    yield from _ports(report)
    yield from _project_summary(report)


def _header(report: Report) -> Iterator[RenderableType]:
    yield Text("torchport migration report", style="bold")
    yield Text.assemble(("Paths: ", "dim"), " ".join(report.paths))
    yield Text(report.verify_note or STATIC_NOTE, style="italic")


def _file(file: FileSection) -> Iterator[RenderableType]:
    yield Text("")
    yield Rule(Text(file.path.as_posix(), style="bold"), align="left", style="blue")
    if file.skipped:
        yield Text("Skipped: `# pylint: skip-file`.", style="dim")
        return
    for model in file.models:
        yield Text("")
        yield from _model(model, file)
    if file.items:
        yield Text("")
        yield Text(f"Outside any model ({len(file.items)})", style="bold underline")
        yield from _items(file.items, file)
    yield from _notes(file.notes, file, "Notes outside any model")
    if not file.models and not file.items and not file.notes:
        yield Text("No model and no findings in this file.", style="dim")


def _model(model: ModelSection, file: FileSection) -> Iterator[RenderableType]:
    if model.summary is not None:
        yield model_renderable(model.summary)
    else:
        yield Text.assemble((model.class_name, "bold"), f"  {file.path.as_posix()}:{model.line}")
        yield Text(f"Not summarised: {model.error}", style="yellow")
    if model.items:
        yield Text("")
        yield Text(f"Findings in {model.class_name} ({len(model.items)})", style="bold underline")
        yield from _items(model.items, file)
    else:
        yield Text(f"No findings in {model.class_name}.", style="green")
    yield from _notes(model.notes, file, f"Notes in {model.class_name}")


def _items(items: list[Item], file: FileSection) -> Iterator[RenderableType]:
    for item in items:
        yield Text("")
        yield Padding(_item(item, file), (0, 0, 0, INDENT))


def _item(item: Item, file: FileSection) -> Group:
    d = item.diagnostic
    parts = [*_located(d.msgid, d.severity, d.symbol, f"{d.path}:{d.line}:{d.column + 1}", d.message, file,
                       item.excerpt, d.line, why_text(item)),
             Text(""), _fix_label(item)]
    if item.fix.diff:
        parts.append(Padding(Syntax(item.fix.diff.rstrip("\n"), "diff", theme=THEME, background_color="default",
                                    word_wrap=True), (0, 0, 0, INDENT)))
    if item.verification is not None:
        mark, style = VERIFICATION_MARKS[item.verification.status]
        parts.append(Text.assemble((mark, style), f": {item.verification.detail}" if item.verification.detail else ""))
    return Group(*parts)


def _notes(notes: list[Note], file: FileSection, title: str) -> Iterator[RenderableType]:
    if not notes:
        return
    yield Text("")
    yield Text(f"{title} ({len(notes)})", style="bold underline")
    for note in notes:
        yield Text("")
        yield Padding(_note(note, file), (0, 0, 0, INDENT))


def _note(note: Note, file: FileSection) -> Group:
    return Group(*_located(note.message.msgid, note.message.severity, note.symbol,
                           f"{file.path.as_posix()}:{note.line}:{note.column + 1}", note.text, file, note.excerpt,
                           note.line, note_why_text(note)))


def _located(msgid: str, severity: str, symbol: str, where: str, text: str, file: FileSection,
             excerpt: tuple[int, int], line: int, why: str) -> list[RenderableType]:
    """What a finding and a note both show: their heading, text, the code around their line and why."""
    return [
        Text.assemble((msgid, SEVERITY_STYLES.get(severity, "bold")), " ", (symbol, "cyan"), f"  {where}"),
        Text(text),
        Syntax(file.source, "python", theme=THEME, background_color="default", line_numbers=True,
               line_range=excerpt, highlight_lines={line}, word_wrap=True),
        Markdown(f"**Why:** {why}"),
    ]


def _fix_label(item: Item) -> Text:
    label, style, adds = FIX_LABELS[item.fix.kind]
    return Text.assemble((label, style), f" ({adds})" if adds else "", ": ", fix_text(item.fix))


# ------------------------------------------------------------------------------------ Keras ports

def _ports(report: Report) -> Iterator[RenderableType]:
    if not report.ports:
        return
    yield Text("")
    yield Rule(Text("Keras ports", style="bold"), align="left", style="blue")
    for port in report.ports:
        yield Text("")
        yield _port_heading(port)
        if port.comparison is not None:
            yield _Printed(partial(render_rich, port.comparison))
        else:
            yield Text(f"Not compared: {port.error}", style="yellow")


def _port_heading(port: PortSection) -> Text:
    return Text.assemble((port.keras, "bold"), " ↔ ", (port.torch, "bold"),
                         (f" (paired by {PAIRED_BY[port.paired_by]})", "dim"))


class _Printed:
    """What a function prints on a console (compare_render.render_rich), as a renderable: printed at the width
    it is given, with the colours of the console it is rendered on."""

    def __init__(self, print_on: Callable[[Console], None]) -> None:
        self.print_on = print_on

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        buffer = StringIO()
        colours = console.color_system
        self.print_on(Console(file=buffer, width=options.max_width, color_system=colours,  # type: ignore[arg-type]
                              force_terminal=colours is not None, highlight=False))
        yield Text.from_ansi(buffer.getvalue().rstrip("\n"))


# ------------------------------------------------------------------------------------ project summary

def _project_summary(report: Report) -> Iterator[RenderableType]:
    yield Text("")
    yield Rule(Text("Project summary", style="bold"), align="left", style="blue")
    yield Text(overview(report))
    for line in (totals.notes_overview(report), totals.ports_overview(report)):
        if line is not None:
            yield Text(line)
    if report.items:
        yield Text("Fixes:")
        for label, count in totals.by_fix_kind(report):
            if count:
                yield Padding(Text(f"{count} {label}"), (0, 0, 0, INDENT))
    rules = totals.by_rule(report)
    if rules:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for header, justify in (("Id", "left"), ("Symbol", "left"), ("Severity", "left"), ("Findings", "right")):
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        for rule in rules:
            table.add_row(Text(rule.msgid, style=SEVERITY_STYLES.get(rule.severity, "")), rule.symbol,
                          rule.severity, str(rule.count))
        yield Text("")
        yield table
    sources = totals.input_sources(report)
    if sources:
        yield Text("")
        yield Text("Input shapes", style="bold")
        for kind, models in sources:
            yield Padding(Text.assemble((f"{kind}: ", "bold"), ", ".join(models)), (0, 0, 0, INDENT))
    unknowns = totals.unknowns(report)
    if unknowns:
        yield Text("")
        yield Text("Not inferred", style="bold")
        for model, what in unknowns:
            yield Padding(Text(model, style="bold"), (0, 0, 0, INDENT))
            yield Padding(_bullets(what), (0, 0, 0, 2 * INDENT))
    if report.errors:
        yield Text("")
        yield Text("Files that could not be analysed", style="bold red")
        for error in report.errors:
            yield Padding(Text.assemble((error.path.as_posix(), "bold"), f": {error.message}"), (0, 0, 0, INDENT))


def overview(report: Report) -> str:
    """Files, models and findings in numbers (every format starts its summary with it)."""
    analysed = len(report.files) + len(report.errors)
    model_files = sum(1 for file in report.files if file.models)
    text = (f"Analysed {totals.counted(analysed, 'file')}"
            + (f" ({len(report.errors)} could not be read)" if report.errors else "")
            + f"; found {totals.counted(len(report.models), 'model')} in {totals.counted(model_files, 'file')}; ")
    if not report.items:
        return text + "no findings."
    severities = ", ".join(f"{severity} {count}" for severity, count in totals.by_severity(report))
    text += f"{totals.counted(len(report.items), 'finding')} (by severity: {severities})."
    verification = totals.by_verification(report)
    if verification:
        text += " Shape fixes run in torch: " + ", ".join(f"{status} {count}" for status, count in verification) + "."
    return text


def _bullets(texts: list[str]) -> Table:
    """A list whose items wrap under their first word, not under the dash."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column()
    for text in texts:
        grid.add_row("- ", Text(text))
    return grid
