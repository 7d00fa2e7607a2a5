"""layer-built-in-forward: layers with weights, buffers or train/eval behaviour built on every call."""
# pylint: disable=too-few-public-methods
import lightning.pytorch as pl
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import LSTM
from torch.nn import BatchNorm1d as BN


class OutputLayerInForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return nn.Linear(8, 2)(x)  # [layer-built-in-forward]


class NormInHelper(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)

    def forward(self, x):
        return self._normalise(self.fc(x))

    def _normalise(self, x):
        norm = BN(8)  # [layer-built-in-forward]
        return norm(x)


class DropoutInForward(nn.Module):
    def forward(self, x):
        if self.training:
            x = x * 2
        return torch.nn.Dropout(p=0.5)(x)  # [layer-built-in-forward]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(x)


class ProjectBlockInForward(nn.Module):
    def forward(self, x):
        return Block()(x)  # [layer-built-in-forward]


class RebuiltOnSelfEveryCall(nn.Module):
    def forward(self, x):
        self.rnn = LSTM(4, 8, batch_first=True)  # [layer-built-in-forward]
        return self.rnn(x)[0]


class LazyAndSequentialInForward(pl.LightningModule):
    def forward(self, x):
        head = nn.Sequential(nn.LazyLinear(8), nn.ReLU())  # [layer-built-in-forward, stateless-layer-built-in-forward]
        return head(x)


class AffineNormInForward(nn.Module):
    def forward(self, x):
        return nn.LayerNorm(x.shape[-1])(x)  # [layer-built-in-forward]


def conv_block(x, filters: int):
    """A Keras functional-API block ported as a function: it builds new layers on every call."""
    x = nn.LazyConv2d(filters, 3, padding=1)(x)  # [layer-built-in-forward]
    return nn.ReLU()(x)  # [stateless-layer-built-in-forward]


class FunctionalApiPort(nn.Module):
    def forward(self, x):
        return conv_block(conv_block(x, 16), 32)


class AppendedEveryCall(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList()

    def forward(self, x):
        for _ in range(2):
            self.layers.append(nn.Linear(4, 4))  # [layer-built-in-forward]
        return self.layers[-1](x)


# Correct: layers built once in __init__, a lazy first-call build, functional calls.


def make_head(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(width, 2), nn.Softmax(dim=-1))


class HeadFromFunction(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = make_head(4)

    def forward(self, x):
        return self.head(x)


class BuiltInInit(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.drop = nn.Dropout(0.5)
        self.blocks = nn.ModuleList([Block() for _ in range(2)])

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.fc(F.dropout(self.drop(x), 0.1, training=self.training))


class LazyFirstCallBuild(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = None

    def forward(self, x):
        if self.fc is None:
            self.fc = nn.Linear(x.shape[-1], 2)
        return self.fc(x)


class KerasStyleBuild(nn.Module):
    def __init__(self):
        super().__init__()
        self.built = False

    def build(self, features):
        self.fc = nn.Linear(features, 2)
        self.built = True

    def forward(self, x):
        if not self.built:
            self.build(x.shape[-1])
        return self.fc(x)


class WeightsSharedFromSelf(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(2, 4))

    def forward(self, x):
        layer = nn.Linear(4, 2, bias=False)
        layer.weight = self.weight
        return layer(x)


class StatelessNormInForward(nn.Module):
    def forward(self, x):
        x = nn.LayerNorm(x.shape[-1], elementwise_affine=False)(x)  # [stateless-layer-built-in-forward]
        return nn.InstanceNorm1d(4)(x)  # [stateless-layer-built-in-forward]


class LossInForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x, labels=None):
        logits = self.fc(x)
        if labels is None:
            return logits
        return nn.CrossEntropyLoss()(logits, labels)


class HelperNotReachedFromForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = self.make_head()

    def make_head(self):
        return nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


class NotAModule:
    def forward(self, x):
        return nn.Linear(4, 2)(x)


def build_model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


class SecondUserOfConvBlock(nn.Module):
    """conv_block is reported once, however many classes call it."""

    def forward(self, x):
        return conv_block(x, 8)
