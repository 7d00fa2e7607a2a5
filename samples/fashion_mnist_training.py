# Ported from a Keras training script for Fashion-MNIST: a Sequential MLP ending in
# Dense(10, activation="softmax") with BatchNormalization after the hidden layer,
# compiled with sparse_categorical_crossentropy and trained with model.fit(epochs=10, batch_size=64).
"""Train a Fashion-MNIST MLP and report the mean training loss of each epoch."""

import torch
from torch import nn


def batches(images: torch.Tensor, labels: torch.Tensor, size: int = 64):
    order = torch.randperm(len(images))
    for start in range(0, len(images), size):
        index = order[start : start + size]
        yield images[index], labels[index]


def main() -> None:
    images = torch.rand(2048, 1, 28, 28)  # stands in for the Fashion-MNIST training images
    labels = torch.randint(0, 10, (2048,))
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 256),
        nn.BatchNorm1d(256, momentum=0.99),
        nn.ReLU(),
        nn.Linear(256, 10),
        nn.Softmax(dim=1),
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(10):
        running_loss = 0.0
        for batch, targets in batches(images, labels):
            optimizer.zero_grad()
            predictions = model(batch)
            loss = criterion(predictions, targets)
            loss.backward()
            optimizer.step()
            running_loss += loss
        print(f"epoch {epoch + 1}: loss {running_loss / (len(images) // 64):.4f}")


if __name__ == "__main__":
    main()
