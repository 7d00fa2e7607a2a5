"""linear-in-features-mismatch: Linear layers whose in_features is not what forward gives them."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn
import torch.nn.functional as F


class PooledHead(nn.Module):
    """Symbolic input from the first layer: after global pooling the width is 64 whatever H and W."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)  # [linear-in-features-mismatch]

    def forward(self, x):
        return self.fc(self.pool(F.relu(self.conv(x))).flatten(1))


class StackedMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(128, 10)  # [linear-in-features-mismatch]

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class MnistFlatten(nn.Module):
    """Concrete input from the call below (no --input-shape): 28x28 gives 32x13x13 after conv and pool."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32 * 14 * 14, 10)  # [linear-in-features-mismatch]

    def forward(self, x):
        return self.fc(self.flatten(F.max_pool2d(torch.relu(self.conv(x)), 2)))


class BiLSTMHead(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.embedding = nn.Embedding(100, 16)
        self.lstm = nn.LSTM(16, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(hidden, 2)  # [linear-in-features-mismatch]

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.fc(out[:, -1])


class SymbolicFlattenOk(nn.Module):
    """Right for a 28x28 input only: a condition of the summary, never a pylint error."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 14 * 14, 10)

    def forward(self, x):
        return self.fc(torch.flatten(F.max_pool2d(self.conv(x), 2), 1))


class LazyHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.fc = nn.LazyLinear(10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


class TimeDistributed(nn.Module):
    """(N, T, H).view(-1, H) merges batch and time on purpose: Linear(H, ...) is right."""

    def __init__(self, hidden=24):
        super().__init__()
        self.rnn = nn.GRU(8, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 5)

    def forward(self, x):
        out, _ = self.rnn(x)
        n, t, h = out.shape
        return self.fc(out.reshape(-1, h)).view(n, t, -1)


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return torch.relu(self.fc(x))


class NestedMLP(nn.Module):
    """Nested modules with the right widths."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(20, 64)
        self.blocks = nn.Sequential(Block(64), Block(64))
        self.out = nn.Linear(64, 3)

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


class FeaturesPerStep(nn.Module):
    """The first Linear does not tell the input's rank: on (N, 6, 8) fc1 gives (N, 6, 10) and Flatten 60."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 10)
        self.flatten = nn.Flatten()
        self.fc2 = nn.Linear(60, 1)

    def forward(self, x):
        return self.fc2(self.flatten(self.fc1(x)))


if __name__ == "__main__":
    MnistFlatten()(torch.randn(8, 1, 28, 28))
