"""Planted: nn.LSTM without batch_first=True reads the embedding's (batch, time, features) output as
(time, batch, features): torch runs it, stepping over the samples of the batch, and outputs[:, -1, :]
takes the last sample instead of the last time step."""

import torch
from torch import nn


class ReviewLSTM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(5000, 32)
        self.lstm = nn.LSTM(32, 32)
        self.classifier = nn.Linear(32, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(self.embedding(tokens))
        return torch.sigmoid(self.classifier(outputs[:, -1, :]))
