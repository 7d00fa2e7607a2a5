"""The topic GRU ported correctly: the final hidden state, logits for nn.CrossEntropyLoss."""

import torch
from torch import nn


class TopicGRU(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(5000, 64)
        self.gru = nn.GRU(64, 32, batch_first=True)
        self.head = nn.Linear(32, 5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, hidden = self.gru(self.embed(tokens))
        return self.head(hidden[-1])
