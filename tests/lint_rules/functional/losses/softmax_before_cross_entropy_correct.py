"""Correct uses of softmax next to CrossEntropyLoss: torchport must stay silent."""
import torch
import torch.nn.functional as F
from torch import nn


class LogitsNet(nn.Module):
    """forward returns logits; softmax lives only in the inference method."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc(x)

    def predict(self, x):
        return F.softmax(self(x), dim=1)


def train(model, loader):
    criterion = nn.CrossEntropyLoss()
    for x, y in loader:
        logits = model(x)
        loss = criterion(logits, y)
        probs = F.softmax(logits, dim=1)  # for the accuracy printout only
        print(loss.item(), (probs.argmax(1) == y).float().mean())
        logits = F.softmax(logits, dim=1)  # reassigned after the loss: does not reach it


def evaluate(model, x):
    with torch.no_grad():
        return model.predict(x).argmax(dim=1)


class EvalSoftmaxNet(nn.Module):
    """Softmax only outside training: the output kind depends on the mode, so it is unknown."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        logits = self.fc(x)
        if self.training:
            return logits
        return F.softmax(logits, dim=1)


def distillation_loss(student, teacher, x, temperature=4.0):
    soft_targets = F.softmax(teacher(x) / temperature, dim=1)  # softmax on the *target* is right
    return F.cross_entropy(student(x), soft_targets)


def log_softmax_then_cross_entropy(logits, y):
    # log_softmax is idempotent under CrossEntropyLoss' own log_softmax: the loss is unchanged
    return F.cross_entropy(F.log_softmax(logits, dim=1), y)


def softmax_to_probability_losses(logits, target_probs, labels):
    probs = torch.softmax(logits, dim=-1)
    kl = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(logits, dim=-1), target_probs)
    bce = nn.BCELoss()(probs, labels)
    return kl + bce


def unknown_model(model_from_elsewhere, x, y):
    return nn.CrossEntropyLoss()(model_from_elsewhere(x), y)


if __name__ == "__main__":
    net = LogitsNet()
    train(net, [])
    train(EvalSoftmaxNet(), [])
