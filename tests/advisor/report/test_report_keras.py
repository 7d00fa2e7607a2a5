"""`torchport report` on Keras ports, through the real command line: the report-only note on Keras's BatchNorm
epsilon (never from `check` or pylint), and the "Keras ports" part that puts each Keras model beside its port
(paired by the port's docstring, `[tool.torchport.ports]` or unambiguous names) in all three formats."""

from __future__ import annotations

import inspect
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from pylint.lint import Run
from pylint.reporters import CollectingReporter

from torchport.advisor import cli
from torchport.advisor.report.notes import BATCHNORM_EPS, KERAS_EPSILON
from torchport.advisor.report.ports import normalised

PAIRS = Path(__file__).resolve().parents[2] / "keras" / "pairs"

BATCHNORMS = """\
    import torch
    import torch.nn.functional as F
    from torch import nn

    EPS = 1e-3
    TORCH_EPS = 1e-5


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.BatchNorm2d(8, eps=1e-3)
            self.b = nn.BatchNorm1d(8, 0.001)
            self.c = nn.BatchNorm3d(8, eps=1E-3, momentum=0.01)
            self.d = nn.BatchNorm2d(8, eps=EPS)
            self.e = nn.LazyBatchNorm2d(1e-3)
            self.f = nn.SyncBatchNorm(8, eps=0.001)
            self.g = nn.BatchNorm2d(8)
            self.h = nn.BatchNorm2d(8, eps=1e-5)
            self.i = nn.BatchNorm2d(8, eps=TORCH_EPS)
            self.j = nn.BatchNorm2d(8, eps=0.01)
            self.k = nn.InstanceNorm2d(8, eps=1e-3)
            self.m = nn.LazyBatchNorm1d(8, eps=1e-5)
            self.n = nn.BatchNorm2d(8, 1e-5, 1e-3)

        def forward(self, x):
            x = self.a(x)
            return F.batch_norm(x, None, None, training=True, eps=1e-3)
    """
