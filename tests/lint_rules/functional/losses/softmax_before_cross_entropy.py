"""softmax-before-cross-entropy: softmax output followed to CrossEntropyLoss across the file."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import functional as fn


class SoftmaxNet(nn.Module):
    """A Keras port: Dense(10, activation="softmax") became Linear + Softmax."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 128)
        self.out = nn.Linear(128, 10)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        x = self.out(x)
        return self.softmax(x)


def train(model, loader, epochs=3):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters())
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            outputs = model(x)
            loss = criterion(outputs, y)  # [softmax-before-cross-entropy]
            loss.backward()
            optimizer.step()


def main(loader):
    net = SoftmaxNet()
    train(net, loader)


class SelfContained(nn.Module):
    """The same forward applies softmax and computes the loss with a criterion stored on self."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(20, 5)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, x, y):
        probs = F.softmax(self.fc(x), dim=-1)
        return self.criterion(probs, y)  # [softmax-before-cross-entropy]


def tensor_method_and_alias(logits, y):
    probs = logits.softmax(dim=1)
    return fn.cross_entropy(probs, y)  # [softmax-before-cross-entropy]


def predict_proba(model, x):
    return torch.softmax(model(x), 1)


def loss_on_helper_output(model, x, y):
    return F.cross_entropy(predict_proba(model, x), y)  # [softmax-before-cross-entropy]


classifier = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Softmax(dim=1))


def inline_criterion(x, y):
    return nn.CrossEntropyLoss()(classifier(x).view(-1, 10), y)  # [softmax-before-cross-entropy]


class LitClassifier(nn.Module):
    """Lightning style: training_step calls self(x)."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 4), nn.Softmax(dim=1))
        self.loss_fn = nn.CrossEntropyLoss().to("cpu")

    def forward(self, x):
        return self.layers(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)  # [softmax-before-cross-entropy]
