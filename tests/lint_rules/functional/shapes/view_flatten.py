"""view-flatten-mismatch: view/reshape(-1, K) with K other than the product of the non-batch dims."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    """Concrete 32x32 input from the call below: the maps are 16x5x5, not 16x6x6."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 6 * 6)  # [view-flatten-mismatch]
        return self.fc1(x)


class ImageMLP(nn.Module):
    """32*32 is a trailing run (it merges batch and channels), but fc1 wants the whole 3*32*32."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        x = x.reshape(-1, 32 * 32)  # [view-flatten-mismatch]
        return self.fc1(x)


class PooledView(nn.Module):
    """Symbolic input: after AdaptiveAvgPool2d(2) the features are 64*2*2 = 256 whatever H and W."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        return self.fc(x.view(x.size(0), 128))  # [view-flatten-mismatch]


class FlattenOk(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(256, 10)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = self.pool(self.conv(x))
        return self.fc(x.flatten(1)) + self.fc2(x.view(-1, 64 * 2 * 2))


class MergeTime(nn.Module):
    """(N, T, H).view(-1, H): batch and time merged on purpose."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(10, 32, batch_first=True)
        self.fc = nn.Linear(32, 4)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out.contiguous().view(-1, 32))


class MergedThenCat(nn.Module):
    """view(-1, 36) on (N, 23, 36) merges the batch into the rows; the cat with a tensor that kept the batch
    fails because of it, so the view is reported, not the cat."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 23, 3, padding=1)
        self.fc = nn.Linear(36 + 16, 5)

    def forward(self, x, extra):
        x = self.conv(x)
        x = x.view(-1, 36)  # [view-flatten-mismatch]
        return self.fc(torch.cat((x, extra), -1))


class KeepBatch(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        return x.view(x.size(0), -1)


if __name__ == "__main__":
    LeNet()(torch.randn(4, 1, 32, 32))
    ImageMLP()(torch.randn(4, 3, 32, 32))
    MergedThenCat()(torch.randn(4, 1, 36), torch.randn(4, 16))
