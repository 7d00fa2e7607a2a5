"""Tiny U-Net whose decoder convolution forgot that `torch.cat` with the skip doubles the channels:
32 upsampled + 32 skipped = 64 in_channels, not 32."""
import torch
import torch.nn as nn


class TinyUNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=2):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(64, 32, kernel_size=2, stride=2)
        self.dec = nn.Conv2d(32, 32, 3, padding=1)
        self.out = nn.Conv2d(32, num_classes, 1)

    def forward(self, x):
        skip = self.enc(x)
        x = self.bottleneck(self.pool(skip))
        x = self.up(x)
        x = torch.cat([x, skip], dim=1)
        x = torch.relu(self.dec(x))
        return self.out(x)
