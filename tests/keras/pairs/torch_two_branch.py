"""The two-branch model ported correctly (the deep branch computed first in forward)."""

import torch
from torch import nn


class TwoBranch(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wide = nn.Linear(20, 32)
        self.deep1 = nn.Linear(20, 16)
        self.deep2 = nn.Linear(16, 16)
        self.out = nn.Linear(48, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        deep = torch.tanh(self.deep2(torch.tanh(self.deep1(x))))
        wide = torch.relu(self.wide(x))
        return self.out(torch.cat([wide, deep], dim=1))
