"""The Keras reader on source text: what it cannot read statically is unknown with a note, never a
guess; import styles, model names and errors. No keras or torch is needed (these run --without-torch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchport.advisor.sources import SourceError
from torchport.keras.model import KerasModel
from torchport.keras.reader import find_model, read_models

HERE = Path("model.py")


def read(text: str) -> list[KerasModel]:
    return read_models(HERE, text)


def only(text: str) -> KerasModel:
    models = read(text)
    assert len(models) == 1, [m.name for m in models]
    return models[0]


MNIST = """
model = Sequential([Input(shape=(28, 28, 1)), Conv2D(8, 3), Flatten(), Dense(10)])
"""


@pytest.mark.parametrize("header", [
    "from tensorflow import keras\nfrom tensorflow.keras.layers import Conv2D, Dense, Flatten, Input\n"
    "Sequential = keras.Sequential",
    "import keras\nfrom keras.layers import Conv2D, Dense, Flatten\nfrom keras import Input, Sequential",
    "import tensorflow.keras as K\nfrom keras import layers\nConv2D = K.layers.Conv2D\nDense = layers.Dense\n"
    "Flatten = K.layers.Flatten\nInput = K.Input\nSequential = K.models.Sequential",
    "import tensorflow as tf\nConv2D = tf.keras.layers.Conv2D\nDense = tf.keras.layers.Dense\n"
    "Flatten = tf.keras.layers.Flatten\nInput = tf.keras.Input\nSequential = tf.keras.Sequential",
    "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Conv2D, Dense, Flatten, Input",
])
def test_every_import_style_reads_the_same_model(header: str) -> None:
    model = only(header + MNIST)
    assert [(layer.name, layer.output_shape, layer.params) for layer in model.layers] == [
        ("conv2d", (None, 26, 26, 8), 80), ("flatten", (None, 5408), 0), ("dense", (None, 10), 54090)]
    assert model.notes == ()


def test_a_file_without_keras_has_no_model() -> None:
    assert read("import torch\nmodel = torch.nn.Sequential(torch.nn.Linear(2, 3))\n") == []
    assert read("") == []


def test_names_that_only_look_like_keras_are_not_read() -> None:
    text = "from mylib import Sequential, Dense  # not keras\nimport keras\nmodel = Sequential([Dense(3)])\n"
    assert read(text) == []


def test_invalid_python_is_one_line_source_error() -> None:
    with pytest.raises(SourceError) as error:
        read("import keras\nmodel = keras.Sequential([\n")
    assert "\n" not in str(error.value)


def test_a_missing_file_is_one_line_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read_models(tmp_path / "absent.py")


def test_a_file_on_disk_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n")
    [model] = read_models(path)
    assert (model.name, model.file, model.line, model.total_params) == ("m", str(path), 2, 10)


def test_a_variable_argument_is_unknown_with_a_note() -> None:
    model = only("""
import keras
def build(units):
    inputs = keras.Input(shape=(8,))
    hidden = keras.layers.Dense(units)(inputs)
    return keras.Model(inputs, keras.layers.Dense(1)(hidden))
""")
    first, second = model.layers
    assert first.unknown == ("units",) and "units" not in first.config
    assert (first.output_shape, first.params) == (None, None)
    assert (second.output_shape, second.params) == (None, None)  # its input is unknown
    assert any("could not read units" in note.text for note in model.notes)
    assert model.total_params is None


def test_a_loop_with_a_non_constant_count_makes_the_rest_unknown() -> None:
    model = only("""
import keras
def build(depth):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8)])
    for _ in range(depth):
        model.add(keras.layers.Dense(8))
    model.add(keras.layers.Dense(2))
    return model
""")
    first, last = model.layers
    assert (first.output_shape, first.params) == ((None, 8), 40)
    assert (last.output_shape, last.params) == (None, None)
    assert any("loop at line 5" in note.text for note in model.notes)


def test_a_loop_over_constants_is_unrolled() -> None:
    model = only("""
import keras
SIZES = (32, 16)
x = inputs = keras.Input((4,))
for size in SIZES:
    x = keras.layers.Dense(size)(x)
