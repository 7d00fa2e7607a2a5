"""`torchport port`: the PyTorch module written for a Keras model.

Round trip, for every model under tests/keras/models/ and tests/keras/port_models/: the reader reads
it, `port` writes the torch module; the module parses, pylint -E and `torchport check` find nothing,
torch builds and runs it on the meta device with the Keras input shape translated (batch 2) and gets
the Keras output shape translated, and its parameter count is real Keras's up to the documented
conventions (LSTM/GRU/RNN second bias, BatchNorm moving statistics). The unit tests below build
KerasModel records by hand and need neither torch nor keras.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from torchport.advisor.checking import check_paths
from torchport.advisor.cli import main
from torchport.advisor.sources import parse_file
from torchport.advisor.summarize import select_models
from torchport.advisor.target import Target
from torchport.keras.compare import compare
from torchport.keras.compare_kinds import is_difference
from torchport.keras.model import KerasInput, KerasLayer, KerasModel, Shape
from torchport.keras.port import Ported, PortedTensor, port
from torchport.keras.layouts import CHANNELS_FIRST
from torchport.keras.port_layers import RULES
from torchport.keras.reader import read_models

HERE = Path(__file__).parent
MODEL_DIRS = (HERE / "models", HERE / "port_models")
UNKNOWN_DIM = 7  # the size given to a dim Keras leaves open (a sequence length)


def _cases() -> Iterator[tuple[Path, KerasModel]]:
    for folder in MODEL_DIRS:
        for path in sorted(folder.glob("*.py")):
            for model in read_models(path):
                yield path, model


CASES = {f"{path.parent.name}/{path.stem}::{model.name}": (path, model) for path, model in _cases()}
# torchport's own models, built by real Keras: each exercises entries of the table (port_layers.RULES)
LIVE_CASES = {case: (path, model.name) for case, (path, model) in CASES.items() if path.parent.name == "port_models"
              and "lambda" not in model.name}


@pytest.fixture(scope="module")
def ported_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Ported, Path]]:
    """Every case ported, each written to its own file in one folder (for one pylint and one check run)."""
    folder = tmp_path_factory.mktemp("ported")
    result = {}
    for index, (case, (_, model)) in enumerate(CASES.items()):
        ported = port(model)
        file = folder / f"ported_{index}.py"
        file.write_text(ported.source)
        result[case] = (ported, file)
    return result


# pylint -E with torch hidden from astroid: inferring through torch's sources costs ~1.5 s of CPU per
# ported model (measured: 23 s for 16), which the torch round trip makes redundant (it runs every name)
_HIDE_TORCH = f"import sys; sys.path.insert(0, {str(HERE.parent.parent)!r}); " \
              "from tests.support.hide_torch import hide_torch; hide_torch()"


@pytest.fixture(scope="module")
def pylint_errors(ported_files: dict[str, tuple[Ported, Path]]) -> str:
    files = [str(file) for _, file in ported_files.values()]
    command = [sys.executable, "-m", "pylint", "-E", "--score=n", "--disable=import-error",
               f"--init-hook={_HIDE_TORCH}", *files]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode & (1 | 32) == 0, completed.stdout + completed.stderr  # fatal, usage error
    assert "Traceback" not in completed.stderr, completed.stderr
    return completed.stdout


@pytest.mark.parametrize("case", CASES)
def test_ported_code_is_clean(case: str, ported_files: dict[str, tuple[Ported, Path]], pylint_errors: str) -> None:
    ported, file = ported_files[case]
    compile(ported.source, str(file), "exec")
    assert file.name not in pylint_errors, pylint_errors
    assert [f"{d.line}: {d.message}" for d in check_paths([str(file)]).diagnostics] == []
    assert f"class {ported.class_name}(nn.Module):" in ported.source


def test_enough_models_are_ported_whole() -> None:
    """The round trip below skips models not read or ported whole; most models must be (38 of 50 now)."""
    whole = [case for case, (_, model) in CASES.items() if _runnable(model, port(model))]
    assert len(whole) >= 0.7 * len(CASES), sorted(set(CASES) - set(whole))


def _runnable(model: KerasModel, ported: Ported) -> bool:
    return not model.notes and not ported.untranslated


@pytest.mark.parametrize("case", CASES)
def test_port_compares_equivalent_to_its_original(case: str, ported_files: dict[str, tuple[Ported, Path]]) -> None:
    """`torchport compare` finds no difference between a Keras model and its port beyond the framework
    conventions (a shared layer called once, a layer dropped, a layout or padding lost would be one), unless
    the port itself names the difference (a TODO)."""
    _, model = CASES[case]
    ported, file = ported_files[case]
    if not _runnable(model, ported) or ported.notes:
        pytest.skip(f"not read or ported whole, or with a documented difference: {(*model.notes, *ported.notes)}")
    module = parse_file(str(file), file.stem)
    [cls] = select_models(module, ported.class_name)
    comparison = compare(model, file, module, cls, Target(str(file), ported.class_name))
    assert comparison.complete, comparison.notes
    assert [(d.kind, d.keras, d.torch, d.detail) for d in comparison.differences if is_difference(d.kind)] == []


# ------------------------------------------------------------------ the round trip through torch and Keras

@pytest.fixture(scope="module")
def oracles() -> tuple[Any, Any]:
    torch_oracle = pytest.importorskip("tests.support.torch_oracle")
    keras_oracle = pytest.importorskip("tests.keras.keras_oracle")
    return torch_oracle, keras_oracle


_built: dict[tuple[Path, str], Any] = {}


def _keras_model(path: Path, name: str, keras_oracle: Any) -> Any:
    """Each Keras model built once (~0.7 s of CPU each): both round trips use it, neither changes it."""
    if (path, name) not in _built:
        _built[(path, name)] = keras_oracle.build(path, name)
    return _built[(path, name)]


@pytest.mark.parametrize("case", CASES)
def test_round_trip(case: str, oracles: tuple[Any, Any]) -> None:
    """The model as torchport's reader reads it."""
    path, model = CASES[case]
    ported = port(model)
    if not _runnable(model, ported):
        pytest.skip(f"not read or ported whole: {(*model.notes, *ported.notes)}")
    keras_model = _keras_model(path, model.name, oracles[1])
    if hasattr(keras_model, "inputs"):  # a subclass model has none: the reader's shapes are all there is
        assert [tensor.keras_shape for tensor in ported.inputs] == [tuple(t.shape) for t in keras_model.inputs]
    _check_in_torch(path, ported, keras_model, oracles)