NOTED = {"a": "1e-3", "b": "0.001", "c": "1E-3", "d": "EPS", "e": "1e-3", "f": "0.001"}  # attribute -> as written


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["report", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flat(text: str) -> str:
    return " ".join(text.split())


def copy_pair(root: Path, name: str) -> None:
    for side in ("keras", "torch"):
        shutil.copy(PAIRS / f"{side}_{name}.py", root / f"{side}_{name}.py")


# ----------------------------------------------------------------------------------- the eps note

def test_eps_note_for_each_spelling_of_keras_epsilon_only(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "model.py").write_text(textwrap.dedent(BATCHNORMS))
    lines = textwrap.dedent(BATCHNORMS).splitlines()
    code, out, _ = report(capsys, str(tmp_path))
    assert code == 0  # a note is not a finding
    text = flat(out)
    noted = [int(line) for line in re.findall(r"I7408 keras-batchnorm-epsilon \S*model\.py:(\d+):", text)]
    expected = [number for number, line in enumerate(lines, 1)
                if re.match(r"\s+self\.([a-f]) =", line)] + [lines.index(next(
                    line for line in lines if "F.batch_norm" in line)) + 1]
    assert noted == expected
    for attribute, spelled in NOTED.items():
        name = re.search(rf"self\.{attribute} = (nn\.\w+)\(", textwrap.dedent(BATCHNORMS))[1]  # type: ignore[index]
        assert f"{name}(eps={spelled}) uses Keras's default epsilon (BatchNormalization's 1e-3); torch's default " \
               f"is 1e-5: write eps=1e-5, or keep it deliberately to match weights trained in Keras" in text
    assert "F.batch_norm(eps=1e-3)" in text
    assert "Notes in Net (7)" in text
    assert text.count("Why: Keras's BatchNormalization adds epsilon=1e-3") == 1  # then "as for the note at line"
    assert f"as for the note at line {expected[0]} above." in text
    assert "No findings in Net." in text
    assert "Notes (report only, not findings): keras-batchnorm-epsilon (I7408) 7." in text


def test_eps_note_outside_a_model_and_turned_off_in_the_configuration(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "layers.py").write_text("from torch import nn\n\nnorm = nn.BatchNorm1d(4, eps=1e-3)\n")
    _, out, _ = report(capsys, str(tmp_path))
    assert "Notes outside any model (1)" in out and "layers.py:3:8" in out
    assert "No model and no findings in this file." not in out
    (tmp_path / "pyproject.toml").write_text('[tool.torchport]\ndisable = ["keras-batchnorm-epsilon"]\n')
    _, out, _ = report(capsys, str(tmp_path))
    assert "I7408" not in out and "Notes" not in out


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_check_never_reports_the_eps_note(tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str) -> None:
    (tmp_path / "model.py").write_text(textwrap.dedent(BATCHNORMS))
    argv = ["check", str(tmp_path), "--no-cache"] + ([] if output == "text" else ["--format", output])
    code = cli.main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "I7408" not in out and "epsilon" not in out


def test_pylint_plugin_never_reports_the_eps_note(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(textwrap.dedent(BATCHNORMS))
    reporter = CollectingReporter()
    Run(["--load-plugins=torchport.lint_rules", "--disable=all", "--enable=torchport", "--persistent=n",
         "--score=n", str(tmp_path / "model.py")], reporter=reporter, exit=False)
    assert [m.symbol for m in reporter.messages] == []


def test_eps_positions_are_torchs() -> None:
    torch = pytest.importorskip("torch")
    for name, position in BATCHNORM_EPS.items():
        found = torch
        for part in name.split(".")[1:]:
            found = getattr(found, part)
        function = found.__init__ if inspect.isclass(found) else found
        parameters = [parameter for parameter in inspect.signature(function).parameters if parameter != "self"]
        assert parameters[position] == "eps", name
        assert inspect.signature(function).parameters["eps"].default != KERAS_EPSILON


# ----------------------------------------------------------------------------------- Keras ports

def test_port_generated_by_torchport_port_is_paired_by_its_docstring(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PAIRS / "keras_cnn.py", project / "keras_cnn.py")
    monkeypatch.chdir(project)
    assert cli.main(["port", "keras_cnn.py", "--output", "port_cnn.py"]) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)  # the docstring's "keras_cnn.py" is found beside the port
    code, out, _ = report(capsys, "project")
    text = flat(out)
    assert code == 0
    assert "Keras ports" in text
    assert "project/keras_cnn.py::model ↔ project/port_cnn.py::Model (paired by the port's docstring)" in text
    assert "model project/keras_cnn.py:6 ↔ Model project/port_cnn.py:10" in text
    assert "Equivalent up to framework conventions (1 convention note)." in text
    assert "Keras ports: 1 pair (1 equivalent up to conventions); 0 differences, 1 convention note." in text
    assert text.index("Keras ports ─") < text.index("Project summary")


def test_docstring_file_is_found_from_the_project_root(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.torchport]\n")
    (tmp_path / "keras").mkdir()
    (tmp_path / "torch").mkdir()
    shutil.copy(PAIRS / "keras_mlp.py", tmp_path / "keras" / "mlp.py")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["port", "keras/mlp.py", "--output", "torch/mlp.py", "--class-name", "Churn"]) == 0
    capsys.readouterr()
    _, out, _ = report(capsys, "torch")  # torch/ only: keras/mlp.py is relative to the project root
    text = flat(out)
    assert "keras/mlp.py::model ↔ torch/mlp.py::Churn (paired by the port's docstring)" in text
    assert "Equivalent up to framework conventions (1 convention note)." in text


