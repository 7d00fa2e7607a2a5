"""norm-num-features-mismatch: normalisation layers sized for other channels than they receive."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1)
        self.bn = nn.BatchNorm2d(32)  # [norm-num-features-mismatch]

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class DenseBN(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.fc = nn.Linear(20, hidden)
        self.bn = nn.BatchNorm1d(hidden // 2)  # [norm-num-features-mismatch]

    def forward(self, x):
        return self.bn(self.fc(x))


class GroupNormed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3)
        self.norm = nn.GroupNorm(8, 32)  # [norm-num-features-mismatch]

    def forward(self, x):
        return self.norm(self.conv(x))


class SequentialBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        )

    def forward(self, x):
        return self.features(x)


class SequenceBN(nn.Module):
    """BatchNorm1d on (N, C, L): the channels are dim 1, not the length."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 16, 5)
        self.bn = nn.BatchNorm1d(16)

    def forward(self, x):
        return self.bn(self.conv(x))


class LazyBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 48, 3)
        self.bn = nn.LazyBatchNorm2d()
        self.norm = nn.GroupNorm(4, 48)

    def forward(self, x):
        return self.norm(self.bn(self.conv(x)))


if __name__ == "__main__":
    # a 2-D input, as the call says: the first Linear alone does not tell (N, 20) from (N, 64, 20)
    DenseBN()(torch.randn(32, 20))
