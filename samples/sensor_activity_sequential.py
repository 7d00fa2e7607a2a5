# Ported from a Keras Sequential model for human-activity recognition on accelerometer windows:
# Conv1D(32, 5, strides=2, padding="same", activation="relu") -> LSTM(64) -> Dense(6, activation="softmax"),
# compiled with sparse_categorical_crossentropy.
"""Activity recognition from 3-axis accelerometer windows, a PyTorch port of a Keras Sequential model."""

import torch
from torch import nn


def build_model(n_channels: int = 3, n_classes: int = 6) -> nn.Sequential:
    """Strided Conv1d features, an LSTM over time and a dense classifier, layer for layer as in Keras."""
    return nn.Sequential(
        nn.Conv1d(n_channels, 32, kernel_size=5, stride=2, padding="same"),
        nn.ReLU(),
        nn.LSTM(32, 64, batch_first=True),
        nn.Linear(64, n_classes),
    )


def train(windows: torch.Tensor, activities: torch.Tensor, epochs: int = 5) -> nn.Sequential:
    model = build_model()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(windows), activities)
        loss.backward()
        optimizer.step()
    return model


if __name__ == "__main__":
    train(torch.randn(256, 3, 128), torch.randint(0, 6, (256,)))
