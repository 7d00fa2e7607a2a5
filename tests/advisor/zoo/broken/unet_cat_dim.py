"""Decoder step that concatenates the skip on dim 2 (height) instead of dim 1 (channels): the tensors
have 32 and 16 channels, so only the channel axis may differ."""
import torch
import torch.nn as nn


class SkipDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv2d(3, 16, 3, padding=1)
        self.down = nn.Conv2d(16, 64, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.dec = nn.Conv2d(48, 16, 3, padding=1)

    def forward(self, x):
        skip = torch.relu(self.enc(x))
        x = torch.relu(self.down(skip))
        x = self.up(x)
        x = torch.cat([x, skip], dim=2)
        return self.dec(x)
