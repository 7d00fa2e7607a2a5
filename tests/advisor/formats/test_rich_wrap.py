"""check's rich format at a terminal: entries wrapped at words to the width with a hanging indent, the
`path:line:col: id symbol` first; one line per entry when the output is not a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from torchport.advisor.checking import CheckResult, Diagnostic, FileError, FileResult
from torchport.advisor.formats import rich as rich_format
from torchport.messages import CATALOGUE

LONG_PATH = "src/project/models/a_very_long_module_name_for_an_experimental_resnet_variant_backbone.py"
MESSAGES = [
    ("model.py", "softmax-without-dim", 7, 15),
    ("model.py", "module-super-init-missing", 12, 4),
    (LONG_PATH, "keras-batchnorm-momentum", 130, 22),
    ("übersetzung/模型.py", "layer-built-in-forward", 3, 8),  # wide characters take two cells each
]


def _result() -> CheckResult:
    files: dict[str, list[Diagnostic]] = {}
    for path, symbol, line, column in MESSAGES:
        template = CATALOGUE[symbol].template
        text = template % tuple(f"arg{i}" for i in range(template.count("%s"))) if "%s" in template else template
        diagnostic = Diagnostic(path, symbol, text, line, column, None, None, CATALOGUE[symbol].severity)
        files.setdefault(path, []).append(diagnostic)
    return CheckResult([FileResult(Path(p), tuple(ds)) for p, ds in files.items()],
                       [FileError(Path("py2.py"), "not valid Python (line 1): Missing parentheses in call to "
                                                  "'print'. Did you mean print(...)?")])


def _render(width: int, terminal: bool = True) -> str:
    console = Console(file=io.StringIO(), width=width, force_terminal=terminal, record=True, color_system=None)
    rich_format.render(_result(), console)
    return console.export_text()


def _entries(text: str) -> list[list[str]]:
    """The lines of each entry: an entry starts on an unindented line."""
    entries: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith(" "):
            entries[-1].append(line)
        else:
            entries.append([line])
    return entries


@pytest.mark.parametrize("width", [80, 100, 50])
def test_no_line_is_wider_than_the_terminal_and_no_word_is_broken(width: int) -> None:
    from rich.cells import cell_len

    text = _render(width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    plain = _render(10_000, terminal=False)  # one line per entry
    entries = _entries(text)
    assert len(entries) == len(plain.splitlines()) == 6
    for lines, one_line in zip(entries, plain.splitlines()):
        first, rest = lines[0], lines[1:]
        assert all(line.startswith(" " * rich_format.INDENT) and line[rich_format.INDENT] != " " for line in rest)
        # joined back with single spaces, the wrapped entry is the one-line entry: words are only ever
        # broken when a single word is wider than a line (the long path, at 50 columns)
        words = one_line.split()
        wrapped = " ".join(line.strip() for line in lines).split()
        if all(cell_len(word) <= width - rich_format.INDENT for word in words):
            assert wrapped == words
        else:
            assert "".join(wrapped) == "".join(words)
        assert one_line.startswith(first.rstrip())  # the location leads


def test_location_id_and_symbol_come_first() -> None:
    entries = _entries(_render(80))
    assert entries[0][0].startswith("model.py:7:16: W7205 softmax-without-dim ")
    assert entries[1][0].startswith("model.py:12:5: E7101 module-super-init-missing ")
    folded = "".join(entries[2]).replace(" ", "")  # the path is wider than a line: folded
    assert folded.startswith(f"{LONG_PATH}:130:23:W7401keras-batchnorm-momentum")
    assert entries[3][0].startswith("übersetzung/模型.py:3:9: E7103 layer-built-in-forward ")
    assert entries[4][0].startswith("py2.py: cannot analyse: not valid Python")
    assert entries[5] == ["Found 4 findings in 3 of 4 files; 1 file could not be analysed."]


def test_not_a_terminal_gives_one_line_per_entry() -> None:
    lines = _render(40, terminal=False).splitlines()
    assert len(lines) == 6
    assert lines[1].startswith("model.py:12:5: E7101 module-super-init-missing ")
    assert max(map(len, lines)) > 40
