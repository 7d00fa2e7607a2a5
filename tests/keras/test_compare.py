"""`torchport compare`: Keras/PyTorch model pairs with planted differences (tests/keras/pairs/manifest.toml).

The report must list exactly the manifest's differences and convention notes. Each port is also checked by
the torch oracle (built on the meta device and run on the input compare chose: every layer's output shape
and the parameter count), and each Keras model's parameter count by real Keras where it can be imported.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from torchport.advisor import compare as command
from torchport.advisor.cli import CommandError
from torchport.advisor.sources import parse_file
from torchport.advisor.summarize import select_models
from torchport.advisor.target import Target
from torchport.keras.compare import Comparison, align, compare, convention_count, same_padding
from torchport.keras.compare_kinds import KINDS
from torchport.keras.compare_render import render_rich
from torchport.keras.compare_units import Unit
from torchport.keras.layouts import BATCH_MAJOR, CHANNELS_FIRST, TIME_MAJOR, to_torch
from torchport.keras.reader import find_model, read_models

PAIRS = Path(__file__).parent / "pairs"
MANIFEST: dict[str, dict[str, Any]] = tomllib.loads((PAIRS / "manifest.toml").read_text())
BATCH = 2  # the batch size the oracle runs with


def _compare(name: str) -> Comparison:
    keras = find_model(read_models(PAIRS / f"keras_{name}.py"), None)
    path = PAIRS / f"torch_{name}.py"
    module = parse_file(str(path), path.stem)
    class_name = MANIFEST[name].get("torch_class")
    [cls] = select_models(module, class_name)
    return compare(keras, path, module, cls, Target(str(path), class_name))


_CACHE: dict[str, Comparison] = {}


def comparison(name: str) -> Comparison:
    if name not in _CACHE:
        _CACHE[name] = _compare(name)
    return _CACHE[name]


def _layer(keras: str | None, torch: str | None) -> str:
    return (keras or torch or "?").split(" ")[0]


def test_there_are_at_least_twelve_pairs_half_of_them_with_planted_differences() -> None:
    assert len(MANIFEST) >= 12
    assert sum(bool(entry["differences"]) for entry in MANIFEST.values()) >= 6
    for name in MANIFEST:
        assert (PAIRS / f"keras_{name}.py").is_file() and (PAIRS / f"torch_{name}.py").is_file()
    kinds = {entry.split(" ")[0] for e in MANIFEST.values() for entry in e["differences"] + e["conventions"]}
    assert kinds <= set(KINDS)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_report_lists_exactly_the_planted_differences(name: str) -> None:
    result = comparison(name)
    found = sorted(f"{d.kind} {_layer(d.keras, d.torch)}" for d in result.differences if d.info.severity != "info")
    notes = sorted(f"{d.kind} {_layer(d.keras, d.torch)}" for d in result.differences if d.info.severity == "info")
    assert found == sorted(MANIFEST[name]["differences"])
    assert notes == sorted(MANIFEST[name]["conventions"])
    assert result.equivalent == (not MANIFEST[name]["differences"])


def _concrete(nesting: Any) -> Any:
    """The interpreter's nesting with the batch symbol at the oracle's batch size, lists as the oracle's tuples."""
    if isinstance(nesting, list) and all(isinstance(d, (int, str)) for d in nesting):
        return tuple(BATCH if d == "N" else d for d in nesting)
    if isinstance(nesting, list):
        return [_concrete(item) for item in nesting]
    return nesting


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_torch_side_is_what_torch_computes(name: str) -> None:
    pytest.importorskip("torch")
    from tests.support.torch_oracle import forward_error, run_model

    result = comparison(name)
    inputs = [_concrete(shape) for shape in result.torch_inputs]
    assert all(isinstance(d, int) for shape in inputs for d in shape), inputs  # the Keras shape, translated
    dtypes = [MANIFEST[name].get("dtype", "float32")] * len(inputs)
    if MANIFEST[name].get("torch_raises"):
        assert forward_error(PAIRS / f"torch_{name}.py", result.torch_class, inputs=inputs, dtypes=dtypes)
        return
    oracle = run_model(PAIRS / f"torch_{name}.py", result.torch_class, inputs=inputs, dtypes=dtypes)
    assert oracle.total_params == result.torch_total
    layers = [row.torch for row in result.rows if row.torch is not None and row.torch.module]
    assert layers
    for unit in layers:
        assert oracle.layers[unit.module].calls[0] == _concrete(unit.output), unit.label
        assert oracle.layers[unit.module].own_params == unit.params, unit.label


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_the_keras_side_counts_params_as_keras(name: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from tests.keras import keras_oracle

    result = comparison(name)
    model = keras_oracle.build(PAIRS / f"keras_{name}.py", result.keras.name)
    assert model.count_params() == result.keras_total


# ------------------------------------------------------------------------------------- the command

def _run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    code = command.run(parser.parse_args(list(argv)))
    return code, capsys.readouterr().out


def test_exit_codes_say_whether_the_models_are_equivalent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(str(PAIRS / "keras_cnn.py"), str(PAIRS / "torch_cnn.py"), capsys=capsys)
    assert code == 0 and "Equivalent up to framework conventions (1 convention note)" in out
    code, out = _run(str(PAIRS / "keras_wrong_kernel.py"), str(PAIRS / "torch_wrong_kernel.py::ConvNet"),
                     capsys=capsys)
    assert code == 1 and "different-kernel" in out and "Different: 1 error." in out


def test_json_has_rows_and_differences(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(str(PAIRS / "keras_stride_padding.py"), str(PAIRS / "torch_stride_padding.py"),
                     "--format", "json", capsys=capsys)
    data = json.loads(out)
    assert code == 1 and data["equivalent"] is False
    assert data["keras"]["inputs"] == [[None, 64, 64, 3]] and data["torch"]["inputs"] == [["N", 3, 64, 64]]
    first = data["rows"][0]
    assert first["keras"]["output"] == [None, 32, 32, 32] and first["torch"]["output"] == ["N", 32, 64, 64]
    assert first["torch"]["module"] == "body.0" and first["differences"] == ["different-stride"]
    assert [(d["kind"], d["severity"], d["line"]) for d in data["differences"]] == [
        ("different-stride", "error", 11), ("different-padding", "error", 13)]
    assert data["differences"][1]["detail"] == ("padding='same' in Keras, padding=(0, 0) in the port "
                                              "(Keras's 'same' here is padding=1)")


@pytest.mark.parametrize("width", [80, 140])
def test_the_table_fits_the_terminal(width: int) -> None:
    console = Console(width=width, record=True, color_system=None)
    render_rich(comparison("activation_dropout"), console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    assert "dense (Dense)" in text and "fc1 (Linear)" in text and "(None, 64)" in text and "(N, 64)" in text
    header = next(line for line in text.splitlines() if "Keras layer" in line)
    assert ("Keras layer ‖ torch layer" in header) == (width < 110)
    assert "[2] different-rate (warning) dropout (Dropout) ↔ F.dropout (line 16): rate=0.5 in Keras, p=0.2 in the " \
           "port." in " ".join(text.split())


def test_usage_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = tmp_path / "two.py"
    two.write_text("import keras\nfrom keras import layers\n"
                   "a = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])\n"
                   "b = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])\n")
    with pytest.raises(CommandError, match=r"two\.py: several Keras models, name one of: a, b"):
        _run(str(two), str(PAIRS / "torch_mlp.py"), capsys=capsys)
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "none.py"), str(PAIRS / "torch_mlp.py"), capsys=capsys)
    with pytest.raises(CommandError, match="no nn.Module class 'Nope'"):
        _run(str(two) + "::a", str(PAIRS / "torch_mlp.py::Nope"), capsys=capsys)
    code, _ = _run(str(two) + "::b", str(PAIRS / "torch_mlp.py"), capsys=capsys)
    assert code == 1  # b is not ChurnMLP: different units, and more


# ------------------------------------------------------------------------------------ the pieces

def _unit(key: str, **attrs: Any) -> Unit:
    return Unit(key, f"{key}_{attrs.get('units', '')}", key, 1, attrs=attrs, spelled={a: a for a in attrs})


def test_alignment_pairs_the_layer_whose_arguments_agree() -> None:
    keras = [_unit("dense", units=128), _unit("dense", units=6)]
    torch = [_unit("dense", units=128), _unit("dense", units=128), _unit("dense", units=6)]
    rows = align(keras, torch)
    assert [(r.keras is not None, r.torch is not None) for r in rows] == [(True, True), (False, True), (True, True)]
    assert rows[2].keras is keras[1] and rows[2].torch is torch[2]


def test_padding_equivalences() -> None:
    def same(keras_padding: str, torch_padding: Any, kernel: tuple[int, ...] = (3, 3), key: str = "conv2d") -> bool:
        return same_padding(_unit(key, padding=keras_padding, kernel=kernel), _unit(key, padding=torch_padding))

    assert same("same", (1, 1)) and same("same", "same") and same("valid", (0, 0)) and same("valid", "valid")
    assert not same("same", (0, 0)) and not same("valid", (1, 1)) and not same("same", (1, 1), kernel=(5, 5))
    assert same("same", "valid", kernel=(1, 1))  # a 1x1 kernel pads nothing either way
    assert not same("same", (1, 1), kernel=(4, 4))  # an even kernel cannot be padded symmetrically
    assert same("valid", ("floor", (0, 0)), kernel=(2, 2), key="pool2d")
    assert not same("valid", ("ceil", (0, 0)), kernel=(2, 2), key="pool2d")


def test_layouts_and_conventions() -> None:
    assert to_torch((None, 28, 28, 1), CHANNELS_FIRST) == (None, 1, 28, 28)
    assert to_torch((None, 100, 64), TIME_MAJOR) == (100, None, 64)
    assert to_torch((None, 100, 64), BATCH_MAJOR) == (None, 100, 64)
    lstm = Unit("lstm", "lstm", "LSTM", 1, attrs={"units": 64, "bidirectional": True}, params=2 * 49408)
    assert convention_count(lstm) == 2 * 49408 + 2 * 4 * 64
    gru = Unit("gru", "gru", "GRU", 1, attrs={"units": 32, "reset_after": False}, params=9312)
    assert convention_count(gru) == 9312 + 3 * 32
    assert convention_count(Unit("gru", "gru", "GRU", 1, attrs={"units": 32}, params=9408)) is None


def _compare_texts(tmp_path: Path, keras_text: str, torch_text: str) -> Comparison:
    (tmp_path / "keras_model.py").write_text(keras_text)
    (tmp_path / "torch_model.py").write_text(torch_text)
    keras = find_model(read_models(tmp_path / "keras_model.py"), None)
    module = parse_file(str(tmp_path / "torch_model.py"), "torch_model")
    [cls] = select_models(module, None)
    return compare(keras, tmp_path / "torch_model.py", module, cls, Target(str(tmp_path / "torch_model.py")))


KERAS_MLP = """import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(32, activation="relu"), layers.Dense(4)])
"""


def test_a_keras_argument_not_read_still_claims_a_missing_layer(tmp_path: Path) -> None:
    """A reader note on one layer's argument (its kind is "layer") leaves the graph complete: the layers and
    their connections are known, so a layer the port lacks is still a missing layer."""
    keras_text = KERAS_MLP.replace("layers.Dense(32,", "layers.Dense(WIDTH,")
    keras_text = keras_text.replace("model =", "from config import WIDTH\nmodel =")
    result = _compare_texts(tmp_path, keras_text, """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.d1 = nn.Linear(10, 32)

    def forward(self, x):
        return torch.relu(self.d1(x))
""")
    assert [note.kind for note in result.keras.notes] == ["layer"]
    assert result.complete and [(d.kind, d.keras) for d in result.differences] == [("missing-layer", "dense_1 (Dense)")]


def test_a_port_not_followed_claims_no_missing_layer(tmp_path: Path) -> None:
    result = _compare_texts(tmp_path, KERAS_MLP, """import torch
from torch import nn
import somewhere


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.d1 = nn.Linear(10, 32)
        self.mystery = somewhere.Block()
        self.d2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.d2(self.mystery(torch.relu(self.d1(x))))
""")
    assert not result.complete and result.differences == []
    assert [(row.keras.label if row.keras else None, row.torch.label if row.torch else None) for row in result.rows] \
        == [("dense (Dense)", "d1 (Linear)"), ("dense activation='relu'", "torch.relu (line 14)"),
            ("dense_1 (Dense)", "d2 (Linear)")]
    assert any("not followed to the end" in note for note in result.notes)


def test_a_keras_layer_compare_does_not_know_claims_no_extra_layer(tmp_path: Path) -> None:
    keras_text = KERAS_MLP.replace('layers.Dense(4)', 'layers.ReLU(threshold=0.5), layers.Dense(4)')
    result = _compare_texts(tmp_path, keras_text, """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.d1 = nn.Linear(10, 32)
        self.d2 = nn.Linear(32, 4)

    def forward(self, x):
        return self.d2(torch.nn.functional.threshold(torch.relu(self.d1(x)), 0.5, 0.0))
""")
    assert not result.complete and result.differences == []


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_torchport_port_of_each_keras_model_compares_equivalent(name: str, tmp_path: Path) -> None:
    """`torchport port` writes the module for the Keras model; compare finds no difference (a cross-check of
    both: one writes the torch layers, the other reads them back)."""
    from torchport.keras.port import port

    keras = comparison(name).keras
    ported = port(keras)
    path = tmp_path / f"ported_{name}.py"
    path.write_text(ported.source)
    module = parse_file(str(path), path.stem)
    [cls] = select_models(module, ported.class_name)
    result = compare(keras, path, module, cls, Target(str(path)))
    assert result.complete and result.equivalent, [(d.kind, d.keras, d.detail) for d in result.differences]


def test_log_softmax_for_nll_loss_is_a_convention(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(str(PAIRS / "keras_nll_loss.py"), str(PAIRS / "torch_nll_loss.py::ActivityNetLogSoftmax"),
                     "--format", "json", capsys=capsys)
    assert code == 0
    assert [(d["kind"], d["severity"]) for d in json.loads(out)["differences"]] == [("log-softmax-output", "info")]


def test_an_rnn_with_num_layers_stands_for_stacked_keras_layers(tmp_path: Path) -> None:
    result = _compare_texts(tmp_path, """import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(50, 16)), layers.LSTM(32, return_sequences=True), layers.LSTM(32),
                          layers.Dense(3)])
""", """import torch
from torch import nn


class Stacked(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True)
        self.fc = nn.Linear(32, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])
""")
    assert [(row.keras.label, row.torch.label) for row in result.rows if row.keras and row.torch] == [
        ("lstm (LSTM)", "lstm (LSTM) layer 1/2"), ("lstm_1 (LSTM)", "lstm (LSTM) layer 2/2"),
        ("dense (Dense)", "fc (Linear)")]
    assert result.complete and result.differences == []


def test_a_reshape_to_another_shape_is_a_different_shape(tmp_path: Path) -> None:
    result = _compare_texts(tmp_path, """import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(32,)), layers.Reshape((4, 8)), layers.Dense(2)])
""", """import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x.view(x.shape[0], 8, 4))
""")
    assert [(d.kind, d.keras, d.detail) for d in result.differences] == [
        ("different-shape", "reshape (Reshape)",
         "Keras (None, 4, 8) is (None, 4, 8) in torch's layout; the port gives (N, 8, 4)")]


# ---------------------------------------------------------------------------------- the display order

KERAS_CNN = """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(10),
])
"""
TORCH_CNN = """import torch
from torch import nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.norm = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(1352, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.norm(self.conv(x))))
        return self.fc(torch.flatten(x, 1))
"""
# the Keras model's order, each activation= after its layer; the port's extra BatchNorm after the conv it follows
SHOWN = [("conv2d (Conv2D)", "conv (Conv2d)"), (None, "norm (BatchNorm2d)"),
         ("conv2d activation='relu'", "F.relu (line 15)"), ("max_pooling2d (MaxPooling2D)", "pool (MaxPool2d)"),
         ("flatten (Flatten)", "torch.flatten (line 16)"), ("dense (Dense)", "fc (Linear)")]


def test_rows_are_shown_in_the_keras_models_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Alignment puts relu after the max pooling (they commute); the rows, the JSON and both tables follow the
    Keras model instead, and a layer of the port alone comes right after the port's layer before it."""
    result = _compare_texts(tmp_path, KERAS_CNN, TORCH_CNN)
    assert [(row.keras.label if row.keras else None, row.torch.label if row.torch else None)
            for row in result.rows] == SHOWN
    assert [(d.kind, d.torch) for d in result.differences] == [("extra-layer", "norm (BatchNorm2d)")]
    _, out = _run(str(tmp_path / "keras_model.py"), str(tmp_path / "torch_model.py"), "--format", "json",
                  capsys=capsys)
    rows = json.loads(out)["rows"]
    assert [((r["keras"] or {}).get("name"), (r["torch"] or {}).get("name")) for r in rows] == SHOWN
    assert rows[1]["differences"] == ["extra-layer"]
    for width in (80, 140):
        console = Console(width=width, record=True, color_system=None)
        render_rich(result, console)
        text = console.export_text()
        keras_places = [text.index(label.partition(" ")[2] if "activation" in label else label)
                        for label, _ in SHOWN if label]
        torch_places = [text.index(label) for _, label in SHOWN]
        assert keras_places == sorted(keras_places) and torch_places == sorted(torch_places), text


def test_an_extra_activation_of_the_port_is_shown_where_the_port_applies_it(tmp_path: Path) -> None:
    """Alignment moves relu past the pooling and the flatten it commutes with; the row stays after the conv."""
    torch_text = TORCH_CNN.replace("self.pool(F.relu(self.norm(self.conv(x))))", "self.pool(F.relu(self.conv(x)))")
    result = _compare_texts(tmp_path, KERAS_CNN.replace(', activation="relu"', ""),
                            torch_text.replace("        self.norm = nn.BatchNorm2d(8)\n", ""))
    assert [(row.keras.label if row.keras else None, row.torch.label if row.torch else None)
            for row in result.rows][:3] == [("conv2d (Conv2D)", "conv (Conv2d)"), (None, "F.relu (line 14)"),
                                            ("max_pooling2d (MaxPooling2D)", "pool (MaxPool2d)")]
    assert [(d.kind, d.torch) for d in result.differences] == [("different-activation", "F.relu (line 14)")]


def _pairs() -> dict[str, Comparison]:
    return {f"pairs/{name}": _compare(name) for name in sorted(MANIFEST)}


def _round_trips(folder: Path) -> dict[str, Comparison]:
    """Every model of tests/keras/models and port_models compared with its own port."""
    from torchport.keras.port import port

    found = {}
    for directory in ("models", "port_models"):
        for source in sorted((Path(__file__).parent / directory).glob("*.py")):
            for model in read_models(source):
                ported = port(model)
                path = folder / f"{directory}_{source.stem}_{model.name}.py"
                path.write_text(ported.source)
                module = parse_file(str(path), path.stem)
                [cls] = select_models(module, ported.class_name)
                found[f"{directory}/{source.stem}::{model.name}"] = compare(model, path, module, cls,
                                                                           Target(str(path), ported.class_name))
    return found


def _facts(result: Comparison) -> tuple[Any, ...]:
    """Everything a comparison says but the order of its rows."""
    def label(unit: Unit | None) -> str:
        return unit.label if unit is not None else "—"

    rows = sorted((label(r.keras), label(r.torch), repr(r.differences)) for r in result.rows)
    return rows, sorted(map(repr, result.differences)), result.equivalent, result.complete, result.notes, \
        result.keras_total, result.torch_total


def test_the_display_order_changes_no_row_and_no_difference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over every pair and every round trip: the same rows (each with the same differences) and the same
    differences, verdict and counts as in the alignment's own order; only the order differs, in some."""
    shown = {**_pairs(), **_round_trips(tmp_path)}
    monkeypatch.setattr("torchport.keras.compare.display_order", lambda rows, *_: rows)
    aligned = {**_pairs(), **_round_trips(tmp_path)}
    assert len(shown) >= 70
    for case, result in shown.items():
        assert _facts(result) == _facts(aligned[case]), case
    reordered = [case for case in shown if [(r.keras, r.torch) for r in shown[case].rows]
                 != [(r.keras, r.torch) for r in aligned[case].rows]]
    assert "pairs/cnn" in reordered and "models/cnn_sequential::model" in reordered