@pytest.mark.parametrize("case", LIVE_CASES)
def test_round_trip_of_every_table_entry(case: str, oracles: tuple[Any, Any]) -> None:
    """The model as real Keras built it (configs, connections, shapes), so that every table entry is
    checked, including layers the reader does not read yet."""
    path, name = LIVE_CASES[case]
    keras_model = _keras_model(path, name, oracles[1])
    ported = port(_record(keras_model, name, oracles[1].keras))
    assert not ported.untranslated, ported.notes
    _check_in_torch(path, ported, keras_model, oracles)


def _check_in_torch(path: Path, ported: Ported, keras_model: Any, oracles: tuple[Any, Any]) -> None:
    """The port runs on the meta device with Keras's input shapes translated (batch 2) and returns Keras's
    output shapes translated; its parameter count is Keras's up to the documented conventions."""
    torch_oracle, keras_oracle = oracles
    torch, keras = torch_oracle.torch, keras_oracle.keras
    shapes = [_concrete(tensor.keras_shape) for tensor in ported.inputs]
    specs = [keras.KerasTensor(shape, dtype=tensor.dtype) for shape, tensor in zip(shapes, ported.inputs)]
    several = len(specs) > 1 and len(_tensor_parameters(keras_model)) > 1  # call(self, a, b), not call(self, [a, b])
    keras_outputs = keras_model.compute_output_spec(*specs) if several else \
        keras_model.compute_output_spec(specs[0] if len(specs) == 1 else specs)
    keras_outputs = list(keras_outputs) if isinstance(keras_outputs, (list, tuple)) else [keras_outputs]

    namespace = torch_oracle.load_namespace(path.with_name(f"ported_{path.stem}.py"), ported.source)
    torch_model = torch_oracle.build(namespace[ported.class_name])
    inputs = torch_oracle.meta_inputs([_translate(shape, tensor) for shape, tensor in zip(shapes, ported.inputs)],
                                      [tensor.dtype for tensor in ported.inputs])
    with torch.no_grad():
        outputs = torch_model.eval()(*inputs)
    outputs = list(outputs) if isinstance(outputs, tuple) else [outputs]
    assert len(outputs) == len(keras_outputs) == len(ported.outputs)
    for output, keras_output, tensor in zip(outputs, keras_outputs, ported.outputs):
        assert tuple(output.shape) == _translate(tuple(keras_output.shape), tensor)

    if ported.notes:  # a documented difference (MultiHeadAttention's projection size): no count to compare
        return
    torch_count = sum(p.numel() for p in torch_model.parameters())
    assert torch_count == keras_model.count_params() + sum(_convention(layer) for layer in keras_model.layers)
    trainable = sum(p.numel() for p in torch_model.parameters() if p.requires_grad)  # frozen layers stay frozen
    keras_trainable = sum(_size(w) for w in keras_model.trainable_weights)
    assert trainable == keras_trainable + sum(_convention(layer, trainable=True) for layer in keras_model.layers)


