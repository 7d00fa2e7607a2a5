"""MLP on 3x32x32 images flattened with `reshape(-1, 32 * 32)`, forgetting the colour channels. torch does
not fail at the reshape (the batch silently becomes 3N) but at fc1; the wrong number is the reshape's."""
import torch.nn as nn
import torch.nn.functional as F


class ImageMLP(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.fc1 = nn.Linear(3 * 32 * 32, 512)
        self.fc2 = nn.Linear(512, num_classes)

    def forward(self, x):
        x = x.reshape(-1, 32 * 32)
        x = F.relu(self.fc1(x))
        return self.fc2(x)
