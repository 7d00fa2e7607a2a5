"""BCELoss on probabilities, or on input of unknown kind: torchport must stay silent."""
import torch
import torch.nn.functional as F
from torch import nn


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(10, 1)

    def forward(self, x):
        return torch.sigmoid(self.head(x))


def train(model, loader):
    criterion = nn.BCELoss()
    for x, y in loader:
        loss = criterion(model(x), y)
        loss.backward()


def softmax_probabilities(logits, y):
    return nn.BCELoss()(F.softmax(logits, dim=1), y)


def logits_with_the_right_loss(x, y):
    head = nn.Linear(10, 1)
    return nn.BCEWithLogitsLoss()(head(x), y)


def clamped_logits(x, y):
    head = nn.Linear(10, 1)
    return F.binary_cross_entropy(head(x).clamp(0, 1), y)


def unknown(outputs, y):
    return F.binary_cross_entropy(outputs, y)


train(Scorer(), [])
