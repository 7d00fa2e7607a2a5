"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self, in_features=32):
        super().__init__()
        self.fc1 = nn.Linear(in_features, 16 * 7 * 7)
        self.mix_weight1 = nn.Parameter(torch.randn(4, 64) / 64 ** 0.5)
        self.fc2 = nn.Linear(196, 10)

    def forward(self, x):
        x = self.fc1(x).view(-1, 16, 7, 7)
        x = torch.einsum("bchw,oc->bohw", x, self.mix_weight1)
        x = torch.flatten(x, start_dim=1)
        x = self.fc2(x)
        return x
# fuzz-regression: {"class": "Model", "inputs": [[3, 32]], "dtypes": ["float32"], "input_style": "cli", "kwargs": {}, "planted": "incompatible-shapes", "planted_line": 17, "torch": "RuntimeError: einsum(): subscript c has size 64 for operand 1 which does not broadcast with previously seen size 16"}
