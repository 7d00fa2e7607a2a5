"""The CIFAR convnet with BatchNorm converted correctly: momentum = 1 - 0.99, Keras's eps."""

import torch
from torch import nn


class CifarNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32, momentum=0.01, eps=1e-3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding="same", bias=False),
            nn.BatchNorm2d(64, momentum=0.01, eps=1e-3),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(64, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))
