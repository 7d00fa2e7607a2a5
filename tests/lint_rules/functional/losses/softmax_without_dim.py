"""softmax-without-dim: softmax-family calls and layers without an explicit dim."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import functional as fn
from torch.nn import LogSoftmax


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.softmax = nn.Softmax()  # [softmax-without-dim]
        self.log_softmax = LogSoftmax()  # [softmax-without-dim]
        self.softmin = nn.Softmin(dim=None)  # [softmax-without-dim]

    def forward(self, x):
        return self.softmax(self.fc(x))


def functional(x):
    a = F.softmax(x)  # [softmax-without-dim]
    b = fn.log_softmax(x, dtype=torch.float64)  # [softmax-without-dim]
    c = F.softmin(x, _stacklevel=5)  # [softmax-without-dim]
    d = torch.softmax(x)  # [softmax-without-dim]
    e = torch.log_softmax(x, dtype=torch.float32)  # [softmax-without-dim]
    f = torch.nn.functional.softmax(input=x)  # [softmax-without-dim]
    return a, b, c, d, e, f
