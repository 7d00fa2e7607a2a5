"""`torchport report` through the real command line: exit codes, sections, configuration, `# pylint:`
comments, input-shape sources, unreadable files and --output, on small projects in tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import torchport.advisor.report as command
from torchport.advisor import cli
from torchport.advisor.report import gather

MODEL = """\
    import torch.nn.functional as F
    from torch import nn


    class Block(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(x)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Linear(4, 2)

        def forward(self, x):
            return F.softmax(self.head(self.block(x)), dim=1)


    def train(data):
        model = Net()
        loss_fn = nn.CrossEntropyLoss()
        for x, y in data:
            loss = loss_fn(model(x), y)
    """
CLEAN = """\
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return self.fc(x)
    """


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text))
    return root


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["report", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flat(text: str) -> str:
    return " ".join(text.split())


def test_findings_under_their_model_and_outside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, {"model.py": MODEL})
    code, out, err = report(capsys, str(tmp_path / "model.py"))
    words = flat(out)
    assert code == 1 and not err
    model_part, outside = words.split("Outside any model (1)")
    # Block is a submodule of Net: its missing super().__init__() is one of Net's findings
    assert "Findings in Net (1) E7101 module-super-init-missing" in model_part
    assert "block.fc (Linear)" in model_part  # Net's summary table
    assert "E7201 softmax-before-cross-entropy" in outside.split("Project summary")[0]
    assert max(len(line) for line in out.splitlines()) <= 80


def test_clean_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, {"model.py": CLEAN})
    code, out, _ = report(capsys, str(tmp_path))
    assert code == 0
    assert "No findings in Net." in out
    assert "Analysed 1 file; found 1 model in 1 file; no findings." in flat(out)


def test_configuration_and_pylint_comments_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quiet = MODEL.replace("    def __init__(self):\n            self.fc",
                          "    def __init__(self):  # pylint: disable=module-super-init-missing\n            self.fc")
    project(tmp_path, {
        "model.py": quiet,
        "pyproject.toml": """\
            [tool.torchport]
            disable = ["softmax-before-cross-entropy"]

            [tool.torchport.input-shapes]
            Net = [8, 4]
            """,
    })
    code, out, _ = report(capsys, str(tmp_path))
    words = flat(out)
    assert code == 0
    assert "module-super-init-missing" not in words and "softmax-before-cross-entropy" not in words
    assert "Input: (8, 4) — from pyproject.toml [tool.torchport.input-shapes] Net" in words
    assert "Input shapes configuration: Net" in words


def test_unknown_input_shapes_are_reported_with_the_way_to_give_them(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, {"model.py": """\
        from torch import nn


        class Scale(nn.Module):
            def forward(self, x):
                return x * 2
        """})
    code, out, _ = report(capsys, str(tmp_path / "model.py"))
    assert code == 0
    assert ("Not inferred Scale - input shapes unknown: give them in pyproject.toml, "
            "[tool.torchport.input-shapes] Scale = [...]") in flat(out)


def test_unreadable_file_is_listed_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, {"model.py": CLEAN, "broken.py": "def f(:\n"})
    code, out, _ = report(capsys, str(tmp_path))
    words = flat(out)
    assert code == 2
    assert "Analysed 2 files (1 could not be read); found 1 model in 1 file" in words
    assert "Files that could not be analysed" in words and "broken.py: not valid Python (line 1)" in words


def test_missing_path_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, str(tmp_path / "nowhere"))
    assert (code, out) == (2, "")
    assert err == f"torchport: error: {tmp_path / 'nowhere'}: no such file or folder\n"


@pytest.mark.parametrize(("form", "start"), [("markdown", "# torchport migration report\n"),
                                             ("html", "<!DOCTYPE html>"),
                                             ("rich", "torchport migration report\n")])
def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str, start: str) -> None:
    project(tmp_path, {"model.py": MODEL})
    target = tmp_path / "out" / f"report.{form}"
    target.parent.mkdir()
    code, out, _ = report(capsys, str(tmp_path / "model.py"), "--format", form, "--output", str(target))
    assert (code, out) == (1, "")
    text = target.read_text(encoding="utf-8")
    assert text.startswith(start) and "softmax-before-cross-entropy" in text


def test_output_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(tmp_path, {"model.py": CLEAN})
    code, _, err = report(capsys, str(tmp_path / "model.py"), "--output", str(tmp_path / "no" / "such" / "file"))
    assert code == 2
    assert err.startswith("torchport: error: ") and err.count("\n") == 1 and "cannot write the report" in err


def test_a_crash_in_torchport_is_reported_for_its_file_or_model(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"model.py": CLEAN, "other.py": CLEAN.replace("Net", "Other")})

    def summarize(path: Path, *args: object) -> object:
        raise RuntimeError(f"summary bug on {path.name}")

    def check_file(path: Path, config: object) -> object:
        if path.name == "other.py":
            raise RecursionError("check bug")
        return original_check(path, config)

    original_check = gather.check_file
    monkeypatch.setattr(gather, "summarize", summarize)
    monkeypatch.setattr(gather, "check_file", check_file)
    code, out, _ = report(capsys, str(tmp_path))
    words = flat(out)
    assert code == 2
    assert ("Not summarised: internal error in torchport: RuntimeError: summary bug on model.py (please report "
            "it)") in words
    assert "other.py: torchport crashed on this file: RecursionError: check bug (please report it)" in words


def test_progress_bar_on_stderr_only_at_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"a.py": CLEAN, "b.py": CLEAN})
    monkeypatch.setattr(command, "PROGRESS_MIN_FILES", 2)
    _, _, quiet = report(capsys, str(tmp_path))
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich takes stderr for a terminal
    _, out, err = report(capsys, str(tmp_path))
    assert quiet == ""
    assert "analysing" in err and "2/2" in err
    assert "analysing" not in out


def test_models_are_grouped_by_where_their_input_shapes_came_from(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    linear = """
        class {name}(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2){extra}

            def forward(self, {argument}):
                return self.fc(x)
        """
    classes = "".join(linear.format(name=name, extra=extra, argument=argument) for name, extra, argument in (
        ("Configured", "", "x"), ("Annotated", "", 'x: Float[Tensor, "batch 4"]'), ("Called", "", "x"),
        ("Summarised", "", "x"), ("SummarisedData", "", "x"), ("Guessed", "", "x"),
        ("Example", "\n                self.example_input_array = torch.zeros(3, 4)", "x")))
    project(tmp_path, {"pyproject.toml": "[tool.torchport.input-shapes]\nConfigured = [8, 4]\n", "models.py": f"""\
        import torch
        import torchinfo
        from jaxtyping import Float
        from torch import Tensor, nn
        {classes}

        class Constant(nn.Module):
            def __init__(self):
                super().__init__()
                self.bias = nn.Parameter(torch.zeros(2))

            def forward(self):
                return self.bias * 2


        class Scale(nn.Module):
            def forward(self, x):
                return x * 2


        Called()(torch.randn(8, 4))
        torchinfo.summary(Summarised(), input_size=(8, 4))
        torchinfo.summary(SummarisedData(), input_data=torch.randn(8, 4))
        """})
    _, out, _ = report(capsys, str(tmp_path))
    assert ("Input shapes configuration: Configured annotations on forward: Annotated a call in the project: Called, "
            "Summarised, SummarisedData guessed from the first layer: Guessed example_input_array: Example "
            "no tensor input: Constant unknown: Scale Not inferred Scale") in flat(out)
