"""Planted: the bottleneck is 32 wide instead of 16."""

import torch
from torch import nn


class AutoEncoder(nn.Module):
    def __init__(self, bottleneck: int = 32) -> None:
        super().__init__()
        self.enc1 = nn.Linear(100, 128)
        self.enc2 = nn.Linear(128, bottleneck)
        self.dec1 = nn.Linear(bottleneck, 128)
        self.dec2 = nn.Linear(128, 100)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.enc1(x))
        x = torch.relu(self.enc2(x))
        x = torch.relu(self.dec1(x))
        return torch.sigmoid(self.dec2(x))
