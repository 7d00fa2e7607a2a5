"""The residual block ported correctly (the addition written the other way round: out + identity)."""

import torch
import torch.nn.functional as F
from torch import nn


class ResidualNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.conv1 = nn.Conv2d(16, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = F.relu(self.stem(x))
        out = F.relu(self.conv1(identity))
        out = self.conv2(out)
        out = F.relu(out + identity)
        out = out.mean(dim=(2, 3))
        return self.fc(out)
