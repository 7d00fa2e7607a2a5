"""incompatible-shapes: operations whose operand shapes cannot fit."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualNoProjection(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.stem = nn.Conv2d(3, 16, 3, padding=1)

    def forward(self, x):
        x = self.stem(x)
        out = self.conv2(F.relu(self.conv1(x)))
        return F.relu(out + x)  # [incompatible-shapes]


class CatWrongDim(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        return torch.cat((self.a(x), self.b(x)), dim=2)  # [incompatible-shapes]


class KerasDense(nn.Module):
    def __init__(self, units=32):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(units, units))

    def forward(self, x):
        return x @ self.kernel  # [incompatible-shapes]


class DenseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 48)
        self.dense = KerasDense()

    def forward(self, x):
        return self.dense(self.fc(x))


class ResidualWithDownsample(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.conv1 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1)
        self.downsample = nn.Sequential(nn.Conv2d(16, 32, 1, stride=2), nn.BatchNorm2d(32))

    def forward(self, x):
        x = self.stem(x)
        out = self.conv2(F.relu(self.conv1(x)))
        return F.relu(out + self.downsample(x))


class CatChannels(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 16, 3, padding=1)
        self.b = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], dim=1)


class Excitation(nn.Module):
    """(N, C, 1, 1) * (N, C, H, W) broadcasts; a matmul with the right inner dims."""

    def __init__(self, channels=32):
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 3)
        self.fc = nn.Linear(channels, channels)
        self.kernel = nn.Parameter(torch.empty(channels, 8))

    def forward(self, x):
        x = self.conv(x)
        w = torch.sigmoid(self.fc(x.mean((2, 3))))[:, :, None, None]
        pooled = (x * w).mean((2, 3))
        return torch.matmul(pooled, self.kernel)
