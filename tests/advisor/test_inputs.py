"""Where input shapes come from: --input-shape, pyproject.toml, jaxtyping annotations, calls seen in the
project, Lightning's example_input_array, else the first layer; the summary names the source it used."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from torchport.advisor.inputs import InputError, parse_shape
from torchport.advisor.sources import parse_file
from torchport.advisor.summarize import SummaryError, summarize
from torchport.advisor.summary_model import ModelSummary
from torchport.advisor.target import parse_target
from torchport.advisor.usages import module_name

MNIST = """
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        x = self.conv(x)
        return x
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def summary(root: Path, target: str, shapes: list[str] = ()) -> ModelSummary:
    parsed = parse_target(str(root / target))
    path = Path(parsed.path)
    module = parse_file(str(path), module_name(path))
    cls = next(c for c in module.body if getattr(c, "name", None) == parsed.class_name)
    return summarize(path, module, cls, parsed, [parse_shape(s) for s in shapes])


@pytest.mark.parametrize("text, expected", [
    ("64,1,28,28", [64, 1, 28, 28]),
    ("(64, 1, 28, 28)", [64, 1, 28, 28]),
    ("N,1,H,W", ["N", 1, "H", "W"]),
    ("batch, 3, 224, 224", ["batch", 3, 224, 224]),
])
def test_shape_text(text: str, expected: list) -> None:
    assert [d if isinstance(d, int) else repr(d) for d in parse_shape(text)] == expected


@pytest.mark.parametrize("text", ["", "64,,", ",64", "64;1", "64,-1", "3.5,2", "a b", "64,1,(28)"])
def test_malformed_shape_text(text: str) -> None:
    with pytest.raises(InputError, match="malformed shape"):
        parse_shape(text)


def test_command_line_shapes_win(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.torchport.input-shapes]\nNet = [8, 1, 10, 10]\n", "model.py": MNIST})
    result = summary(tmp_path, "model.py::Net", ["2,1,5,5"])
    assert (result.inputs, result.input_source) == ([[2, 1, 5, 5]], "--input-shape")
    assert result.output == [2, 4, 3, 3]


