"""The report on samples/, as a person reads it: every finding `torchport check` gives, in the model it
belongs to, with its code, why and fix; rendered by rich at 80 and 140 columns, as markdown and as HTML."""

from __future__ import annotations

import html.parser
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from torchport.advisor.checking import Diagnostic, check_paths
from torchport.advisor.files import discover
from torchport.advisor.report import terminal
from torchport.advisor.report.gather import NO_FIX, PROPOSAL, SAFE, Report, gather
from torchport.advisor.report.html import to_html
from torchport.advisor.report.markdown import to_markdown
from torchport.config import load_config
from torchport.messages import CATALOGUE
from torchport.messages.render import markdown_text

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


@pytest.fixture(scope="module")
def report() -> Report:
    config = load_config(SAMPLES)
    return gather([str(SAMPLES)], discover([str(SAMPLES)], config), config)


@pytest.fixture(scope="module")
def checked() -> list[Diagnostic]:
    return check_paths([str(SAMPLES)]).diagnostics


def rendered(report: Report, width: int) -> str:
    console = Console(file=StringIO(), width=width, record=True, color_system=None)
    terminal.write(report, console)
    return console.export_text()


def flat(text: str) -> str:
    """The words of a text in order, whatever the line breaks: a word broken across lines does not match."""
    return " ".join(text.split())


def where(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column + 1}"


def test_the_report_has_exactly_the_findings_of_check(report: Report, checked: list[Diagnostic]) -> None:
    def key(d: Diagnostic) -> tuple[object, ...]:
        return d.path, d.line, d.column, d.symbol, d.message, d.severity

    assert len(checked) > 20  # the samples' planted mistakes
    assert sorted(key(item.diagnostic) for item in report.items) == sorted(key(d) for d in checked)
    assert not report.errors


def test_findings_belong_to_their_model_or_to_the_file(report: Report) -> None:
    sections = {file.path.name: file for file in report.files}
    churn = sections["churn_mlp.py"]
    (model,) = churn.models
    assert model.class_name == "ChurnMLP"
    assert [i.diagnostic.symbol for i in model.items] == ["module-super-init-missing", "dropout-always-active"]
    assert [i.diagnostic.symbol for i in churn.items] == ["sigmoid-before-bce-with-logits"]  # the training loop
    # a module-level helper the model calls (dense_block) belongs to the model
    blocks = sections["functional_api_blocks.py"]
    assert not blocks.items and len(blocks.models[0].items) == 5
    # no Module class in the file: every finding is the file's
    training = sections["fashion_mnist_training.py"]
    assert not training.models and len(training.items) == 3


def test_fixes_are_marked_safe_or_proposal_with_a_diff(report: Report) -> None:
    assert {item.fix.kind for item in report.items} == {SAFE, PROPOSAL, NO_FIX}
    for item in report.items:
        if item.fix.kind == NO_FIX:
            assert not item.fix.diff
            continue
        assert item.fix.diff.startswith("@@ ") and "\n+" in item.fix.diff, item.fix


@pytest.mark.parametrize("width", [80, 140])
def test_terminal_report_fits_the_width_without_breaking_words(report: Report, checked: list[Diagnostic],
                                                                width: int) -> None:
    text = rendered(report, width)
    assert max(len(line) for line in text.splitlines()) <= width
    words = flat(text)
    for d in checked:
        assert where(d) in words
        assert flat(d.message) in words
    for symbol in {d.symbol for d in checked}:  # the explanation, shown at the first finding of a file
        assert flat(CATALOGUE[symbol].why.replace("`", "")) in words
    for file in report.files:
        for model in file.models:
            assert model.summary is not None
            for row in model.summary.layers:  # summary_render's table
                assert f"{row.name} ({row.type})" in words
    assert "Safe fix (`torchport fix` applies it):" in words
    assert "Proposal (review before applying; `torchport fix --unsafe` applies it):" in words
    assert "torchport read your code without importing or running it." in words


def test_terminal_report_shows_code_with_line_numbers_and_diffs(report: Report) -> None:
    text = rendered(report, 80)
    assert "❱ 14     def __init__(self, n_features: int = 20, dropout: float = 0.3) ->" in text  # churn_mlp
    assert "-        x = F.dropout(x, p=self.dropout)" in text
    assert "+        x = F.dropout(x, p=self.dropout, training=self.training)" in text


def test_project_summary(report: Report, checked: list[Diagnostic]) -> None:
    words = flat(rendered(report, 80).split("Project summary", 1)[1])
    assert f"Analysed 9 files; found 7 models in 7 files; {len(checked)} findings (by severity: error" in words
    safe = sum(1 for item in report.items if item.fix.kind == SAFE)
    assert f"{safe} safe (`torchport fix` applies them)" in words
    for symbol in {d.symbol for d in checked}:
        message = CATALOGUE[symbol]
        count = sum(1 for d in checked if d.symbol == symbol)
        assert f"{message.msgid} {symbol} {message.severity} {count}" in words
    assert "a call in the project: ActivityClassifier, ChurnMLP" in words
    assert "guessed from the first layer:" in words and "MnistConvNet" in words
    assert ("Not inferred ActivityClassifier - constructor arguments: the defaults of __init__ "
            "(mean, std unknown)") in words


def test_markdown_report(report: Report, checked: list[Diagnostic]) -> None:
    text = to_markdown(report)
    lines = text.splitlines()
    assert lines[0] == "# torchport migration report"
    assert sum(1 for line in lines if line.startswith("```")) % 2 == 0
    for d in checked:
        assert f"**{d.msgid}** `{d.symbol}` · {d.severity} · `{where(d)}`" in text
        assert markdown_text(d.message) in text
    for item in report.items:
        if item.fix.diff:
            assert f"```diff\n{item.fix.diff}```" in text
    assert "```text\nChurnMLP" in text  # the summary table, as Keras prints model.summary()
    assert "> 14 |     def __init__(self, n_features: int = 20, dropout: float = 0.3) -> None:" in text
    table = [line for line in lines if line.startswith("| ")]
    assert table[0] == "| Id | Symbol | Severity | Findings |"
    assert {line.count(" | ") for line in table} == {3}


class _Structure(html.parser.HTMLParser):
    """Checks that every element is closed in order and collects the text."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_well_formed_and_has_the_findings(report: Report, checked: list[Diagnostic]) -> None:
    page = to_html(report)
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!DOCTYPE html>")
    assert not parser.errors and not parser.open
    words = flat("".join(parser.text))
    assert "torchport migration report" in words
    for d in checked:
        assert where(d) in words and flat(d.message) in words
