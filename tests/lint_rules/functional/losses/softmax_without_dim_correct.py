"""Softmax-family calls with a dim, or whose arguments cannot be seen: silent."""
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)
        self.log_softmax = nn.LogSoftmax(1)
        self.softmax2d = nn.Softmax2d()

    def forward(self, x):
        return self.softmax(x), self.log_softmax(x), self.softmax2d(x)


def functional(x, args, kwargs):
    return (
        F.softmax(x, 1),
        F.log_softmax(x, dim=-1, dtype=torch.float64),
        torch.softmax(x, -1),
        x.softmax(-1),
        F.softmax(*args),
        F.softmax(x, **kwargs),
        F.gumbel_softmax(x),
        torch.special.log_softmax(x, 0),
    )
