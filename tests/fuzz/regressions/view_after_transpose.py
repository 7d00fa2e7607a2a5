"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class PortedModel(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(1000, 16)
        self.fc1 = nn.Linear(16, 20)
        self.norm1 = nn.LayerNorm(20)
        self.fc2 = nn.Linear(220, num_classes)

    def forward(self, x):
        x = self.embedding(x)
        x = self.norm1(self.fc1(x))
        x = x.transpose(1, 2)
        x = F.dropout(x, 0.25, self.training)
        x = x.view(x.size(0), -1)
        x = self.fc2(x)
        return x
# fuzz-regression: {"class": "PortedModel", "inputs": [[1, 11]], "dtypes": ["int64"], "input_style": "cli", "kwargs": {}, "planted": null, "planted_line": null, "torch": "RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", "xfail": null, "verdict": "caught"}
