"""The churn MLP ported correctly: the sigmoid kept, with nn.BCELoss (which expects probabilities)."""

import torch
from torch import nn


class ChurnMLP(nn.Module):
    def __init__(self, n_features: int = 20) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, 32),
            nn.ReLU(),
            nn.Linear(32, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def train(loader) -> None:
    model = ChurnMLP()
    loss_fn = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters())
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