def _tensor_parameters(keras_model: Any) -> list[str]:
    """The parameters of a model's `call` without a default: the tensors it takes."""
    parameters = inspect.signature(keras_model.call).parameters.values()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.default is p.empty and p.kind in positional]


def _record(keras_model: Any, name: str, keras: Any) -> KerasModel:
    """The KerasModel record of a model real Keras built: what a perfect reader would return."""

    def source(tensor: Any) -> str:
        return tensor._keras_history.operation.name  # noqa: SLF001 - Keras's own link to the producing layer

    def record(layer: Any) -> KerasLayer:
        inner = {"Bidirectional": "forward_layer", "TimeDistributed": "layer"}.get(type(layer).__name__)
        node = layer._inbound_nodes[0]  # noqa: SLF001
        outputs = [tuple(t.shape) for t in keras.tree.flatten(node.outputs)]
        return KerasLayer(layer.name, type(layer).__name__, layer.get_config(), 1,
                          tuple(source(t) for t in keras.tree.flatten(node.input_tensors)),
                          outputs[0] if len(outputs) == 1 else tuple(outputs), layer.count_params(),
                          wrapped=record_inner(getattr(layer, inner)) if inner else None)

    def record_inner(layer: Any) -> KerasLayer:
        return KerasLayer(layer.name, type(layer).__name__, layer.get_config(), 1)

    inputs = tuple(KerasInput(source(t), tuple(t.shape), t.dtype) for t in keras_model.inputs)
    layers = tuple(record(layer) for layer in keras_model.layers if type(layer).__name__ != "InputLayer")
    style = "sequential" if isinstance(keras_model, keras.Sequential) else "functional"
    return KerasModel(name, "live.py", 1, style, inputs, layers, tuple(source(t) for t in keras_model.outputs))


def _translate(shape: tuple[int, ...], tensor: PortedTensor) -> tuple[int, ...]:
    """A Keras shape in the layout the port says its tensor has (the test's own reading of 'channels first')."""
    if tensor.layout == CHANNELS_FIRST:
        return (shape[0], shape[-1], *shape[1:-1])
    return shape


def _concrete(shape: Shape | None) -> tuple[int, ...]:
    assert shape is not None, "a runnable model has a known input shape"
    return (2, *(UNKNOWN_DIM if dim is None else dim for dim in shape[1:]))


_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}


def _convention(layer: Any, trainable: bool = False) -> int:
    """torch's parameter count minus Keras's for one Keras layer (its trainable count with `trainable`), by
    the documented conventions: torch's RNNs have a second bias (Keras's GRU has it too with
    reset_after=True); Keras counts BatchNorm's moving mean and variance, torch keeps them as buffers."""
    kind = type(layer).__name__
    if kind == "Bidirectional":
        return _convention(layer.forward_layer, trainable) + _convention(layer.backward_layer, trainable)
    if kind == "TimeDistributed":
        return _convention(layer.layer, trainable)
    if kind in ("Sequential", "Functional"):  # a model used as a layer: its layers' conventions
        return sum(_convention(inner, trainable) for inner in layer.layers)
    if kind in _GATES:
        cell = layer.cell
        if not cell.use_bias or (kind == "GRU" and cell.reset_after) or (trainable and not layer.trainable):
            return 0
        return _GATES[kind] * cell.units
    if kind == "BatchNormalization" and not trainable:  # frozen or not: gamma and beta are torch parameters
        return -(_size(layer.moving_mean) + _size(layer.moving_variance))
    return 0