model = keras.Model(inputs, x)
""")
    assert [(layer.name, layer.params) for layer in model.layers] == [("dense", 160), ("dense_1", 528)]


def test_a_custom_layer_breaks_the_data_flow_with_a_note() -> None:
    model = only("""
import keras
from mylayers import Attention
inputs = keras.Input((10, 4))
x = keras.layers.Dense(8)(inputs)
x = Attention()(x)
outputs = keras.layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
""")
    [dense] = model.layers  # the layers before the custom one cannot be connected to the output
    assert (dense.name, dense.output_shape, dense.params) == ("dense", None, None)
    assert model.notes and "Dense" in model.notes[0].text


def test_a_condition_that_is_not_constant_is_a_note() -> None:
    model = only("""
import keras
def build(batchnorm):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8)])
    if batchnorm:
        model.add(keras.layers.BatchNormalization())
    model.add(keras.layers.Dense(2))
    return model
""")
    assert [layer.params for layer in model.layers] == [40, None]
    assert any("`if` at line 5" in note.text for note in model.notes)


def test_a_constant_condition_is_followed() -> None:
    model = only("""
import keras
def build(batchnorm=True, classes=3):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8)])
    if batchnorm and classes > 2:
        model.add(keras.layers.BatchNormalization())
    model.add(keras.layers.Dense(classes, activation="softmax" if classes > 2 else "sigmoid"))
    return model
""")
    assert [(layer.name, layer.params, layer.trainable_params) for layer in model.layers] == [
        ("dense", 40, 40), ("batch_normalization", 32, 16), ("dense_1", 27, 27)]
    assert model.layers[-1].config["activation"] == "softmax"


def test_a_sequential_without_input_has_unknown_shapes() -> None:
    model = only("import keras\nmodel = keras.Sequential([keras.layers.Embedding(100, 8), keras.layers.Dense(4)])\n")
    embedding, dense = model.layers
    assert (embedding.output_shape, embedding.params) == (None, 800)  # its count needs no input
    assert (dense.output_shape, dense.params) == (None, None)
    assert model.inputs == ()
    assert any("input shape is not given" in note.text for note in model.notes)


def test_a_subclass_without_build_has_unknown_shapes() -> None:
    model = only("""
import keras
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = keras.layers.Embedding(50, 4)
        self.out = keras.layers.Dense(1)
    def call(self, tokens):
        return self.out(self.embed(tokens))
""")
    assert (model.name, model.style, model.outputs, model.inputs) == ("Net", "subclass", ("dense",), ())
    assert [(layer.name, layer.output_shape, layer.params) for layer in model.layers] == [
        ("embedding", None, 200), ("dense", None, None)]
    assert any("input shape is not given" in note.text for note in model.notes)


def test_a_subclass_built_with_constructor_arguments() -> None:
    model = only("""
import keras
class Net(keras.Model):
    def __init__(self, units=4):
        super().__init__()
        self.hidden = [keras.layers.Dense(units) for _ in range(2)]
    def call(self, x):
        for layer in self.hidden:
            x = layer(x)
        return x
net = Net(units=3)
net.build((None, 5))
""")
    assert [(layer.name, layer.output_shape, layer.params) for layer in model.layers] == [
        ("dense", (None, 3), 18), ("dense_1", (None, 3), 12)]
    assert model.inputs[0].name == "x" and model.inputs[0].shape == (None, 5)


def test_a_model_used_as_a_layer_is_one_layer_of_its_own_output_and_count() -> None:
    models = read("""
import keras
backbone = keras.Sequential([keras.layers.Dense(4)])
inputs = keras.Input((3,))
model = keras.Model(inputs, keras.layers.Dense(1)(backbone(inputs)))
""")
    head = find_model(models, "model")
    assert [(layer.name, layer.type, layer.output_shape, layer.params) for layer in head.layers] == [
        ("sequential", "Sequential", (None, 4), 16), ("dense_1", "Dense", (None, 1), 5)]  # checked with Keras
    assert head.notes == ()


def test_a_subclassed_model_used_as_a_layer_is_a_note() -> None:
    models = read("""
import keras
class Net(keras.Model):
    def call(self, x):
        return x
