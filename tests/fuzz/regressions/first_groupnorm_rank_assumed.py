"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.norm1 = nn.GroupNorm(1, 3)
        self.norm2 = nn.LayerNorm(3, eps=1e-6)
        self.fc1 = nn.Linear(3, num_classes)

    def forward(self, x):
        x = self.norm1(x)
        x = x.permute(0, 2, 3, 1)
        x = self.norm2(x)
        x = x.permute(0, 3, 1, 2)
        x = self.fc1(x.mean((2, 3)))
        return x
# fuzz-regression: {"class": "Model", "inputs": [[3, 3, 12, 8]], "dtypes": ["float32"], "input_style": "none", "kwargs": {}, "planted": null, "planted_line": null, "torch": "runs: (3, 2)"}
