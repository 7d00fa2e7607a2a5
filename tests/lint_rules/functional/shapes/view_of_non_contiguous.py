"""view-of-non-contiguous: view() of a tensor whose strides cannot give the new shape without a copy."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn


class TextCNN(nn.Module):
    """A Keras port: channels last again after the convolution, then Flatten written as view."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)
        self.fc = nn.Linear(20 * 32, 5)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        x = x.view(x.size(0), -1)  # [view-of-non-contiguous]
        return self.fc(x)


class Recurrent(nn.Module):
    """A batch-first LSTM returns its time-major output transposed: (N, T, H) with strides (H, N*H, 1)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(10, 32, batch_first=True)
        self.fc = nn.Linear(7 * 32, 4)
        self.step = nn.Linear(32, 4)

    def forward(self, x):
        out, _ = self.lstm(x)
        steps = self.step(out.view(-1, 32))  # [view-of-non-contiguous]
        return self.fc(out.view(out.size(0), -1)), steps  # [view-of-non-contiguous]


class Copied(nn.Module):
    """reshape copies where it must, contiguous() copies, LayerNorm makes a new tensor: all run."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)
        self.norm = nn.LayerNorm(32)

    def forward(self, x):
        x = self.conv(x).permute(0, 2, 1)
        a = x.reshape(x.size(0), -1)
        b = x.contiguous().view(x.size(0), -1)
        c = self.norm(x).view(x.size(0), -1)
        return a + b + c


class SplitHeads(nn.Module):
    """A view that splits one dim of a transposed tensor needs no copy: torch allows it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        return x.view(x.size(0), 20, 4, 8)


class SymbolicLength(nn.Module):
    """No input given: the length T may be 1, and then the view works; nothing is certain."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        return x.view(x.size(0), -1)


if __name__ == "__main__":
    TextCNN()(torch.randn(2, 16, 20))
    Recurrent()(torch.randn(4, 7, 10))
    Copied()(torch.randn(2, 16, 20))
    SplitHeads()(torch.randn(2, 16, 20))
