"""A generated model (tests/fuzz/strategies.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv1d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm1d(planes)
        self.conv2 = nn.Conv1d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm1d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv1d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm1d(planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.layer1 = BasicBlock(1, 24)
        self.conv1 = nn.Conv1d(24, 16, 3, groups=2)
        self.dw1 = nn.Conv1d(16, 16, 3, stride=2, padding=1, groups=16, bias=False)
        self.bn1 = nn.BatchNorm1d(16)
        self.pw1 = nn.Conv1d(16, 8, 1, bias=False)
        self.fc1 = nn.LazyLinear(num_classes)
        self.out1 = nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = self.layer1(x)
        x = F.max_pool1d(self.conv1(F.relu(x)), 2, padding=1)
        x = torch.tanh(x)
        x = self.bn1(self.dw1(x))
        x = self.pw1(x)
        x = self.fc1(x.view(-1, 32))
        x = self.out1(x)
        return x


if __name__ == "__main__":
    model = Net()
    print(model(torch.randn(1, 1, 30)).shape)
# fuzz-regression: {"class": "Net", "inputs": [[1, 1, 30]], "dtypes": ["float32"], "input_style": "call", "kwargs": {}, "planted": "view-flatten-mismatch", "planted_line": 48, "torch": "runs: (2, 10)", "xfail": null}
