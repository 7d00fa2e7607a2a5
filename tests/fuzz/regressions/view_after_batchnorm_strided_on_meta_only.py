"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn1 = nn.BatchNorm1d(4)
        sizes = [20, 16]
        self.hidden1 = nn.ModuleList(
            [nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
        )
        self.fc1 = nn.Linear(16, 8)
        self.fc2 = nn.Linear(8, 1)

    def _encode(self, x):
        x = x.permute(0, 2, 1)
        x = self.bn1(x)
        return x

    def forward(self, x):
        x = torch.sigmoid(x)
        x = self._encode(x)
        x = x.view(x.size(0), -1)
        for layer in self.hidden1:
            x = F.relu(layer(x))
        x = self.fc2(self.fc1(x))
        return x
# fuzz-regression: {"class": "Model", "inputs": [[2, 5, 4]], "dtypes": ["float32"], "input_style": "pyproject", "kwargs": {}, "planted": "view-of-non-contiguous", "planted_line": 27, "torch": "runs: (2, 1)", "xfail": null}
