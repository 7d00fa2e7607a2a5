"""Planted: the dilation lost, the second convolution grouped (groups=4: fewer weights), and the sigmoid kept
while training uses nn.BCEWithLogitsLoss. BatchNorm1d keeps torch's defaults (info notes only)."""

import torch
from torch import nn


class EventDetector(nn.Module):
    def __init__(self, n_mels: int = 40) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, 32, 3, padding=1)
        self.norm = nn.BatchNorm1d(32)
        self.conv2 = nn.Conv1d(32, 32, 3, padding=1, groups=4)
        self.head = nn.Linear(32, 1)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = self.norm(torch.relu(self.conv1(frames)))
        x = torch.relu(self.conv2(x))
        return torch.sigmoid(self.head(x.mean(dim=2)))


def train(loader) -> None:
    model = EventDetector()
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for frames, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(frames), labels)
        loss.backward()
        optimizer.step()
