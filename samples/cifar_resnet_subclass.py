# Ported from a Keras subclassed model (keras.Model with call()) for CIFAR-10: a stem convolution,
# two residual blocks written as keras.layers.Layer subclasses, global average pooling, a Dense head.
"""A small residual network for 32x32 colour images."""

import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    """conv-bn-relu-conv-bn plus the identity, as the Keras layer's call() did."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels, momentum=0.99, eps=1e-3)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels, momentum=0.99, eps=1e-3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class ResNetLite(nn.Module):
    def __init__(self, num_classes: int = 10, width: int = 32) -> None:
        self.width = width
        self.stem = nn.Conv2d(3, width, kernel_size=3, padding=1)
        super().__init__()
        self.block1 = ResidualBlock(width)
        self.block2 = ResidualBlock(width)
        self.head = nn.Linear(width, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(images))
        x = self.block1.forward(x)
        x = self.block2.forward(x)
        x = x.mean(dim=(2, 3))  # GlobalAveragePooling2D
        return self.head(x)


if __name__ == "__main__":
    model = ResNetLite()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    images, labels = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
    print(f"loss {loss.item():.3f}")
