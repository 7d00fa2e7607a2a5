"""tensor-attribute-not-registered: plain tensors stored on a Module in __init__."""
# pylint: disable=too-few-public-methods
import lightning as L
import torch
import torch.nn as nn
from torch import arange, zeros


class PlainTensors(nn.Module):
    def __init__(self, features: int = 4):
        super().__init__()
        self.mean = zeros(features)  # [tensor-attribute-not-registered]
        self.std = torch.ones(features).float()  # [tensor-attribute-not-registered]

    def forward(self, x):
        return (x - self.mean) / self.std


class CausalMask(nn.Module):
    def __init__(self, size: int = 8):
        super().__init__()
        self.mask = torch.tril(torch.ones(size, size))  # [tensor-attribute-not-registered]
        self.positions = arange(size).unsqueeze(0)  # [tensor-attribute-not-registered]


class MeantToBeTrained(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.weight = torch.randn(4, 2, requires_grad=True)  # [tensor-attribute-not-registered]
        self.bias: torch.Tensor = torch.tensor([0.0, 0.0])  # [tensor-attribute-not-registered]


class FromSequences(nn.Module):
    def __init__(self, mean: list[float], std):
        super().__init__()
        self.mean = torch.tensor(mean)  # [tensor-attribute-not-registered]
        values = [1.0, 2.0]
        self.values = torch.as_tensor(values)  # [tensor-attribute-not-registered]
        self.std = torch.tensor(std)


class InHelper(nn.Module):
    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self):
        self.state = torch.zeros(3)  # [tensor-attribute-not-registered]


# Correct: parameters, buffers, scalars, and non-Module classes.


class Registered(nn.Module):
    def __init__(self, features: int = 4):
        super().__init__()
        self.register_buffer("mean", torch.zeros(features))
        self.std = nn.Buffer(torch.ones(features))
        self.weight = nn.Parameter(torch.randn(features, 2))
        self.register_buffer("running", None)
        self.running = torch.zeros(features)


class WrappedLater(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.ones(1)
        self.scale = nn.Parameter(self.scale)


class ScalarsAndUnknowns(nn.Module):
    def __init__(self, table):
        super().__init__()
        self.eps = torch.tensor(1e-5)
        self.table = torch.tensor(table)
        self.dtype = torch.float32


class PlacedByTheCode(nn.Module):
    def __init__(self, device: torch.device):
        super().__init__()
        self.scratch = torch.zeros(16, device=device)
        self.table = torch.arange(8).to(device)
        self.learned = torch.zeros(4, device=device, requires_grad=True)  # [tensor-attribute-not-registered]


class StateOutsideInit(nn.Module):
    def forward(self, x):
        self.hidden = torch.zeros(x.shape[0], 8)
        return x


class NotAModule:
    def __init__(self):
        self.mean = torch.zeros(4)
