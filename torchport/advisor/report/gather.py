"""Gather what the migration report shows: per file, its models (summary and findings) and the findings
outside any model, each finding with its fix as a diff.

The findings are exactly those of `torchport check` (torchport.advisor.checking: the same files,
`[tool.torchport]` and `# pylint: disable=` comments); the summaries are those of `torchport summary`
(torchport.advisor.summarize); the fixes those of `torchport fix` (torchport.fixes).

A finding belongs to a model when it lies in the model's class or in a class or module-level function
of the file that the model uses (transitively, as `summary_model` decides what a model is); findings
anywhere else (loss functions, training loops, scripts) are the file's own. The report's own notes
(torchport.advisor.report.notes) are placed the same way; the Keras models of the files and their ports
are paired and compared once every file is read (torchport.advisor.report.ports).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from astroid import nodes

from torchport.advisor.checking import Diagnostic, FileError, FileResult, _Pragmas, check_file
from torchport.advisor.report import ports
from torchport.advisor.report.notes import Note, find_notes
from torchport.advisor.report.ports import KerasFile, PortSection, TorchModel
from torchport.advisor.sources import SourceError
from torchport.advisor.summarize import SummaryError, select_models, summarize
from torchport.advisor.summary_model import ModelSummary, class_references
from torchport.advisor.target import Target
from torchport.config import Config
from torchport.fixes import fix_for, parses
from torchport.fixes.edits import Edit, Fix, Source, apply_edits
from torchport.messages import CATALOGUE

if TYPE_CHECKING:
    from torchport.advisor.verify import Verification

EXCERPT_CONTEXT = 2  # lines of code shown above and below a finding
DIFF_CONTEXT = 1  # unchanged lines around each change of a fix's diff

# Fix.kind: what `torchport fix` does with it
SAFE, PROPOSAL, NO_FIX = "safe", "proposal", "none"


@dataclass(frozen=True)
class FixView:
    kind: str  # SAFE, PROPOSAL (has edits, applied only with --unsafe) or NO_FIX
    description: str
    diff: str  # unified diff hunks of this fix alone ("" when it has no edits)
    edits: tuple[Edit, ...] = ()  # its edits of the file's text (none when NO_FIX)


@dataclass
class Item:
    """One finding as the report shows it."""

    diagnostic: Diagnostic
    fix: FixView
    excerpt: tuple[int, int]  # first and last line of the code shown
    why_at: int | None = None  # the line of an earlier finding of the same message in this file, whose
    # explanation applies (None: this one shows it)
    verification: Verification | None = None  # with --verify, for a shape fix

    @property
    def symbol(self) -> str:
        return self.diagnostic.symbol

    @property
    def line(self) -> int:
        return self.diagnostic.line


@dataclass
class ModelSection:
    class_name: str
    line: int
    summary: ModelSummary | None  # None when it could not be summarised (see `error`)
    error: str | None = None
    items: list[Item] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    node: nodes.ClassDef | None = field(default=None, repr=False, compare=False)


@dataclass
class FileSection:
    path: Path
    source: str
    models: list[ModelSection] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # findings outside any model
    notes: list[Note] = field(default_factory=list)  # notes outside any model
    skipped: bool = False  # `# pylint: skip-file`
    keras: KerasFile | None = field(default=None, repr=False, compare=False)  # its Keras models, if it imports keras

    @property
    def all_items(self) -> list[Item]:
        return [item for model in self.models for item in model.items] + self.items

    @property
    def all_notes(self) -> list[Note]:
        return [note for model in self.models for note in model.notes] + self.notes


@dataclass
class Report:
    paths: list[str]
    files: list[FileSection] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)  # files that could not be read or parsed
    verify_note: str | None = None  # with --verify: what was run (the report's header says it)
    ports: list[PortSection] = field(default_factory=list)  # Keras models beside their ports

    @property
    def items(self) -> list[Item]:
        return [item for file in self.files for item in file.all_items]

    @property
    def models(self) -> list[ModelSection]:
        return [model for file in self.files for model in file.models]

    @property
    def notes(self) -> list[Note]:
        return [note for file in self.files for note in file.all_notes]


def gather(paths: Sequence[str], files: Sequence[Path], config: Config,
           on_file: Callable[[Path], None] | None = None) -> Report:
    """The report over `files` (already discovered from `paths`); `on_file` is called after each."""
    report = Report(list(paths))
    for path in files:
        try:
            report.files.append(gather_file(check_file(path, config), config))
        except SourceError as error:
            report.errors.append(FileError(path, str(error).removeprefix(f"{path}: ")))
        except Exception as error:  # noqa: BLE001 - one file torchport crashes on is reported for that file
            report.errors.append(FileError(path, " ".join(
                f"torchport crashed on this file: {type(error).__name__}: {error} (please report it)".split())))
        if on_file is not None:
            on_file(path)
    torch_models = [TorchModel(file.path, model.node.root(), model.node)
                    for file in report.files for model in file.models if model.node is not None]
    keras_files = [file.keras for file in report.files if file.keras is not None]
    report.ports = ports.pair(torch_models, keras_files, list(files), config)
    return report


def gather_file(result: FileResult, config: Config) -> FileSection:
    section = FileSection(result.path, result.source, skipped=result.skipped)
    if result.skipped:
        return section
    source = Source(result.source, result.module)
    items = [_item(d, source) for d in result.diagnostics]
    owners: dict[int, ModelSection] = {}
    for cls, covered in _models(result.module):
        model = _model_section(result, cls, config)
        section.models.append(model)
        for definition in covered:
            owners.setdefault(id(definition), model)
    for item in items:
        owner = owners.get(id(_top_level(item.diagnostic.finding.node)))
        (owner.items if owner is not None else section.items).append(item)
    for note in find_notes(source, config.is_enabled):
        owner = owners.get(id(_top_level(note.node)))
        (owner.notes if owner is not None else section.notes).append(note)
    _share_explanations(section.all_items)
    _share_explanations(section.all_notes)
    section.keras = ports.keras_file(result.path, result.source, result.module)
    return section


# ----------------------------------------------------------------------------------- models

def _models(module: nodes.Module) -> list[tuple[nodes.ClassDef, list[nodes.NodeNG]]]:
    """The file's models, each with the top-level classes and functions it covers (itself first)."""
    try:
        classes = select_models(module, None)
    except SummaryError:  # no nn.Module class in the file
        return []
    definitions = {d.qname(): d for d in module.body if isinstance(d, (nodes.ClassDef, nodes.FunctionDef))}
    found = []
    for cls in classes:
        covered: dict[str, nodes.NodeNG] = {cls.qname(): cls}
        pending = [cls]
        while pending:
            for name in class_references(pending.pop(), module):
                if name in definitions and name not in covered:
                    covered[name] = definitions[name]
                    if isinstance(definitions[name], nodes.ClassDef):
                        pending.append(definitions[name])
        found.append((cls, list(covered.values())))
    return found


