"""An nn.Sequential-only audio model whose second Conv1d expects 16 channels after a 32-channel one;
no forward of its own, so torch fails inside Sequential.forward."""
import torch.nn as nn


class AudioSequential(nn.Sequential):
    def __init__(self, n_classes=10):
        super().__init__(
            nn.Conv1d(1, 32, kernel_size=9, stride=4),
            nn.ReLU(),
            nn.Conv1d(16, 64, kernel_size=9, stride=4),
            nn.ReLU(),
            nn.AdaptiveMaxPool1d(1),
            nn.Flatten(),
            nn.Linear(64, n_classes),
        )
