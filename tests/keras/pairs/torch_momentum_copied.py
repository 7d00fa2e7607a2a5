"""Planted: Keras's momentum 0.99 copied into BatchNorm1d (eps left at torch's default)."""

import torch
from torch import nn


class TabularNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(30, 64)
        self.bn = nn.BatchNorm1d(64, momentum=0.99)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.bn(self.fc1(x))))
