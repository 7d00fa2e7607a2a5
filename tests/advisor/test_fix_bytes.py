"""`torchport fix` keeps a file's bytes outside its edits: line endings (CRLF, CR, mixed), a BOM, a PEP 263
coding cookie; a file it cannot decode is one line on stderr and exit 2, and is left untouched."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from torchport.advisor import fix

# E7101 (super().__init__() inserted: a new line) and E7402 (training= added inside a line)
MODEL = [
    "import torch.nn.functional as F",
    "from torch import nn",
    "",
    "",
    "class Net(nn.Module):",
    "    def __init__(self):",
    "        self.fc = nn.Linear(4, 2)  # {comment}",
    "",
    "    def forward(self, x):",
    "        return F.dropout(self.fc(x), p=0.5)",
]
FIXED = [
    *MODEL[:6],
    "        super().__init__()",
    *MODEL[6:9],
    "        return F.dropout(self.fc(x), p=0.5, training=self.training)",
]


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    fix.add_arguments(parser)
    return fix.run(parser.parse_args(list(argv)))


def _join(lines: list[str], endings: list[str]) -> str:
    return "".join(line + end for line, end in zip(lines, endings))


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_one_line_ending_is_kept_everywhere(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "model.py"
    path.write_bytes(ending.join(MODEL).format(comment="ok").encode() + ending.encode())
    assert _run(str(path)) == fix.CLEAN
    assert path.read_bytes() == ending.join(FIXED).format(comment="ok").encode() + ending.encode()


def test_mixed_endings_each_kept_line_keeps_its_own_and_new_lines_get_the_usual_one(tmp_path: Path) -> None:
    endings = ["\r\n", "\n", "\r\n", "\r\n", "\r\n", "\n", "\r\n", "\r\n", "\r\n", ""]  # no newline at the end
    path = tmp_path / "model.py"
    path.write_bytes(_join(MODEL, endings).format(comment="ok").encode())
    assert _run(str(path)) == fix.CLEAN
    expected = [*endings[:6], "\r\n", *endings[6:]]  # the inserted line: CRLF, the file's most common
    assert path.read_bytes() == _join(FIXED, expected).format(comment="ok").encode()


def test_bom_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(MODEL).format(comment="é").encode() + b"\r\n")
    assert _run(str(path)) == fix.CLEAN
    assert path.read_bytes() == b"\xef\xbb\xbf" + "\r\n".join(FIXED).format(comment="é").encode() + b"\r\n"


def test_coding_cookie_is_read_and_written_back_in_its_encoding(tmp_path: Path) -> None:
    lines = ["# -*- coding: latin-1 -*-", *MODEL]
    path = tmp_path / "model.py"
    path.write_bytes("\n".join(lines).format(comment="café").encode("latin-1") + b"\n")
    assert _run(str(path)) == fix.CLEAN
    expected = "\n".join(["# -*- coding: latin-1 -*-", *FIXED]).format(comment="café").encode("latin-1") + b"\n"
    assert path.read_bytes() == expected


def test_diff_shows_the_change_in_the_files_own_line_endings(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "model.py"
    original = "\r\n".join(MODEL).format(comment="ok").encode() + b"\r\n"
    path.write_bytes(original)
    assert _run(str(path), "--diff") == fix.CLEAN
    out = capsys.readouterr().out
    assert "+        super().__init__()\r\n" in out
    assert path.read_bytes() == original


@pytest.mark.parametrize("data, reason", [
    (b"x = '\xff'\n", "invalid or missing encoding declaration"),  # not UTF-8 on the first two lines
    (b"x = 1\ny = 2\nz = '\xff'\n", "can't decode byte 0xff in position 17"),  # further down
    (b"# coding: klingon\nx = 1\n", "unknown encoding: klingon"),
    (b"# coding: rot13\nx = 1\n", "'rot13' is not a text encoding"),
])
def test_a_file_that_cannot_be_decoded_is_one_line_and_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str) -> None:
    bad, good = tmp_path / "bad.py", tmp_path / "good.py"
    bad.write_bytes(data)
    good.write_text("\n".join(MODEL).format(comment="ok") + "\n")
    assert _run(str(tmp_path)) == fix.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{bad}: cannot read the file: ") and reason in err, err
    assert bad.read_bytes() == data
    assert good.read_text() == "\n".join(FIXED).format(comment="ok") + "\n"  # the other files are still fixed


def test_a_form_feed_in_a_comment_does_not_move_the_fix(tmp_path: Path) -> None:
    lines = [*MODEL[:2], "# page\x0cbreak", *MODEL[2:]]
    path = tmp_path / "model.py"
    path.write_text("\n".join(lines).format(comment="ok") + "\n")
    assert _run(str(path)) == fix.CLEAN
    assert path.read_text() == "\n".join([*FIXED[:2], "# page\x0cbreak", *FIXED[2:]]).format(comment="ok") + "\n"
