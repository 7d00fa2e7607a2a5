"""Correct PyTorch models in common styles: torchport must stay silent on all of them."""
# pylint: disable=too-few-public-methods
from __future__ import annotations

import math
from dataclasses import dataclass

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class Config:
    vocab: int = 100
    width: int = 32
    heads: int = 4
    layers: int = 2
    dropout: float = 0.1


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TinyResNet(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.inplanes = 16
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = self._make_layer(16, 2)
        self.layer2 = self._make_layer(32, 2, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, num_classes)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        for _ in range(1, blocks):
            layers.append(BasicBlock(planes, planes))
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class PositionalEncoding(nn.Module):
    def __init__(self, width: int, max_len: int = 512):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, width, 2) * (-math.log(10000.0) / width))
        table = torch.zeros(max_len, width)
        table[:, 0::2] = torch.sin(position * div_term)
        table[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("table", table, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.table[: x.size(1)]


class TextClassifier(nn.Module):
    def __init__(self, config: Config, num_labels: int = 2):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab, config.width)
        self.position = PositionalEncoding(config.width)
        layer = nn.TransformerEncoderLayer(config.width, config.heads, batch_first=True, dropout=config.dropout)
        self.encoder = nn.TransformerEncoder(layer, config.layers)
        self.heads = nn.ModuleDict({"label": nn.Linear(config.width, num_labels)})
        self.loss_weights = [1.0, 2.0]

    def forward(self, tokens: Tensor, labels: Tensor | None = None):
        hidden = self.encoder(self.position(self.embed(tokens)))
        logits = self.heads["label"](hidden.mean(dim=1))
        if labels is None:
            return logits
        loss_fct = nn.CrossEntropyLoss(weight=torch.tensor(self.loss_weights, device=logits.device))
        return loss_fct(logits, labels), logits


class SequenceTagger(nn.Module):
    def __init__(self, features: int = 8, hidden: int = 16, tags: int = 5):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(0.2)
        self.out = nn.Linear(2 * hidden, tags)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x: Tensor) -> Tensor:
        output, _ = self.lstm(x)
        return self.out(self.dropout(output)) * self.scale

    def init_hidden(self, batch: int) -> tuple[Tensor, Tensor]:
        return torch.zeros(2, batch, 16), torch.zeros(2, batch, 16)


class LitTagger(pl.LightningModule):
    def __init__(self, lr: float = 1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.model = SequenceTagger()
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self.forward(x)
        loss = self.criterion(logits.flatten(0, 1), y.flatten())
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


class Generator(nn.Module):
    def __init__(self, latent: int = 16):
        super().__init__()
        self.latent = latent
        self.net = nn.Sequential(
            nn.Linear(latent, 64), nn.LeakyReLU(0.2), nn.Linear(64, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28))
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)

    @torch.no_grad()
    def sample(self, n: int) -> Tensor:
        return self(torch.randn(n, self.latent))


class Gated(nn.Module):
    def __init__(self, width: int = 8, activation: str = "gelu"):
        super().__init__()
        self.proj = nn.Linear(width, 2 * width)
        self.act = {"gelu": nn.GELU, "relu": nn.ReLU}[activation]()

    def forward(self, x: Tensor) -> Tensor:
        value, gate = self.proj(x).chunk(2, dim=-1)
        return F.dropout(value * self.act(gate), 0.1, training=self.training)


class KerasLikeDense(nn.Module):
    """Dense layers whose input sizes torch infers on the first call, as Keras does in build()."""

    def __init__(self, units=(64, 10)):
        super().__init__()
        self.features = nn.Sequential(nn.LazyConv2d(16, 3), nn.ReLU(), nn.Flatten())
        self.dense = nn.ModuleList(nn.LazyLinear(n) for n in units)

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x)
        for layer in self.dense[:-1]:
            x = F.relu(layer(x))
        return self.dense[-1](x)


def train_step(model: nn.Module, batch: tuple[Tensor, Tensor], optimizer: torch.optim.Optimizer) -> float:
    x, y = batch
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