def _size(weight: Any) -> int:
    size = 1
    for dim in weight.shape:
        size *= dim
    return size


# ------------------------------------------------------------------ unit tests on hand-built records

def _layer(name: str, kind: str, config: dict[str, Any], shape: Shape, inputs: tuple[str, ...] = ()) -> KerasLayer:
    return KerasLayer(name, kind, config, 1, inputs, shape)


def _sequential(*layers: KerasLayer, shape: Shape = (None, 8, 8, 3)) -> KerasModel:
    return KerasModel("model", "m.py", 1, "sequential", (KerasInput("input_layer", shape),), layers, ())


def test_final_softmax_is_dropped_with_the_loss_named() -> None:
    ported = port(_sequential(_layer("dense", "Dense", {"units": 4, "activation": "softmax"}, (None, 4)),
                              shape=(None, 6)))
    assert "x = self.dense(x)\n" in ported.source
    assert "softmax(" not in ported.source.split("def forward")[1].replace("F.softmax(logits", "")
    assert "nn.CrossEntropyLoss" in ported.source


def test_softmax_of_an_output_that_another_layer_reads_is_kept() -> None:
    probabilities = _layer("probs", "Dense", {"units": 4, "activation": "softmax"}, (None, 4), ("input_layer",))
    head = _layer("head", "Dense", {"units": 2}, (None, 2), ("probs",))
    model = KerasModel("model", "m.py", 1, "functional", (KerasInput("input_layer", (None, 6)),),
                       (probabilities, head), ("probs", "head"))
    assert "probs = F.softmax(self.probs(input_layer), dim=-1)" in port(model).source


def test_hidden_softmax_is_kept_with_its_dim() -> None:
    ported = port(_sequential(
        _layer("conv", "Conv2D", {"filters": 4, "kernel_size": 1, "activation": "softmax"}, (None, 8, 8, 4)),
        _layer("flatten", "Flatten", {}, (None, 256)),
    ))
    assert "x = F.softmax(self.conv(x), dim=1)" in ported.source  # Keras's last axis is torch's channels


def test_flatten_after_a_global_pooling_has_no_feature_order_comment() -> None:
    """(N, C, 1, 1) flattens to Keras's (N, 1, 1, C) order: only a spatial size above 1 reorders the features."""
    pooled = _sequential(_layer("pool", "GlobalMaxPooling2D", {"keepdims": True}, (None, 1, 1, 3)),
                         _layer("flatten", "Flatten", {}, (None, 3)))
    assert "feature order" not in port(pooled).source
    plain = _sequential(_layer("conv", "Conv2D", {"filters": 4, "kernel_size": 1}, (None, 8, 8, 4)),
                        _layer("flatten", "Flatten", {}, (None, 256)))
    assert "feature order" in port(plain).source


def test_layout_is_converted_where_layers_disagree() -> None:
    ported = port(_sequential(
        _layer("conv", "Conv1D", {"filters": 4, "kernel_size": 3}, (None, 8, 4)),
        _layer("lstm", "LSTM", {"units": 5}, (None, 5)),
        shape=(None, 10, 2),
    ))
    assert ported.inputs[0].layout == CHANNELS_FIRST and ported.inputs[0].shape == (None, 2, 10)
    assert "x = x.permute(0, 2, 1)" in ported.source
    assert "nn.LSTM(4, 5, batch_first=True)" in ported.source


def test_untranslatable_layer_is_a_todo_and_a_note() -> None:
    ported = port(_sequential(_layer("odd", "Lambda", {}, (None, 6)), shape=(None, 6)))
    assert ported.untranslated == ("odd",)
    assert "TODO(torchport)" in ported.source and ported.notes and "odd (Lambda)" in ported.notes[0]


