"""`torchport summary`: the table and the JSON a user sees, the argument sources, and bad input."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from torchport.advisor import cli

MODELS = '''
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = nn.Conv2d(i, o, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.conv(x))


class Net(nn.Module):
    def __init__(self, n_classes=10, base=8):
        super().__init__()
        self.block = Block(1, base)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(base, n_classes)

    def forward(self, x):
        return self.fc(self.flatten(self.pool(self.block(x))))


class Tagger(nn.Module):
    def __init__(self, vocab_size, hidden=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 8)
        self.lstm = nn.LSTM(8, hidden, batch_first=True)

    def forward(self, tokens):
        return self.lstm(self.embedding(tokens))


if __name__ == "__main__":
    tagger = Tagger(vocab_size=100)
'''


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["summary", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def models(tmp_path: Path) -> Path:
    path = tmp_path / "models.py"
    path.write_text(MODELS)
    return path


def test_json_of_one_model_with_target_arguments(models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, f"{models}::Net(n_classes=4, base=6)", "--input-shape", "2,1,8,8", "--format", "json")
    assert code == 0
    (model,) = json.loads(out)["models"]
    assert model == {
        "class": "Net", "file": str(models), "line": 15, "input": [[2, 1, 8, 8]], "input_source": "--input-shape",
        "args_source": "the target", "output": [2, 4],
        "layers": [
            {"name": "block", "type": "Block", "output": [2, 6, 8, 8], "params": 60},
            {"name": "block.conv", "type": "Conv2d", "output": [2, 6, 8, 8], "params": 60},
            {"name": "block.act", "type": "ReLU", "output": [2, 6, 8, 8], "params": 0},
            {"name": "pool", "type": "AdaptiveAvgPool2d", "output": [2, 6, 1, 1], "params": 0},
            {"name": "flatten", "type": "Flatten", "output": [2, 6], "params": 0},
            {"name": "fc", "type": "Linear", "output": [2, 4], "params": 28},
        ],
        "total_params": 88, "trainable_params": 88, "findings": [], "notes": [],
    }


def test_every_top_level_model_without_class(models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(models), "--format", "json")
    assert code == 0
    summaries = {m["class"]: m for m in json.loads(out)["models"]}
    assert list(summaries) == ["Net", "Tagger"]  # Block is a submodule of Net
    net, tagger = summaries["Net"], summaries["Tagger"]
    assert (net["args_source"], net["input_source"]) == ("the defaults of __init__", "the first layer: block.conv (Conv2d)")
    assert net["input"] == [["N", 1, "H", "W"]] and net["output"] == ["N", 10]
    line = MODELS.splitlines().index("    tagger = Tagger(vocab_size=100)") + 1
    assert tagger["args_source"] == f"the instantiation at {os.path.relpath(models)}:{line}"
    assert tagger["input"] == [["N", "T"]]
    assert tagger["output"] == [["N", "T", 16], [[1, "N", 16], [1, "N", 16]]]  # (out, (h, c))
    assert tagger["total_params"] == 100 * 8 + 4 * 16 * (8 + 16) + 8 * 16


def test_rich_table_fits_80_columns(models: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, f"{models}::Tagger(vocab_size=50000, hidden=512)")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for expected in ("Tagger", "embedding (Embedding)", "(N, T, 8)", "400,000", "lstm (LSTM)",
                     "Total params: 1,469,056", "Trainable params: 1,469,056", "Input: (N, T) int64",
                     "from the first layer: embedding (Embedding)", "vocab_size=50000, hidden=512", "from the target"):
        assert expected in text, expected


def test_unknown_arguments_give_unknown_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tagger.py"
    path.write_text(MODELS.split("if __name__")[0])
    code, out, _ = run(capsys, f"{path}::Tagger", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert code == 0
    assert model["args_source"] == "the defaults of __init__ (vocab_size unknown)"
    assert model["total_params"] is None
    assert model["layers"][0] == {"name": "embedding", "type": "Embedding", "output": ["N", "T", 8], "params": None}


@pytest.mark.parametrize("argv, message", [
    (["missing.py"], "missing.py: no such file"),
    (["{models}::Nope"], "no nn.Module class 'Nope' (Module classes here: Block, Net, Tagger)"),
    (["{models}::Net(n=len(x))"], "is not a Python literal"),
    (["{models}::Net(", ], "cannot read 'Net('"),
    (["{models}::Net", "--input-shape", "2,x y"], "malformed shape '2,x y'"),
    (["{models}::Net", "--input-shape", "1,1,4,4", "--input-shape", "1,1,4,4"], "got 2 shapes"),
    (["{syntax}"], "not valid Python (line 2)"),
    (["{empty}"], "no nn.Module class in this file"),
])
def test_bad_input_exits_2_with_one_line(argv: list[str], message: str, models: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    syntax, empty = tmp_path / "broken.py", tmp_path / "empty.py"
    syntax.write_text("import torch\ndef f(:\n")
    empty.write_text("x = 1\n")
    code, out, err = run(capsys, *(a.format(models=models, syntax=syntax, empty=empty) for a in argv))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("torchport: error: ")
    assert message in err


def test_findings_and_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wrong.py"
    path.write_text(textwrap.dedent('''
        import torch.nn as nn
        import some_lib

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3)
                self.fc = nn.Linear(8, 2)

            def forward(self, x):
                x = some_lib.prepare(x)
                return self.fc(self.conv(x))
    '''))
    code, out, _ = run(capsys, f"{path}::Net", "--input-shape", "2,1,8,8", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert code == 0
    assert model["findings"] == []  # some_lib.prepare is unknown: nothing can be said about conv's input
    assert model["layers"][0]["output"] == "?"


def test_findings_name_the_layer_and_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "port.py"
    path.write_text(textwrap.dedent('''
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 8, 3)
                self.flatten = nn.Flatten()
                self.fc = nn.Linear(8 * 28 * 28, 10)

            def forward(self, x):
                return self.fc(self.flatten(self.conv(x)))
    '''))
    code, out, _ = run(capsys, f"{path}::Net", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert code == 0
    # a layer's finding points at its definition, where the fix goes
    assert [(f["line"], f["where"], f["kind"]) for f in model["findings"]] == [(9, "fc (Linear)", "condition")]
    assert "in_features" in model["findings"][0]["message"]  # holds for some sizes only (28x28 after the conv)

    code, out, _ = run(capsys, f"{path}::Net", "--input-shape", "4,1,28,28", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert [(f["line"], f["where"], f["kind"]) for f in model["findings"]] == [(9, "fc (Linear)", "error")]
    assert "in_features should be 5408" in model["findings"][0]["message"]
