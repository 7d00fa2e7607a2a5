"""The reader against real Keras: for every model under tests/keras/models/, Keras 3 (torch backend)
builds it and every layer's name, class, output shape, count_params and trainable params, in
`model.layers` order, must equal what the reader read from the source without running it."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from torchport.keras.layers import LAYERS, REQUIRED
from torchport.keras.model import KerasModel
from torchport.keras.reader import find_model, read_models

pytest.importorskip("torch")  # Keras's backend here; skipped where torch is absent or hidden (--without-torch)
pytest.importorskip("keras")
from tests.keras import keras_oracle  # noqa: E402 - imports keras, after the skips

MODELS = Path(__file__).parent / "models"

# (file, model name): every layer of the common set and every style the reader knows.
CASES = [
    ("cnn_sequential.py", "model"),
    ("mlp_functional.py", "build_model"),
    ("seq_input_shape.py", "model"),
    ("seq_add_conv1d.py", "model"),
    ("seq_build.py", "model"),
    ("functional_multi_io.py", "model"),
    ("functional_shared.py", "siamese"),
    ("subclass_mlp.py", "Classifier"),
    ("subclass_multi_input.py", "TwoTower"),
    ("subclass_two_args.py", "Scorer"),
    ("conv_padding.py", "model"),
    ("conv_transpose.py", "decoder"),
    ("text_cnn.py", "build_text_cnn"),
    ("lstm_stack.py", "model"),
    ("gru_rnn.py", "model"),
    ("bidirectional.py", "model"),
    ("return_state.py", "encoder"),
    ("transformer_block.py", "block"),
    ("batchnorm.py", "model"),
    ("resnet_blocks.py", "build_resnet"),
    ("comprehension.py", "mlp"),
    ("dense_3d.py", "model"),
    ("gated.py", "build_gated"),
    ("subclass_text.py", "SentimentModel"),
    ("seq_input_dim.py", "first"),
    ("seq_inputlayer.py", "model"),
    ("mha_keywords.py", "model"),
    ("mobile_blocks.py", "mobile"),
    ("sequence_extras.py", "build_seq2seq"),
    ("frozen.py", "model"),
    ("nested_models.py", "model"),
    ("bidirectional_states.py", "model"),
    ("conv1d_transpose.py", "decoder"),
    ("volumes.py", "model"),
]


def _reader_layers(model: KerasModel) -> list[keras_oracle.OracleLayer]:
    return [keras_oracle.OracleLayer(layer.name, layer.type, layer.output_shape, layer.params,
                                     layer.trainable_params) for layer in model.layers]


@pytest.mark.parametrize(("file", "name"), CASES, ids=[f"{f}::{n}" for f, n in CASES])
def test_reader_matches_keras(file: str, name: str) -> None:
    path = MODELS / file
    read = find_model(read_models(path), name)
    built = keras_oracle.build(path, name)
    assert _reader_layers(read) == keras_oracle.layers(built)
    assert read.notes == ()
    assert read.total_params == built.count_params()
    for layer in read.layers:
        if layer.wrapped is not None:  # the inner layer's count (Bidirectional: one direction's)
            wrapper = built.get_layer(layer.name)
            inner = getattr(wrapper, "forward_layer", None) or wrapper.layer
            assert layer.wrapped.params == inner.count_params()
    if read.style != "subclass":  # a subclassed model has no inputs/outputs graph in Keras
        assert [i.shape for i in read.inputs] == [tuple(t.shape) for t in built.inputs]
        assert list(read.outputs) == [t._keras_history.operation.name for t in built.outputs]
    if read.style == "functional":  # each call of each layer reads what Keras's node reads (shared layers)
        for layer in read.layers:
            # the reader keeps MultiHeadAttention's inputs in call order (query, value, key), Keras by keyword
            order = sorted if layer.type == "MultiHeadAttention" else list
            assert [order((ref.layer, ref.call, ref.index or 0) for ref in call.inputs) for call in layer.calls] == \
                [order(_history(t) for t in keras_oracle.keras.tree.flatten(node.input_tensors))
                 for node in built.get_layer(layer.name)._inbound_nodes], layer.name  # noqa: SLF001
        assert [(ref.layer, ref.call, ref.index or 0) for ref in read.output_tensors()] == \
            [_history(t) for t in built.outputs]


def _history(tensor: object) -> tuple[str, int, int]:
    """Keras's link from a tensor to the call that produced it: (layer, its call, which output)."""
    history = tensor._keras_history  # type: ignore[attr-defined]  # noqa: SLF001
    return history.operation.name, history.node_index, history.tensor_index


def test_every_model_file_is_checked() -> None:
    assert sorted(p.name for p in MODELS.glob("*.py")) == sorted({f for f, _ in CASES})


def test_keras_applications_mobilenet_source_is_read_layer_by_layer() -> None:
    """A real-world file: keras.applications' own MobileNet source (a helper function per block,
    names built with `%`, imports inside keras). Its input shape comes from a call the reader does not
    follow, so only names, classes and order are compared: all 90 layers. (DenseNet121's 428 match too,
    but Keras takes seconds to build it.)"""
    from keras.src.applications import mobilenet

    read = find_model(read_models(Path(mobilenet.__file__)), "MobileNet")
    keras_oracle.keras.backend.clear_session()
    built = keras_oracle.keras.applications.MobileNet(weights=None, alpha=0.25)  # alpha changes no name
    expected = [(layer.name, type(layer).__name__) for layer in built.layers
                if not isinstance(layer, keras_oracle.keras.layers.InputLayer)]
    assert [(layer.name, layer.type) for layer in read.layers] == expected
    assert len(expected) == 90


def test_the_layer_table_has_keras_signatures() -> None:
    """Parameter names, order (positional arguments are read by it) and defaults, for every layer."""
    for name, spec in LAYERS.items():
        parameters = inspect.signature(getattr(keras_oracle.keras.layers, name)).parameters.values()
        expected = [(p.name, REQUIRED if p.default is p.empty else p.default) for p in parameters
                    if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        assert list(spec.signature) == expected, name


def test_every_layer_of_the_table_is_checked_against_keras() -> None:
    read = [model for file, _ in CASES for model in read_models(MODELS / file)]
    types = {layer.type for model in read for layer in model.layers}
    types |= {layer.wrapped.type for model in read for layer in model.layers if layer.wrapped}
    assert set(LAYERS) <= types
