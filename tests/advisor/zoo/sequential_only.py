"""Models that are only an nn.Sequential: no forward of their own, layers passed to Sequential's
constructor (positionally, or named through an OrderedDict)."""
from collections import OrderedDict

import torch.nn as nn


class KerasSequentialPort(nn.Sequential):
    def __init__(self, num_classes=10):
        super().__init__(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 8 * 8, 64),
            nn.ReLU(),
            nn.Linear(64, num_classes),
        )


class NamedSequential(nn.Sequential):
    def __init__(self, in_features=20, num_classes=3):
        super().__init__(OrderedDict([
            ("fc1", nn.Linear(in_features, 64)),
            ("act1", nn.ReLU()),
            ("bn1", nn.BatchNorm1d(64)),
            ("fc2", nn.Linear(64, 32)),
            ("act2", nn.ReLU()),
            ("out", nn.Linear(32, num_classes)),
        ]))
