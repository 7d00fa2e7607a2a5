"""Squeeze-and-excitation whose excitation Linear ends at `channel // reduction` instead of `channel`:
the (N, 16, 1, 1) weights cannot broadcast over the (N, 64, H, W) features."""
import torch.nn as nn


class SEBlock(nn.Module):
    def __init__(self, channel, reduction=4):
        super().__init__()
        self.squeeze = nn.AdaptiveAvgPool2d(1)
        self.excitation = nn.Sequential(
            nn.Linear(channel, channel // reduction),
            nn.ReLU(inplace=True),
            nn.Linear(channel // reduction, channel // reduction),
            nn.Sigmoid(),
        )

    def forward(self, x):
        y = self.squeeze(x).flatten(1)
        y = self.excitation(y)[:, :, None, None]
        return x * y


class SENet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1)
        self.se = SEBlock(64)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.se(self.conv(x))
        return self.fc(x.mean(dim=(2, 3)))
