"""Correct sigmoid/BCE pairings: torchport must stay silent."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LogitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc(x)

    def predict(self, x):
        return torch.sigmoid(self(x)) > 0.5


class SigmoidNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 1)
        self.act = nn.Sigmoid()

    def forward(self, x):
        return self.act(self.fc(x))


def fit(logit_model, sigmoid_model, loader):
    with_logits = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
    on_probabilities = nn.BCELoss()
    for x, y in loader:
        loss = with_logits(logit_model(x), y) + on_probabilities(sigmoid_model(x), y)
        accuracy = (torch.sigmoid(logit_model(x)).round() == y).float().mean()
        print(loss, accuracy)


def logit_of_probabilities(probs, y):
    # torch.logit undoes the sigmoid: the loss sees logits again
    return F.binary_cross_entropy_with_logits(torch.logit(probs, eps=1e-6), y)


fit(LogitNet(), SigmoidNet(), [])
