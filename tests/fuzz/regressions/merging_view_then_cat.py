"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 24, 3, stride=2, padding=1)
        self.block1 = nn.Sequential(
            nn.Conv1d(24, 24, 3, padding=1, bias=False),
            nn.BatchNorm1d(24),
            nn.ReLU(inplace=True),
        )
        self.shortcut1 = nn.Sequential(
            nn.Conv1d(24, 24, 1, stride=1, bias=False),
            nn.BatchNorm1d(24),
        )
        self.dense1 = nn.ModuleList([
            nn.Sequential(nn.BatchNorm1d(15 + i * 4), nn.ReLU(), nn.Conv1d(15 + i * 4, 4, 3, padding=1))
            for i in range(2)
        ])
        self.act1 = nn.ELU()
        self.fc1 = nn.Linear(844, 32)
        self.fc2 = nn.Linear(32, 5)

    def _encode(self, x):
        x = self.conv1(x)
        x = F.relu(self.block1(x) + self.shortcut1(x))
        x = x[:, :15]
        features = [x]
        for layer in self.dense1:
            features.append(layer(torch.cat(features, 1)))
        x = torch.cat(features, 1)
        x = self.act1(x)
        return x

    def forward(self, x, extra):
        x = self._encode(x)
        x = x.view(-1, 36)
        x = torch.cat((x, extra), -1)
        x = self.fc2(self.fc1(x))
        return x
# fuzz-regression: {"class": "Classifier", "inputs": [[4, 1, 72], [4, 16]], "dtypes": ["float32", "float32"], "input_style": "cli", "kwargs": {}, "planted": "view-flatten-mismatch", "planted_line": 42, "torch": "RuntimeError: Sizes of tensors must match except in dimension 1. Expected 92 in dimension 0 but got 4 for tensor number 1 in the list", "xfail": null}