inputs = keras.Input((3,))
model = keras.Model(inputs, keras.layers.Dense(1)(Net()(inputs)))
""")
    head = find_model(models, "model")
    assert any("subclassed model called as a layer at line 7" in note.text for note in head.notes)
    assert [(layer.name, layer.params) for layer in head.layers] == [("dense", None)]


def test_configs_have_keras_defaults_and_positional_arguments() -> None:
    model = only("""
from keras import Input, Sequential, layers
model = Sequential([Input((8, 8, 3)), layers.Conv2D(4, [3, 3], 2, "same", name="stem"),
                    layers.BatchNormalization(), layers.LSTM if False else layers.Flatten()])
""")
    conv, norm, _ = model.layers
    assert conv.name == "stem"
    assert {k: conv.config[k] for k in ("filters", "kernel_size", "strides", "padding", "dilation_rate", "use_bias")} \
        == {"filters": 4, "kernel_size": (3, 3), "strides": 2, "padding": "same", "dilation_rate": (1, 1),
            "use_bias": True}
    assert (norm.config["momentum"], norm.config["epsilon"]) == (0.99, 0.001)


def test_model_names_and_find_model() -> None:
    models = read("""
import keras
def make_encoder():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
def train():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.fit([], [])
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
class Net(keras.Model):
    def call(self, x):
        return x
""")
    assert [m.name for m in models] == ["model", "make_encoder", "model:6", "Net"]
    assert find_model(models, "make_encoder").layers[0].params == 10
    with pytest.raises(ValueError, match="no Keras model named 'nope'; available: model, make_encoder, model:6, Net"):
        find_model(models, "nope")
    with pytest.raises(ValueError, match="several Keras models"):
        find_model(models, None)
    with pytest.raises(ValueError, match="no Keras model found"):
        find_model([], None)
    assert find_model(models[:1], None) is models[0]


@pytest.mark.parametrize("text", [
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(10 ** 10 ** 10)])\n",
    "import keras\nmodel = keras.Sequential([keras.layers.Dense('a' * 10 ** 9)])\n",
    "import keras\ndef f(x):\n    return f(keras.layers.Dense(2)(x))\nm = keras.Model(keras.Input((2,)), f(1))\n",
    "import keras\nwhile True:\n    model = keras.Sequential()\n",
    "import keras\nraise SystemExit\nmodel = keras.Sequential()\n",
    "import keras\nx = keras.Input((2,))\nfor _ in range(10 ** 9):\n    x = keras.layers.Dense(2)(x)\n",
    "import keras\nm = keras.Model(*[], **{})\nkeras.Sequential([keras.layers.Dense(*'ab')]).add(1)\n",
    "import keras\nkeras.layers.Dense(2)(keras.layers.Dense(3))\nm = keras.Model(inputs=[{}], outputs=None)\n",
    "import keras\nx = keras.Input((4, 4))\nm = keras.Model(x, keras.layers.Reshape((5, -1))(keras.layers.Conv2D(1, 9)(x)))\n",
])
def test_hostile_code_never_crashes(text: str) -> None:
    for model in read(text):
        assert isinstance(model, KerasModel)


def test_values_too_big_to_compute_are_unknown() -> None:
    model = only("import keras\nmodel = keras.Sequential([keras.Input((2,)), keras.layers.Dense(10 ** 10 ** 10)])\n")
    assert model.layers[0].unknown == ("units",)


def test_a_deep_model_is_read() -> None:
    lines = ["import keras", "x = inputs = keras.Input((4,))"]
    lines += ["x = keras.layers.Dense(4)(x)"] * 1500
    lines += ["model = keras.Model(inputs, x)"]
    model = only("\n".join(lines))
    assert len(model.layers) == 1500 and model.total_params == 1500 * 20
    assert model.layers[-1].name == "dense_1499"


def test_a_keras_layer_outside_the_table_is_listed_with_unknown_shape_and_count() -> None:
    model = only("""
import keras
from keras import layers
inputs = keras.Input((8, 8, 3))
x = layers.Conv2D(4, 3)(inputs)
x = layers.Lambda(lambda t: t * 2, name="double")(x)
x = layers.RandomFlip("horizontal")(x)
model = keras.Model(inputs, layers.Dense(2)(x))
""")
    assert [(layer.name, layer.type, layer.output_shape, layer.params) for layer in model.layers] == [
        ("conv2d", "Conv2D", (None, 6, 6, 4), 112), ("double", "Lambda", None, None),
        ("random_flip", "RandomFlip", None, None), ("dense", "Dense", None, None)]
    assert model.layers[1].unknown == ("*args",)
    assert any("double (line 6): Lambda is not in the reader's layer table" in note.text for note in model.notes)


def test_a_custom_layer_class_is_listed_with_unknown_shape() -> None:
    model = only("""
