"""Ported correctly with a time-major GRU: the embedding is transposed to (time, batch, features) first."""

import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(3000, 24)
        self.gru = nn.GRU(24, 48)
        self.proj = nn.Linear(48, 7)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        steps = self.embed(tokens).transpose(0, 1)
        outputs, _ = self.gru(steps)
        return self.proj(outputs[-1])
