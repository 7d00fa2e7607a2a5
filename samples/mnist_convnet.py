# Ported from the Keras "simple MNIST convnet" example: a Sequential model of two Conv2D/MaxPooling2D
# blocks, Flatten, Dropout(0.5) and Dense(10, activation="softmax"), trained with categorical_crossentropy.
"""MNIST digit classifier, a PyTorch port of a small Keras convnet."""

import torch
import torch.nn.functional as F
from torch import nn


class MnistConvNet(nn.Module):
    """Conv(32) -> pool -> Conv(64) -> pool -> flatten -> dropout -> dense(10)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, kernel_size=3)
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.dropout = nn.Dropout(0.5)
        self.fc = nn.Linear(64 * 7 * 7, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = nn.Flatten()(x)
        x = self.dropout(x)
        return F.softmax(self.fc(x))


def main() -> None:
    torch.manual_seed(0)
    images = torch.randn(512, 1, 28, 28)  # stands in for the MNIST training set
    labels = torch.randint(0, 10, (512,))
    model = MnistConvNet()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(3):
        for start in range(0, len(images), 128):
            batch, targets = images[start : start + 128], labels[start : start + 128]
            optimizer.zero_grad()
            outputs = model(batch)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
