"""Squeeze-and-excitation: the channel weights `(b, c, 1, 1)` broadcast over `(b, c, h, w)`."""
import torch.nn as nn


class SELayer(nn.Module):
    def __init__(self, channel, reduction=16):
        super(SELayer, self).__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channel, channel // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channel // reduction, channel, bias=False),
            nn.Sigmoid()
        )

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


class SEConvNet(nn.Module):
    def __init__(self, num_classes=10, reduction=4):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.se1 = SELayer(32, reduction)
        self.conv2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)
        self.se2 = SELayer(64, reduction)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.se1(self.relu(self.conv1(x)))
        x = self.se2(self.relu(self.conv2(x)))
        x = self.pool(x).flatten(1)
        return self.fc(x)
