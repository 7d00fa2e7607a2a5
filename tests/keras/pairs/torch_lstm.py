"""The IMDB LSTM ported correctly: batch_first, the last time step, a sigmoid for nn.BCELoss."""

import torch
from torch import nn


class SentimentLSTM(nn.Module):
    def __init__(self, vocab: int = 20000, embed: int = 128, hidden: int = 64) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(self.embedding(tokens))
        return torch.sigmoid(self.out(outputs[:, -1, :]))
