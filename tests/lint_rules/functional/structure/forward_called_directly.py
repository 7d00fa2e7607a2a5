"""forward-called-directly: m.forward(x) on a known Module skips its hooks."""
# pylint: disable=too-few-public-methods
import torch
import torch.nn as nn
from torch.nn import Linear


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = Linear(4, 8)

    def forward(self, x):
        return self.fc.forward(x)  # [forward-called-directly]


class Classifier(Encoder):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.head = nn.Sequential(nn.ReLU(), Linear(8, 2))

    def forward(self, x):
        features = self.encoder.forward(x)  # [forward-called-directly]
        features = super().forward(x) + Encoder.forward(self, x) + super(Classifier, self).forward(x)
        return self.head.forward(features)  # [forward-called-directly]

    def predict(self, x):  # self.forward inside its own class is not reported: see the rule page
        with torch.no_grad():
            return self.forward(x)


def evaluate(model: nn.Module, x):
    return model.forward(x)  # [forward-called-directly]


def main():
    model = Classifier().to("cpu")
    out = model.forward(torch.randn(3, 4))  # [forward-called-directly]
    return out + Linear(2, 2).forward(out)  # [forward-called-directly]


# Correct: calls through __call__, and receivers that are not known Modules.


class Wrapper(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.maybe = None

    def forward(self, x):
        y = self.inner.forward(x)
        if self.maybe is not None:
            y = self.maybe.forward(y)
        return y


class Pipeline:
    """Not a Module: its forward method is an ordinary method."""

    def forward(self, x):
        return x

    def run(self, x):
        return self.forward(x)


def run_pipeline(x):
    pipeline = Pipeline()
    return pipeline.forward(x)


def run_any(model, x):
    return model.forward(x)


def run_called(x):
    model = Classifier()
    return model(x)
