"""nll-loss-without-log-softmax: NLLLoss on logits or probabilities."""
import torch
import torch.nn.functional as F
from torch import nn


class LinearHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 26 * 26, 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = torch.flatten(x, 1)
        return self.fc(x)


def train_logits(loader):
    model = LinearHead()
    criterion = nn.NLLLoss()
    for x, y in loader:
        loss = criterion(model(x), y)  # [nll-loss-without-log-softmax]
        loss.backward()


probabilities_model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))


def train_probabilities(x, y):
    return nn.NLLLoss()(probabilities_model(x), y)  # [nll-loss-without-log-softmax]


def functional_on_softmax(logits, y):
    return F.nll_loss(F.softmax(logits, dim=1), y)  # [nll-loss-without-log-softmax]


class Segmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.classifier = nn.Conv2d(16, 5, 1)
        self.loss = nn.NLLLoss(ignore_index=255)

    def forward(self, features, mask):
        scores = self.classifier(features)
        return self.loss(scores, mask)  # [nll-loss-without-log-softmax]


def on_sigmoid(logits, y):
    return F.nll_loss(torch.sigmoid(logits), y)  # [nll-loss-without-log-softmax]