def test_configured_pairs_show_their_differences(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    copy_pair(tmp_path, "wrong_kernel")
    copy_pair(tmp_path, "mlp")
    (tmp_path / "pyproject.toml").write_text('[tool.torchport.ports]\n'
                                             '"keras_wrong_kernel.py::model" = "torch_wrong_kernel.py::ConvNet"\n'
                                             '"keras_mlp.py" = "torch_mlp.py"\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = report(capsys, ".")
    text = flat(out)
    assert code == 0  # differences are the comparison's, not findings
    sections = ["keras_wrong_kernel.py::model ↔ torch_wrong_kernel.py::ConvNet (paired by [tool.torchport.ports])",
                "model keras_wrong_kernel.py:6 ↔ ConvNet torch_wrong_kernel.py:7",
                "different-kernel (error) conv2d_1", "Different: 1 error.",
                "keras_mlp.py ↔ torch_mlp.py (paired by [tool.torchport.ports])",
                "model keras_mlp.py:6 ↔ ChurnMLP torch_mlp.py:7", "Equivalent up to framework conventions.",
                "Project summary"]
    places = [text.find(part) for part in sections]
    assert -1 not in places and places == sorted(places), dict(zip(sections, places))
    assert "Keras ports: 2 pairs (1 equivalent up to conventions, 1 different); 1 difference, 0 convention " \
           "notes." in text


def test_name_pairing_when_unambiguous(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    copy_pair(tmp_path, "mlp")
    keras_file = tmp_path / "keras_mlp.py"
    keras_file.write_text(keras_file.read_text().replace("model = ", "churn_mlp_keras = "))
    monkeypatch.chdir(tmp_path)
    _, out, _ = report(capsys, ".")
    text = flat(out)
    assert "keras_mlp.py::churn_mlp_keras ↔ torch_mlp.py::ChurnMLP (paired by their names)" in text
    assert "Equivalent up to framework conventions." in text
    # a second torch class of the same name once normalised: ambiguous, no comparison
    (tmp_path / "other.py").write_text("from torch import nn\n\n\nclass ChurnMlpTorch(nn.Module):\n"
                                       "    def forward(self, x):\n        return x\n")
    _, out, _ = report(capsys, ".")
    assert "Keras ports" not in out and "paired by" not in out


def test_no_pair_when_names_differ(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_pair(tmp_path, "mlp")  # Keras's `model` beside ChurnMLP: nothing says they belong together
    _, out, _ = report(capsys, str(tmp_path))
    assert "Keras ports" not in out and "paired by" not in out


def test_a_pair_that_cannot_be_compared_says_why_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    copy_pair(tmp_path, "mlp")
    shutil.copy(PAIRS.parent / "models" / "functional_multi_io.py", tmp_path / "multi.py")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.torchport.ports]\n"multi.py::model" = "torch_mlp.py::ChurnMLP"\n"gone.py" = "torch_mlp.py"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = report(capsys, ".")
    text = flat(out)
    assert code == 0 and "Traceback" not in out + err
    assert "multi.py::model ↔ torch_mlp.py::ChurnMLP (paired by [tool.torchport.ports]) Not compared: " \
           "--input-shape: ChurnMLP.forward takes 1 tensor argument (x), got 3 shapes (the Keras model has 3 " \
           "inputs) gone.py ↔ torch_mlp.py (paired by [tool.torchport.ports]) Not compared: gone.py: no such file " \
           "Project summary" in text
    assert "Keras ports: 2 pairs (2 not compared); 0 differences, 0 convention notes." in text


def test_a_bad_ports_table_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_pair(tmp_path, "mlp")
    (tmp_path / "pyproject.toml").write_text('[tool.torchport.ports]\n"keras_mlp.py::model" = 3\n')
    code, out, err = report(capsys, str(tmp_path))
    assert code == 2 and out == ""
    assert err.strip().endswith("[tool.torchport.ports] 'keras_mlp.py::model': write its port as a string, "
                                '"torch_file.py::Class"')
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("output", ["markdown", "html"])
def test_markdown_and_html_have_the_ports_and_the_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        output: str) -> None:
    copy_pair(tmp_path, "cnn_batchnorm")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.torchport.ports]\n"keras_cnn_batchnorm.py" = "torch_cnn_batchnorm.py::CifarNet"\n')
    code, out, _ = report(capsys, str(tmp_path), "--format", output)
    assert code == 0
    if output == "markdown":
        assert "## Keras ports\n\n### `keras_cnn_batchnorm.py` ↔ `torch_cnn_batchnorm.py::CifarNet`\n\n" \
               "Paired by \\[tool.torchport.ports\\].\n\n```text\n" in out
        assert "#### Notes in `CifarNet` (2)" in out
        assert out.index("## Keras ports") < out.index("## Project summary")
        assert "Keras ports: 1 pair (1 equivalent up to conventions); 0 differences, 2 convention notes." in out
    else:
        assert "Keras ports" in out and "paired by [tool.torchport.ports]" in out
        assert "Notes in CifarNet (2)" in out
    assert "Equivalent up to framework conventions (2 convention notes)." in out
    assert "params-convention" in out


def test_names_are_normalised_for_pairing() -> None:
    assert normalised("ChurnMLP") == normalised("churn_mlp_keras") == normalised("ChurnMlpModel") == "churnmlp"
    assert normalised("Model") == normalised("model") == "model"  # nothing else left: the affix stays
    assert normalised("TextPorted") == normalised("text_port") == "text"