import keras
class Scale(keras.layers.Layer):
    def call(self, x):
        return x * 2
inputs = keras.Input((4,), dtype="float16")
model = keras.Model(inputs, keras.layers.Dense(2)(Scale(name="scale")(keras.layers.Dense(3)(inputs))))
""")
    assert [(layer.name, layer.type, layer.params) for layer in model.layers] == [
        ("dense", "Dense", 15), ("scale", "Scale", None), ("dense_1", "Dense", None)]
    assert model.inputs[0].dtype == "float16"


def test_a_subclass_called_on_an_input_gets_its_shape() -> None:
    model = only("""
import keras
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = keras.layers.Dense(2)
    def call(self, x):
        return self.out(x)
def main():
    net = Net()
    net(keras.Input(shape=(7,)))
""")
    assert (model.inputs[0].shape, model.layers[0].params) == ((None, 7), 16)


def test_a_model_bound_to_two_names_is_read_once() -> None:
    assert [m.name for m in read("import keras\nmodel = alias = keras.Sequential([keras.layers.Dense(2)])\n")] == [
        "model"]


def test_a_file_too_long_to_follow_stops_with_a_note() -> None:
    model = only("""
import keras
def inner(x):
    for _ in range(200):
        x = keras.layers.Dense(2)(x)
    return x
def outer(x):
    for _ in range(200):
        x = inner(x)
    return x
inputs = keras.Input((2,))
model = keras.Model(inputs, outer(inputs))
""")
    assert any("too long to follow" in note.text for note in model.notes)


def test_layer_names_built_from_strings() -> None:
    model = only("""
import keras
def block(x, name, width=2):
    x = keras.layers.Dense(width, name=f"{name}_dense{width:03d}")(x)
    return keras.layers.ReLU(name="{}_relu".format(name))(x)
inputs = keras.Input((3,))
model = keras.Model(inputs, block(block(inputs, "a"), "b" + "!" * 2))
""")
    assert [layer.name for layer in model.layers] == ["a_dense002", "a_relu", "b!!_dense002", "b!!_relu"]


def test_frozen_layers_and_models_have_no_trainable_params() -> None:
    models = read("""
import keras
def build(prefix):
    base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name=prefix + "_dense"), keras.layers.Dense(2)])
    base.trainable = False
    return base
inputs = keras.Input((4,))
frozen = keras.layers.Dense(3, trainable=False)
head = keras.layers.Dense(2)
head.trainable = False
x = keras.layers.Dense(5, trainable=FLAG)(head(frozen(inputs)))
model = keras.Model(inputs, x)
""")
    base, model = find_model(models, "build"), find_model(models, "model")
    assert [(layer.name, layer.params, layer.trainable_params) for layer in base.layers] == [
        ("dense@4", 15, 0), ("dense", 8, 0)]  # an unreadable name= takes no automatic number
    assert base.layers[0].unknown == ("name",)
    assert [(layer.params, layer.trainable_params) for layer in model.layers] == [(15, 0), (8, 0), (15, None)]
    assert model.layers[-1].unknown == ("trainable",)


def test_activation_functions_are_recorded_by_name_and_padding_in_any_case() -> None:
    model = only("""
import tensorflow as tf
from keras import activations
model = tf.keras.Sequential([
    tf.keras.Input((9, 9, 2)),
    tf.keras.layers.Conv2D(4, 3, strides=2, padding="SAME", activation=tf.nn.relu),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(3, activation=activations.softmax),
    tf.keras.layers.Dense(3, activation=my_activation),
])
""")
    conv, _, dense, custom = model.layers
    assert (conv.config["activation"], conv.config["padding"], conv.output_shape) == ("relu", "same", (None, 5, 5, 4))
    assert dense.config["activation"] == "softmax"
    assert custom.unknown == ("activation",) and "activation" not in custom.config


def test_a_model_that_contains_itself_is_read_without_looping() -> None:
    models = read("""