def test_pyproject_table_by_class_and_by_path(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": textwrap.dedent("""
            [tool.torchport.input-shapes]
            Net = [8, 1, 10, 10]
            "pkg/model.py::Net" = "N,1,28,28"
            Other = [[1, 2], "3,4"]
        """),
        "model.py": MNIST,
        "pkg/model.py": MNIST,
    })
    by_class = summary(tmp_path, "model.py::Net")
    assert by_class.inputs == [[8, 1, 10, 10]]
    assert by_class.input_source == "pyproject.toml [tool.torchport.input-shapes] Net"
    by_path = summary(tmp_path, "pkg/model.py::Net")
    assert by_path.inputs == [["N", 1, 28, 28]]
    assert by_path.output == ["N", 4, 26, 26]


def test_malformed_pyproject_entry_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.torchport.input-shapes]\nNet = 64\n", "model.py": MNIST})
    with pytest.raises(SummaryError, match="Net"):
        summary(tmp_path, "model.py::Net")


def test_wrong_number_of_shapes_for_forward(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": MNIST})
    with pytest.raises(SummaryError, match=r"forward takes 1 tensor argument \(x\), got 2 shapes"):
        summary(tmp_path, "model.py::Net", ["1,1,5,5", "1,1,5,5"])


def test_jaxtyping_annotations(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": MNIST.replace("import torch\n", "import torch\nfrom jaxtyping import Float\n"
                                                                   "from torch import Tensor\n")
                     .replace("def forward(self, x):", 'def forward(self, x: Float[Tensor, "batch 1 28 28"]):')})
    result = summary(tmp_path, "model.py::Net")
    assert (result.inputs, result.input_source) == ([["batch", 1, 28, 28]], "jaxtyping annotations on forward")
    assert result.output == ["batch", 4, 26, 26]


def test_variadic_jaxtyping_annotation_is_not_a_shape(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": MNIST.replace("import torch\n", "import torch\nimport jaxtyping as jt\n")
                     .replace("def forward(self, x):", 'def forward(self, x: jt.Float[torch.Tensor, "*b 1 28 28"]):')})
    result = summary(tmp_path, "model.py::Net")
    assert result.input_source.startswith("the first layer")


def test_torchinfo_and_torchsummary_calls(tmp_path: Path) -> None:
    write(tmp_path, {
        "setup.py": "",
        "model.py": MNIST,
        "show.py": """
            import torchinfo
            from model import Net
            model = Net().eval()
            torchinfo.summary(model, input_size=(16, 1, 12, 12))
        """,
        "pkg2/model2.py": MNIST,
        "pkg2/show2.py": """
            from torchsummary import summary
            from model2 import Net
            summary(Net(), (1, 9, 9))
        """,
    })
    result = summary(tmp_path, "model.py::Net")
    assert result.inputs == [[16, 1, 12, 12]]
    assert result.input_source == f"torchinfo.summary(input_size=...) at {os.path.relpath(tmp_path / 'show.py')}:5"
    other = summary(tmp_path, "pkg2/model2.py::Net")
    assert other.inputs == [["N", 1, 9, 9]]
    assert other.input_source.startswith("torchsummary.summary(input_size=...) at ")


@pytest.mark.parametrize("layer, expected, source", [
    ("nn.Conv2d(1, 4, 3)", ["N", 1, "H", "W"], "conv (Conv2d)"),
    ("nn.Conv1d(2, 4, 3)", ["N", 2, "L"], "conv (Conv1d)"),
    ("nn.Linear(784, 10)", ["N", 784], "conv (Linear)"),
    ("nn.Embedding(100, 8)", ["N", "T"], "conv (Embedding)"),
    ("nn.LSTM(12, 16, batch_first=True)", ["N", "T", 12], "conv (LSTM)"),
    ("nn.LSTM(12, 16)", ["T", "N", 12], "conv (LSTM)"),
    ("nn.LayerNorm(32)", ["N", 32], "conv (LayerNorm)"),
])
def test_first_layer_gives_the_input(tmp_path: Path, layer: str, expected: list, source: str) -> None:
    write(tmp_path, {"model.py": MNIST.replace("nn.Conv2d(1, 4, 3)", layer)})
    result = summary(tmp_path, "model.py::Net")
    assert result.inputs == [expected]
    assert result.input_source == f"the first layer: {source}"


def test_input_transformed_before_any_layer_stays_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": MNIST.replace("x = self.conv(x)", "x = self.conv(x.permute(0, 3, 1, 2))")})
    result = summary(tmp_path, "model.py::Net")
    assert result.inputs == ["?"]
    assert result.input_source == "unknown: give --input-shape"


def test_a_call_seen_in_the_project(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'demo'\n",
        "model.py": MNIST,
        "train.py": """
            import torch
            from model import Net
            BATCH = 32

            def check(batch):
                return Net()(torch.randn(batch, 1, 14, 14))  # the batch size is not known here

            def main():
                model = Net().to("cpu")
                images = torch.randn(BATCH, 1, 14, 14)
                logits = model(images)
        """,
    })
    result = summary(tmp_path, "model.py::Net")
    assert result.inputs == [[32, 1, 14, 14]]
    assert result.input_source == f"the call at {os.path.relpath(tmp_path / 'train.py')}:12"
    assert result.output == [32, 4, 12, 12]


def test_a_call_with_unknown_tensors_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path, {
        "setup.cfg": "",
        "model.py": MNIST + "\n\ndef predict(batch):\n    return Net()(batch)\n",
    })
    result = summary(tmp_path, "model.py::Net")
    assert result.input_source == "the first layer: conv (Conv2d)"


def test_lightning_example_input_array(tmp_path: Path) -> None:
    write(tmp_path, {"model.py": """
        import torch
        import torch.nn as nn
        import lightning as L

        class Net(L.LightningModule):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(20, 5)
                self.example_input_array = torch.zeros(8, 20)

            def forward(self, x):
                return self.fc(x)
    """})
    result = summary(tmp_path, "model.py::Net")
    assert (result.inputs, result.input_source, result.output) == ([[8, 20]], "example_input_array", [8, 5])
