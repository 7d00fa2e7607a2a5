# Ported from a Keras human-activity classifier over accelerometer features: a custom
# keras.layers.Layer standardised the inputs with a mean and std kept as non-trainable weights
# (add_weight(trainable=False)), followed by Dense(64, relu) and Dense(6); trained with
# SparseCategoricalCrossentropy(from_logits=True).
"""Activity classifier (walking, sitting, ...) over 9 accelerometer and gyroscope features."""

import torch
import torch.nn.functional as F
from torch import nn

ACTIVITIES = ("walking", "upstairs", "downstairs", "sitting", "standing", "lying")


class Standardize(nn.Module):
    """(x - mean) / std with statistics measured on the training set."""

    def __init__(self, mean: list[float], std: list[float], eps: float = 1e-6) -> None:
        super().__init__()
        self.mean = torch.tensor(mean)
        self.std = torch.tensor(std)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / (self.std + self.eps)


class ActivityClassifier(nn.Module):
    def __init__(self, mean: list[float], std: list[float]) -> None:
        super().__init__()
        self.standardize = Standardize(mean, std)
        self.net = nn.Sequential(nn.Linear(9, 64), nn.ReLU(), nn.Linear(64, len(ACTIVITIES)))
        self.register_buffer("seen", torch.zeros((), dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.seen += x.shape[0]
        return self.net(self.standardize(x))

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> list[str]:
        probabilities = F.softmax(self(x), dim=1)
        return [ACTIVITIES[i] for i in probabilities.argmax(dim=1).tolist()]


def main() -> None:
    features = torch.randn(600, 9) * 3 + 1  # stands in for the recorded windows
    activity = torch.randint(0, len(ACTIVITIES), (600,))
    model = ActivityClassifier(features.mean(0).tolist(), features.std(0).tolist())
    criterion = nn.NLLLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(30):
        optimizer.zero_grad()
        loss = criterion(model(features), activity)
        loss.backward()
        optimizer.step()
    model.eval()
    print(model.predict(features[:5]))


if __name__ == "__main__":
    main()