import keras
a = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
b = keras.Sequential([keras.Input((2,)), a])
a.add(b)
""")
    a = find_model(models, "a")
    assert [layer.type for layer in a.layers] == ["Dense", "Sequential"]
    assert a.layers[1].output_shape is None


def test_a_sequential_used_in_another_model_keeps_its_own_inputs() -> None:
    models = read("""
import keras
encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
inputs = keras.Input((4,))
model = keras.Model(inputs, encoder(inputs))
""")
    encoder, model = find_model(models, "encoder"), find_model(models, "model")
    assert [(layer.name, layer.inputs, layer.output_shape) for layer in encoder.layers] == [
        ("dense", ("input_layer",), (None, 3))]
    assert [(layer.name, layer.inputs, layer.params) for layer in model.layers] == [
        ("sequential", ("input_layer_1",), 15)]


def test_attention_scores_have_the_key_length() -> None:
    """(batch, heads, query length, key length), as Keras computes them when it runs: Keras 3.15's
    symbolic shape says (None, 3, 6, 6) for this model, its eager run gives (1, 3, 6, 9)."""
    model = only("""
import keras
query, key, value = keras.Input((6, 10)), keras.Input((9, 12)), keras.Input((9, 14))
out, scores = keras.layers.MultiHeadAttention(3, 5, output_shape=7)(query, value, key, return_attention_scores=True)
model = keras.Model([query, key, value], [out, scores])
""")
    [attention] = model.layers
    assert (attention.output_shape, attention.params) == (((None, 6, 7), (None, 3, 6, 9)), 697)
    assert model.outputs == ("multi_head_attention", "multi_head_attention")


def test_a_condition_on_a_parameter_given_an_unknown_value_is_followed_with_its_default() -> None:
    models = read("""
import keras
from settings import FLAG
def block(x, project=False):
    if project:
        x = keras.layers.Dense(3)(x)
    return x
inputs = keras.Input((4,))
model = keras.Model(inputs, block(keras.layers.Dense(5)(inputs), project=FLAG))
""")
    [model] = models
    assert [layer.type for layer in model.layers] == ["Dense"]
    [note] = model.notes
    assert note.kind == "assumption" and note.text.startswith("the `if` at line 5 is followed as when project=False")


def test_branches_that_differ_in_constants_only_are_followed_with_those_unknown() -> None:
    model = only("""
import keras
from keras import backend
def build():
    inputs = keras.Input((8, 8, 3))
    if backend.image_data_format() == "channels_last":
        x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    else:
        x = keras.layers.Conv2D(4, 3, padding="valid")(inputs)
    return keras.Model(inputs, keras.layers.Flatten()(x))
""")
    assert [layer.type for layer in model.layers] == ["Conv2D", "Flatten"]
    assert "padding" in model.layers[0].unknown and model.layers[0].params == 112
    assert all(note.kind == "layer" for note in model.notes)


def test_an_if_that_returns_and_is_not_followed_is_a_flow_note() -> None:
    """keras.applications' MobileNetV2 adds its residual Add in such an `if`: the layers it may add are unknown."""
    model = only("""
import keras
from other import CHANNELS
def block(x, filters):
    y = keras.layers.Dense(filters)(x)
    if CHANNELS == filters:
        return keras.layers.Add()([x, y])
    return y
def build():
    inputs = keras.Input((4,))
    return keras.Model(inputs, block(inputs, 4))
""")
    assert any(note.kind == "flow" and "`if` at line 6" in note.text for note in model.notes)


def test_a_condition_decided_by_one_operand_and_a_tensor_shape() -> None:
    model = only("""
import keras
from other import unknown
def block(x, filters, stride):
    y = keras.layers.Dense(filters)(x)
    if x.shape[-1] == filters and stride == 1:
        return keras.layers.Add()([x, y])
    if unknown() and stride == 2:
        y = keras.layers.Dropout(0.5)(y)
    return y
def build():
    inputs = keras.Input((4,))
    return keras.Model(inputs, block(block(inputs, 4, 1), 6, 1))
""")
    assert [layer.type for layer in model.layers] == ["Dense", "Add", "Dense"]
    assert model.notes == ()
