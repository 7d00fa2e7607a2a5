"""Planted: the dropout is built in __init__ but never applied in forward."""

import torch
import torch.nn.functional as F
from torch import nn


class HousePrices(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden1 = nn.Linear(13, 64)
        self.dropout = nn.Dropout(0.3)
        self.hidden2 = nn.Linear(64, 64)
        self.output = nn.Linear(64, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.hidden1(x))
        x = F.relu(self.hidden2(x))
        return self.output(x)
