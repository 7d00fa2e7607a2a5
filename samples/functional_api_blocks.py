# Ported from a Keras functional-API model where every block was written inline:
#     x = Dense(units)(x); x = BatchNormalization()(x); x = Activation("relu")(x); x = Dropout(0.2)(x)
# and the output was Dense(n_classes)(x) on the last block.
"""Classifier for 30 engineered sensor features, kept close to the Keras functional code."""

import torch
from torch import nn


class FunctionalStyleNet(nn.Module):
    def __init__(self, n_features: int = 30, n_classes: int = 3) -> None:
        super().__init__()
        self.n_features = n_features
        self.n_classes = n_classes

    def dense_block(self, x: torch.Tensor, units: int) -> torch.Tensor:
        x = nn.Linear(x.shape[-1], units)(x)
        x = nn.BatchNorm1d(units)(x)
        x = nn.ReLU()(x)
        return nn.Dropout(0.2)(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dense_block(x, 64)
        x = self.dense_block(x, 32)
        return nn.Linear(32, self.n_classes)(x)


if __name__ == "__main__":
    model = FunctionalStyleNet()
    logits = model(torch.randn(8, 30))
    print(logits.shape, sum(p.numel() for p in model.parameters()), "trainable parameters")
