"""What the zoo holds: each model's file, class, constructor arguments and input shapes, and for the broken
variants where the wrong number is and what it should be.

Plain data, importable without torch. Constructor arguments are Python literals, as `torchport summary
FILE::Class(args)` takes them. A tensor shape is a tuple of ints; an output of several tensors is a list
of shapes in the order returned, a dict output a dict (the nesting of tests/support/torch_oracle.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

ZOO_DIR = Path(__file__).resolve().parent

Shape = tuple[int, ...]
Nesting = Union[Shape, list["Nesting"], dict[str, "Nesting"], None]


@dataclass(frozen=True)
class ZooModel:
    file: str  # relative to ZOO_DIR
    cls: str
    inputs: tuple[Shape, ...]  # positional forward() arguments, batch first
    output: Nesting  # torch's output for these inputs, worked out by hand from the architecture
    kwargs: dict[str, object] = field(default_factory=dict)
    dtypes: tuple[str, ...] | None = None  # torch dtype names per input; None: all float32

    @property
    def path(self) -> Path:
        return ZOO_DIR / self.file

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}::{self.cls}"


@dataclass(frozen=True)
class BrokenModel:
    """A model torch rejects because of one wrong number, and the edit that makes it run."""

    file: str  # relative to ZOO_DIR
    cls: str
    inputs: tuple[Shape, ...]
    symbol: str  # the 73xx message torchport should report
    line: int  # line of the wrong layer or call: where the number must change
    call: str  # that call's callee as written on the line, e.g. "nn.Linear", "x.view", "torch.cat"
    argument: str | int  # the argument holding the wrong number: keyword as written, or positional index
    wrong: str  # the argument's source text today
    correct: int  # the number that makes the model run
    error_line: int | None  # line of this file where torch raises (innermost frame), None if only in torch
    kwargs: dict[str, object] = field(default_factory=dict)
    dtypes: tuple[str, ...] | None = None

    @property
    def path(self) -> Path:
        return ZOO_DIR / self.file

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}::{self.cls}"


ZOO: tuple[ZooModel, ...] = (
    ZooModel("keras_mnist_cnn.py", "KerasMnistCNN", ((2, 1, 28, 28),), (2, 10)),
    ZooModel("keras_cifar_cnn.py", "CifarCNN", ((2, 3, 32, 32),), (2, 10)),
    ZooModel("vgg_cifar.py", "VGG", ((2, 3, 32, 32),), (2, 10), {"vgg_name": "VGG11"}),
    ZooModel("resnet_basic.py", "ResNet18", ((2, 3, 64, 64),), (2, 10), {"num_classes": 10, "width": 8}),
    ZooModel("resnet_bottleneck.py", "ResNet50", ((2, 3, 32, 32),), (2, 10), {"in_planes": 16}),
    ZooModel("unet.py", "UNet", ((1, 3, 64, 64),), (1, 2, 64, 64), {"n_channels": 3, "n_classes": 2}),
    # odd sizes on the way down (15 -> 7 -> 3): the decoder pads with F.pad before each cat
    ZooModel("unet.py", "UNet", ((1, 1, 60, 60),), (1, 4, 60, 60), {"n_channels": 1, "n_classes": 4, "bilinear": True}),
    ZooModel("mobilenet_v1.py", "MobileNet", ((2, 3, 224, 224),), (2, 1000)),
    ZooModel("mobilenet_v2.py", "MobileNetV2", ((2, 3, 96, 96),), (2, 10), {"num_classes": 10, "width_mult": 0.5}),
    ZooModel("mlp.py", "MLP", ((2, 1, 28, 28),), (2, 10)),
    ZooModel(
        "lstm_classifier.py", "LSTMClassifier", ((2, 20),), (2, 5),
        {"vocab_size": 1000, "embed_dim": 32, "hidden_dim": 64, "num_classes": 5}, dtypes=("int64",),
    ),
    ZooModel(
        "gru_classifier.py", "GRUClassifier", ((15, 2),), (2, 1),  # time-major: (seq_len, batch)
        {"vocab_size": 1000, "embedding_dim": 32, "hidden_dim": 48, "output_dim": 1, "n_layers": 2, "dropout": 0.5},
        dtypes=("int64",),
    ),
    ZooModel(
        "lstm_tagger.py", "LSTMTagger", ((2, 12),), (2, 12, 9),
        {"vocab_size": 500, "embedding_dim": 16, "hidden_dim": 32, "tagset_size": 9}, dtypes=("int64",),
    ),
    ZooModel("keras_transformer.py", "TransformerClassifier", ((2, 200),), (2, 2), dtypes=("int64",)),
    ZooModel("vit.py", "ViT", ((2, 3, 32, 32),), (2, 10)),
    ZooModel("audio_m5.py", "M5", ((2, 1, 8000),), (2, 1, 35)),
    ZooModel("tcn.py", "TCN", ((2, 1, 100),), (2, 10), {"input_size": 1, "output_size": 10, "num_channels": [16, 16, 16]}),
    ZooModel("conv_autoencoder.py", "ConvAutoencoder", ((2, 1, 28, 28),), (2, 1, 28, 28)),
    ZooModel("vae.py", "VAE", ((2, 1, 28, 28),), [(2, 784), (2, 20), (2, 20)]),
    ZooModel("dcgan.py", "Generator", ((2, 100, 1, 1),), (2, 3, 64, 64)),
    ZooModel("dcgan.py", "Discriminator", ((2, 3, 64, 64),), (2,)),
    ZooModel(
        "image_tabular.py", "ImageTabularNet", ((2, 3, 32, 32), (2, 10)),
        {"logits": (2, 3), "image_embedding": (2, 32)}, {"num_features": 10, "num_classes": 3},
    ),
    ZooModel(
        "keras_multi_io.py", "TicketClassifier", ((2, 10), (2, 100), (2, 12)), [(2, 1), (2, 4)],
        dtypes=("int64", "int64", "float32"),
    ),
    ZooModel("siamese.py", "SiameseNetwork", ((2, 1, 28, 28), (2, 1, 28, 28)), (2, 1)),
    ZooModel("functional_mnist.py", "Net", ((2, 1, 28, 28),), (2, 10)),
    ZooModel("lenet_blitz.py", "Net", ((2, 1, 32, 32),), (2, 10)),
    ZooModel("finetune_head.py", "FineTuneNet", ((2, 3, 96, 80),), (2, 5), {"num_classes": 5}),
    ZooModel("espcn.py", "Net", ((1, 1, 32, 32),), (1, 1, 96, 96), {"upscale_factor": 3}),
    ZooModel("sequential_only.py", "KerasSequentialPort", ((2, 3, 32, 32),), (2, 10)),
    ZooModel("sequential_only.py", "NamedSequential", ((2, 20),), (2, 3)),
    ZooModel("inception_block.py", "MiniInception", ((2, 3, 32, 32),), (2, 10)),
    ZooModel("se_net.py", "SEConvNet", ((2, 3, 32, 32),), (2, 10)),
    ZooModel(
        "text_cnn.py", "TextCNN", ((2, 30),), (2, 4), {"vocab_size": 2000, "embed_dim": 50, "num_classes": 4},
        dtypes=("int64",),
    ),
)

BROKEN: tuple[BrokenModel, ...] = (
    BrokenModel(
        "broken/mnist_in_features.py", "KerasMnistCNN", ((2, 1, 28, 28),), "linear-in-features-mismatch",
        line=14, call="nn.Linear", argument=0, wrong="64 * 14 * 14", correct=9216, error_line=22,
    ),
    BrokenModel(
        "broken/cifar_classifier_in_features.py", "CifarCNN", ((2, 3, 32, 32),), "linear-in-features-mismatch",
        line=19, call="nn.Linear", argument=0, wrong="64 * 8 * 8", correct=2304, error_line=26,
    ),
    BrokenModel(
        "broken/bilstm_head.py", "BiLSTMClassifier", ((2, 20),), "linear-in-features-mismatch",
        line=11, call="nn.Linear", argument=0, wrong="hidden_dim", correct=128, error_line=15,
        kwargs={"vocab_size": 1000, "embed_dim": 32, "hidden_dim": 64, "num_classes": 5}, dtypes=("int64",),
    ),
    BrokenModel(
        "broken/conv_in_channels.py", "SmallConvNet", ((2, 3, 32, 32),), "conv-in-channels-mismatch",
        line=10, call="nn.Conv2d", argument=0, wrong="16", correct=32, error_line=15,
    ),
    BrokenModel(
        "broken/unet_skip_channels.py", "TinyUNet", ((2, 1, 32, 32),), "conv-in-channels-mismatch",
        line=14, call="nn.Conv2d", argument=0, wrong="32", correct=64, error_line=22,
    ),
    BrokenModel(
        "broken/sequential_conv1d.py", "AudioSequential", ((2, 1, 4000),), "conv-in-channels-mismatch",
        line=11, call="nn.Conv1d", argument=0, wrong="16", correct=32, error_line=None,
    ),
    BrokenModel(
        "broken/batchnorm2d_features.py", "ConvBlockNet", ((2, 3, 32, 32),), "norm-num-features-mismatch",
        line=14, call="nn.BatchNorm2d", argument=0, wrong="32", correct=64, error_line=21,
    ),
    BrokenModel(
        "broken/audio_batchnorm.py", "AudioNet", ((2, 1, 8000),), "norm-num-features-mismatch",
        line=16, call="nn.BatchNorm1d", argument=0, wrong="n_channel", correct=64, error_line=22,
    ),
    BrokenModel(
        "broken/lenet_view.py", "LeNet", ((2, 1, 32, 32),), "view-flatten-mismatch",
        line=19, call="x.view", argument=1, wrong="16 * 6 * 6", correct=400, error_line=19,
    ),
    # torch only fails one line later, at fc1: the reshape silently turned a batch of 2 into 6 rows
    BrokenModel(
        "broken/mlp_reshape.py", "ImageMLP", ((2, 3, 32, 32),), "view-flatten-mismatch",
        line=14, call="x.reshape", argument=1, wrong="32 * 32", correct=3072, error_line=15,
    ),
    BrokenModel(
        "broken/bottleneck_shortcut.py", "ResidualNet", ((2, 3, 32, 32),), "incompatible-shapes",
        line=18, call="nn.Conv2d", argument=1, wrong="planes", correct=64, error_line=24,
    ),
    BrokenModel(
        "broken/unet_cat_dim.py", "SkipDecoder", ((2, 3, 32, 32),), "incompatible-shapes",
        line=19, call="torch.cat", argument="dim", wrong="2", correct=1, error_line=19,
    ),
    BrokenModel(
        "broken/keras_dense_matmul.py", "TabularNet", ((2, 48),), "incompatible-shapes",
        line=10, call="torch.empty", argument=0, wrong="units", correct=48, error_line=15,
    ),
    BrokenModel(
        "broken/se_excitation_width.py", "SENet", ((2, 3, 16, 16),), "incompatible-shapes",
        line=13, call="nn.Linear", argument=1, wrong="channel // reduction", correct=64, error_line=20,
    ),
)
