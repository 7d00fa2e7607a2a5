"""The text convnet ported correctly: channels moved before Conv1d, max over time."""

import torch
from torch import nn


class TextCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(10000, 50)
        self.conv = nn.Conv1d(50, 64, kernel_size=5)
        self.fc = nn.Linear(64, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embedding(tokens).transpose(1, 2)
        x = torch.relu(self.conv(x))
        x = x.amax(dim=2)
        return torch.sigmoid(self.fc(x))
