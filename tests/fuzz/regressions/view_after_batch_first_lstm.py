"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(50, 32)
        self.lstm1 = nn.LSTM(32, 32, batch_first=True)
        self.fc1 = nn.Linear(224, 1, bias=False)

    def forward(self, x):
        x = self.embedding(x)
        x, _ = self.lstm1(x)
        x = x.view(x.size(0), -1)
        x = self.fc1(x)
        return x
# fuzz-regression: {"class": "Net", "inputs": [[4, 7]], "dtypes": ["int64"], "input_style": "cli", "kwargs": {}, "planted": null, "planted_line": null, "torch": "RuntimeError: view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.", "xfail": null, "verdict": "caught"}
