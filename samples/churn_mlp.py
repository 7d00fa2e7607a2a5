# Ported from a Keras Sequential MLP for customer-churn prediction on tabular data:
# Dense(64, relu) -> Dropout(0.3) -> Dense(32, relu) -> Dense(1, activation="sigmoid"),
# compiled with loss="binary_crossentropy".
"""Churn classifier: an MLP over 20 standardised customer features."""

import torch
import torch.nn.functional as F
from torch import nn


class ChurnMLP(nn.Module):
    """Two hidden layers and a sigmoid output, as in the Keras original."""

    def __init__(self, n_features: int = 20, dropout: float = 0.3) -> None:
        self.hidden1 = nn.Linear(n_features, 64)
        self.hidden2 = nn.Linear(64, 32)
        self.output = nn.Linear(32, 1)
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.hidden1(x))
        x = F.dropout(x, p=self.dropout)
        x = F.relu(self.hidden2(x))
        return torch.sigmoid(self.output(x))


def train(epochs: int = 20) -> ChurnMLP:
    features = torch.randn(1000, 20)  # stands in for the standardised customer table
    churned = (torch.rand(1000, 1) < 0.2).float()
    model = ChurnMLP()
    loss_fn = nn.BCEWithLogitsLoss()  # "numerically more stable" than BCELoss
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(epochs):
        optimizer.zero_grad()
        probabilities = model(features)
        loss = loss_fn(probabilities, churned)
        loss.backward()
        optimizer.step()
    return model


if __name__ == "__main__":
    trained = train()
    print(trained(torch.randn(5, 20)).squeeze(1))
