"""conv-in-channels-mismatch: convolutions whose in_channels is not the channels they receive."""
# pylint: disable=missing-docstring,too-few-public-methods
import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoConvs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 64, 3, padding=1)  # [conv-in-channels-mismatch]

    def forward(self, x):
        return self.conv2(F.relu(self.conv1(x)))


class SkipDecoder(nn.Module):
    """The cat with the skip doubles the channels: 32 + 32."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(1, 32, 3, padding=1)
        self.down = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(32, 32, 2, stride=2)
        self.dec = nn.Conv2d(32, 16, 3, padding=1)  # [conv-in-channels-mismatch]

    def forward(self, x):
        skip = self.enc(x)
        x = self.up(self.down(skip))
        return self.dec(torch.cat([x, skip], dim=1))


class AudioSequential(nn.Sequential):
    """nn.Sequential only, no forward of its own."""

    def __init__(self):
        super().__init__(
            nn.Conv1d(1, 32, kernel_size=9, stride=4),
            nn.ReLU(),
            nn.Conv1d(16, 64, kernel_size=9, stride=4),  # [conv-in-channels-mismatch]
            nn.AdaptiveMaxPool1d(1),
        )


class SkipDecoderOk(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(1, 32, 3, padding=1)
        self.down = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(32, 32, 2, stride=2)
        self.dec = nn.Conv2d(64, 16, 3, padding=1)

    def forward(self, x):
        skip = self.enc(x)
        x = self.up(self.down(skip))
        return self.dec(torch.cat([x, skip], dim=1))


class Depthwise(nn.Module):
    def __init__(self, channels=32):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels)
        self.pointwise = nn.Conv2d(channels, 2 * channels, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(self.stem(x)))


class PatchEmbed(nn.Module):
    """A tensor reshaped into an image before the convolution."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(8, 16, 1)

    def forward(self, x):
        return self.proj(x.view(x.size(0), 8, 4, 4))


if __name__ == "__main__":
    PatchEmbed()(torch.randn(2, 128))
