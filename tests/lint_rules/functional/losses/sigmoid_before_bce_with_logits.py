"""sigmoid-before-bce-with-logits: sigmoid output followed to BCEWithLogitsLoss."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import functional as fn


class BinaryNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))  # Keras: Dense(1, activation="sigmoid")


def fit(model, loader):
    criterion = nn.BCEWithLogitsLoss()
    for x, y in loader:
        loss = criterion(model(x), y)  # [sigmoid-before-bce-with-logits]
        loss.backward()


fit(BinaryNet(), [])

detector = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())


def sequential_functional(x, y):
    scores = detector(x)
    return F.binary_cross_entropy_with_logits(scores, y)  # [sigmoid-before-bce-with-logits]


class MultiLabel(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(32, 6)
        self.criterion = nn.BCEWithLogitsLoss(pos_weight=torch.ones(6))

    def forward(self, x):
        return self.head(x).sigmoid()

    def compute_loss(self, x, y):
        return self.criterion(self(x), y)  # [sigmoid-before-bce-with-logits]


def alias_functional(logits, y):
    probs = fn.sigmoid(logits)
    return fn.binary_cross_entropy_with_logits(probs, y)  # [sigmoid-before-bce-with-logits]
