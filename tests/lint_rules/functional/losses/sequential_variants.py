"""nn.Sequential built from a list, an OrderedDict or a helper: its last layers decide its output."""
from collections import OrderedDict

from torch import nn


def mlp(sizes):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return layers


classifier = nn.Sequential(*mlp([784, 256, 64]), nn.Linear(64, 10), nn.Softmax(dim=1))
named = nn.Sequential(OrderedDict([("fc", nn.Linear(64, 10)), ("probabilities", nn.Softmax(dim=-1))]))
hidden_only = nn.Sequential(nn.Linear(64, 10), *mlp([10, 10]))


def build_detector():
    return nn.Sequential(nn.Linear(16, 1), nn.Sigmoid())


def train(x, y, flags):
    ce = nn.CrossEntropyLoss()
    nll = nn.NLLLoss()
    total = ce(classifier(x), y)  # [softmax-before-cross-entropy]
    total += nll(named(x), y)  # [nll-loss-without-log-softmax]
    total += nll(hidden_only(x), y)  # ends in whatever mlp() returns: unknown
    detector = build_detector()
    total += nn.BCEWithLogitsLoss()(detector(x), flags)  # [sigmoid-before-bce-with-logits]
    return total
