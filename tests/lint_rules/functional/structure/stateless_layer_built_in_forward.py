"""stateless-layer-built-in-forward: parameter-free layers built on every call."""
# pylint: disable=too-few-public-methods
import torch
from torch import nn
from torch.nn import Flatten, MaxPool2d as Pool
import torch.nn.functional as F


class ReluInForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return nn.ReLU()(self.fc(x))  # [stateless-layer-built-in-forward]


class PoolAndFlattenInHelper(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)

    def forward(self, x):
        return self.features(x)

    def features(self, x):
        x = Pool(2)(self.conv(x))  # [stateless-layer-built-in-forward]
        return Flatten()(x)  # [stateless-layer-built-in-forward]


class SoftmaxThroughLocal(nn.Module):
    def forward(self, x):
        softmax = torch.nn.Softmax(dim=-1)  # [stateless-layer-built-in-forward]
        return softmax(x)


class IdentityInForward(nn.Module):
    def forward(self, x):
        return nn.Identity()(x)  # [stateless-layer-built-in-forward]


# Correct: built once, or the functional form.


class BuiltOnce(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.ReLU()
        self.pool = Pool(2)
        self.flatten = Flatten()

    def forward(self, x):
        return self.flatten(self.pool(self.act(x)))


class Functional(nn.Module):
    def forward(self, x):
        return torch.flatten(F.max_pool2d(F.relu(x), 2), 1)


class LazyActivation(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = None

    def forward(self, x):
        if self.act is None:
            self.act = nn.GELU()
        return self.act(x)


class NotAModule:
    def forward(self, x):
        return nn.ReLU()(x)


def activation(name: str) -> nn.Module:
    return {"relu": nn.ReLU, "gelu": nn.GELU}[name]()
