"""Models changed after they are built: what was built first no longer tells what they output."""
import torch
from torch import nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(32, 16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.features(x))


def transfer_learning(x, y):
    model = Backbone()
    model.fc = nn.Sequential(nn.Linear(16, 1), nn.Sigmoid())  # new head replaces the logits
    return nn.BCELoss()(model(x), y)


def grown(x, y):
    model = nn.Sequential(nn.Linear(32, 1))
    model.add_module("sigmoid", nn.Sigmoid())
    return nn.BCELoss()(model(x), y)


def appended(x, y):
    head = nn.Sequential(nn.Linear(32, 10))
    head.append(nn.LogSoftmax(dim=1))
    return nn.NLLLoss()(head(x), y)


def trimmed(x, y):
    probabilities = nn.Sequential(nn.Linear(32, 10), nn.Softmax(dim=1))
    del probabilities[-1]  # back to logits
    return nn.CrossEntropyLoss()(probabilities(x), y)


def hooked(x, y):
    scorer = nn.Linear(32, 1)
    scorer.register_forward_hook(lambda module, args, output: torch.sigmoid(output))
    return nn.BCELoss()(scorer(x), y)
