"""bce-loss-without-sigmoid: BCELoss on unbounded logits."""
import torch.nn.functional as F
from torch import nn


class Scorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(10, 10)
        self.head = nn.Linear(10, 1)
        self.dropout = nn.Dropout(0.2)

    def forward(self, x):
        x = F.relu(self.body(x))
        return self.dropout(self.head(x))


def train(model, loader):
    criterion = nn.BCELoss()
    for x, y in loader:
        out = model(x).squeeze(1)
        loss = criterion(out, y)  # [bce-loss-without-sigmoid]
        loss.backward()


train(Scorer(), [])


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Linear(4, 1))
        self.criterion = nn.BCELoss()

    def forward(self, x):
        return self.net(x)

    def loss(self, x, y):
        return self.criterion(self(x), y)  # [bce-loss-without-sigmoid]


def functional(x, y):
    head = nn.Linear(10, 1)
    return F.binary_cross_entropy(head(x), y)  # [bce-loss-without-sigmoid]