def _model_section(result: FileResult, cls: nodes.ClassDef, config: Config) -> ModelSection:
    try:
        summary = summarize(result.path, result.module, cls, Target(str(result.path)), [])
    except SummaryError as error:
        return ModelSection(cls.name, cls.lineno or 0, None, str(error), node=cls)
    except Exception as error:  # noqa: BLE001 - one model torchport cannot follow must not stop the report
        return ModelSection(cls.name, cls.lineno or 0, None,
                            f"internal error in torchport: {type(error).__name__}: {error} (please report it)",
                            node=cls)
    return ModelSection(cls.name, cls.lineno or 0, _without_reported(summary, result, config), node=cls)


def _without_reported(summary: ModelSummary, result: FileResult, config: Config) -> ModelSummary:
    """The summary without the shape findings the report lists as findings, nor those the configuration or
    a `# pylint: disable=` comment turns off: what is left are conditions and errors no message covers."""
    if not summary.findings:
        return summary
    reported = {(d.line, d.symbol) for d in result.diagnostics}
    pragmas = _Pragmas(result.module, result.source)
    kept = [f for f in summary.findings if f.symbol is None or (
        (f.line, f.symbol) not in reported and config.is_enabled(f.symbol)
        and pragmas.enabled(CATALOGUE[f.symbol].msgid, f.line))]
    return replace(summary, findings=kept)


def _top_level(node: nodes.NodeNG) -> nodes.NodeNG:
    """The statement of the module body that holds `node`."""
    while node.parent is not None and not isinstance(node.parent, nodes.Module):
        node = node.parent
    return node


# ----------------------------------------------------------------------------------- findings

def _item(diagnostic: Diagnostic, source: Source) -> Item:
    fix = fix_for(diagnostic.finding, source)
    last = len(source.lines)
    end = diagnostic.end_line if diagnostic.end_line and diagnostic.end_line - diagnostic.line < 3 else diagnostic.line
    excerpt = (max(1, diagnostic.line - EXCERPT_CONTEXT), min(last, end + EXCERPT_CONTEXT))
    return Item(diagnostic, _fix_view(fix, source, diagnostic.path), excerpt)


def _fix_view(fix: Fix, source: Source, path: str) -> FixView:
    if not fix.edits:
        return FixView(NO_FIX, fix.description, "")
    after = apply_edits(source.text, list(fix.edits))
    if not parses(after, path):  # `torchport fix` would not apply it either
        return FixView(NO_FIX, fix.description, "")
    return FixView(SAFE if fix.safe else PROPOSAL, fix.description, diff_hunks(source.text, after), fix.edits)


def diff_hunks(before: str, after: str) -> str:
    """The unified diff of two texts without its file header lines."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 n=DIFF_CONTEXT)
    return "".join(line if line.endswith("\n") else line + "\n" for line in _drop_header(lines))


def _drop_header(lines: Iterator[str]) -> Iterator[str]:
    for index, line in enumerate(lines):
        if index >= 2:  # "--- " and "+++ "
            yield line


def why_text(item: Item) -> str:
    """Why the finding is wrong (the catalogue's explanation, markdown), or where it was explained."""
    symbol = item.diagnostic.symbol
    if item.why_at is None:
        return " ".join(CATALOGUE[symbol].why.split())
    return f"as for the finding at line {item.why_at} above (`torchport explain {symbol}`)."


def note_why_text(note: Note) -> str:
    """Why the note matters (its page's explanation, markdown), or where it was explained."""
    if note.why_at is None:
        return " ".join(note.message.why.split())
    return f"as for the note at line {note.why_at} above."


def fix_text(fix: FixView) -> str:
    """What the fix does, or what to do when there is no automatic fix."""
    if fix.kind == NO_FIX and fix.description.startswith("no automatic fix"):  # fixes.fix_for's placeholder
        return "see the message above"
    return fix.description


def _share_explanations(entries: Sequence[Item | Note]) -> None:
    """Only the first finding (or note) of each message in a file (in the report's order) shows the explanation."""
    first: dict[str, int] = {}
    for entry in entries:
        if entry.symbol in first:
            entry.why_at = first[entry.symbol]
        else:
            first[entry.symbol] = entry.line

