"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16, bias=False)
        self.fc2 = nn.Linear(16, 10)
        self.flatten1 = nn.Flatten()
        self.fc3 = nn.Linear(60, 16)
        self.fc4 = nn.Linear(16, 1)

    def forward(self, x):
        x = self.fc1(x)
        x = self.flatten1(self.fc2(x))
        x = self.fc4(self.fc3(x))
        return x
# fuzz-regression: {"class": "Net", "inputs": [[2, 6, 8]], "dtypes": ["float32"], "input_style": "none", "kwargs": {}, "planted": null, "planted_line": null, "torch": "runs: (2, 1)"}