@pytest.mark.parametrize("kind", sorted(RULES))
def test_odd_arguments_give_a_todo_not_a_crash(kind: str) -> None:
    """Whatever the reader records (missing arguments, values of the wrong type), port writes code that
    parses and never writes such a value into it: the layer becomes a TODO instead."""
    keys = {"units", "filters", "kernel_size", "strides", "padding", "rate", "axis", "activation", "momentum",
            "epsilon", "groups", "dims", "n", "size", "target_shape", "num_heads", "key_dim", "value_dim",
            "input_dim", "output_dim", "pool_size", "alpha", "negative_slope", "max_value", "interpolation"}
    for config in ({}, dict.fromkeys(keys, "garbage")):
        ported = port(_sequential(_layer("odd", kind, config, None)))
        compile(ported.source, "ported.py", "exec")
        assert "odd" in ported.untranslated or "garbage" not in ported.source


def test_frozen_layers_stay_frozen() -> None:
    frozen = KerasLayer("dense", "Dense", {"units": 2}, 1, (), (None, 2), params=8, trainable_params=0)
    assert "self.dense.requires_grad_(False)" in port(_sequential(frozen, shape=(None, 3))).source


def test_keras_batchnorm_numbers_are_converted() -> None:
    ported = port(_sequential(_layer("bn", "BatchNormalization", {"momentum": 0.99, "epsilon": 0.001},
                                     (None, 8, 8, 3))))
    assert "nn.BatchNorm2d(3, eps=0.001, momentum=0.01)" in ported.source


def test_reserved_layer_names_are_renamed() -> None:
    ported = port(_sequential(_layer("training", "Dense", {"units": 2}, (None, 2)),
                              _layer("input", "Dense", {"units": 2}, (None, 2)), shape=(None, 3)))
    assert "self.training_ = nn.Linear(3, 2)" in ported.source and "self.input_ = " in ported.source


def test_a_subclass_models_attributes_keep_their_names() -> None:
    [model] = read_models(Path("net.py"), """
import keras


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = keras.layers.Dense(8, activation="relu")
        self.blocks = [keras.layers.Dense(8), keras.layers.Dense(2)]

    def call(self, x):
        x = self.encoder(x)
        for block in self.blocks:
            x = block(x)
        return x


net = Net()
net.build((None, 4))
""")
    source = port(model).source
    assert "self.encoder = nn.Linear(4, 8)" in source
    assert "self.blocks_0 = nn.Linear(8, 8)" in source and "self.blocks_1 = nn.Linear(8, 2)" in source
    assert "encoder = F.relu(self.encoder(x))" in source


def test_module_attribute_names_are_all_reserved(oracles: tuple[Any, Any]) -> None:
    from torchport.keras import port as port_module

    nn_names = {name for name in dir(oracles[0].torch.nn.Module) if not name.startswith("_")}
    assert nn_names <= port_module._MODULE_ATTRIBUTES  # noqa: SLF001


# ------------------------------------------------------------------ the command

def test_command_writes_the_module_and_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "net.py"
    path = HERE / "port_models" / "sequential_models.py"
    assert main(["port", f"{path}::mlp", "--output", str(output), "--class-name", "Mlp"]) == 0
    assert "class Mlp(nn.Module):" in output.read_text()
    assert main(["port", f"{path}::with_lambda"]) == 0
    captured = capsys.readouterr()
    assert "class WithLambda(nn.Module):" in captured.out
    assert "torchport: note:" in captured.err


@pytest.mark.parametrize(("target", "error"), [
    ("sequential_models.py", "several Keras models, name one of: mlp, added, with_lambda"),
    ("sequential_models.py::nope", "no Keras model named 'nope'"),
    ("missing.py", "no such file"),
    ("sequential_models.py::mlp(1)", "without arguments"),
])
def test_command_errors_are_one_line(target: str, error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["port", str(HERE / "port_models" / target)]) == 2
    err = capsys.readouterr().err
    assert error in err and err.count("\n") == 1


def test_command_never_overwrites_the_keras_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keras_file = tmp_path / "model.py"
    text = (HERE / "models" / "cnn_sequential.py").read_text()
    keras_file.write_text(text)
    assert main(["port", str(keras_file), "--output", str(keras_file)]) == 2
    assert keras_file.read_text() == text
    assert "is the Keras file itself" in capsys.readouterr().err


def test_command_without_a_keras_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("import torch\n")
    assert main(["port", str(plain)]) == 2
    assert "no Keras model found" in capsys.readouterr().err
