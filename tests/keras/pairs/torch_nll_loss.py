"""Planted: the softmax dropped (logits out) while training uses nn.NLLLoss, which expects log-probabilities.
The correct port of the same model is ActivityNetLogSoftmax below (not the model compared: it is named)."""

import torch
import torch.nn.functional as F
from torch import nn


class ActivityNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(9, 48)
        self.out = nn.Linear(48, 6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(x)))


class ActivityNetLogSoftmax(ActivityNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.log_softmax(super().forward(x), dim=1)


def train(loader) -> None:
    model = ActivityNet()
    criterion = nn.NLLLoss()
    optimizer = torch.optim.Adam(model.parameters())
    for features, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(features), labels)
        loss.backward()
        optimizer.step()
