"""Buggy models, one per fixable message: the source, a line the fix must write, and how torch
checks the fixed code (a model class run on the meta device with an input shape and its expected
output shape, or a function run on CPU)."""

from __future__ import annotations

from dataclasses import dataclass

HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\n"


@dataclass(frozen=True)
class Case:
    symbol: str
    source: str
    expected: str  # text the fixed file contains
    model_input: tuple[int, ...] | None = None  # run Model()(input) on the meta device...
    model_output: tuple[int, ...] | None = None  # ...and expect this shape
    run: str | None = None  # or call this function of the file (on CPU)
    params: int | None = None  # parameter tensors the fixed Model registers


SAFE: list[Case] = [
    Case("module-super-init-missing", HEADER + '''class Model(nn.Module):
    def __init__(self):
        # the layers
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
''', "        # the layers\n        super().__init__()\n        self.fc = nn.Linear(4, 2)", (3, 4), (3, 2)),
    Case("module-assigned-before-super-init", HEADER + '''class Model(nn.Module):
    def __init__(self, width=4):
        self.width = width
        self.fc = nn.Linear(width, 2)  # the head
        super().__init__()

    def forward(self, x):
        return self.fc(x)
''', "        self.width = width\n        super().__init__()\n        self.fc = nn.Linear(width, 2)  # the head\n\n",
        (3, 4), (3, 2)),
    Case("layer-built-in-forward", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)

    def forward(self, x):
        return nn.Linear(8, 2)(torch.relu(self.fc(x)))
''', "        self.linear = nn.Linear(8, 2)\n", (3, 4), (3, 2), params=4),
    Case("stateless-layer-built-in-forward", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return nn.LeakyReLU(0.2)(self.fc(x))
''', "return F.leaky_relu(self.fc(x), 0.2)", (3, 4), (3, 2)),
    Case("module-container-not-registered", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(4, 4), nn.Linear(4, 2)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
''', "self.layers = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 2)])", (3, 4), (3, 2), params=4),
    Case("tensor-attribute-not-registered", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.ones(4)

    def forward(self, x):
        return x * self.scale
''', "self.register_buffer('scale', torch.ones(4))", (3, 4), (3, 4)),
    Case("forward-called-directly", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc.forward(x)
''', "return self.fc(x)", (3, 4), (3, 2)),
    Case("softmax-before-cross-entropy", HEADER + '''def train():
    model = nn.Linear(4, 3)
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    logits = model(x)
    return criterion(F.softmax(logits, dim=1), y)
''', "return criterion(logits, y)", run="train"),
    Case("sigmoid-before-bce-with-logits", HEADER + '''def train():
    model = nn.Linear(4, 1)
    criterion = nn.BCEWithLogitsLoss()
    x, y = torch.randn(8, 4), torch.rand(8, 1)
    return criterion(torch.sigmoid(model(x)), y)
''', "return criterion(model(x), y)", run="train"),
    Case("nll-loss-without-log-softmax", HEADER + '''def train():
    model = nn.Linear(4, 3)
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    return F.nll_loss(F.softmax(model(x), dim=1), y)
''', "F.nll_loss(F.log_softmax(model(x), dim=1), y)", run="train"),
    Case("bce-loss-without-sigmoid", HEADER + '''def train():
    model = nn.Linear(4, 1)
    criterion = nn.BCELoss()
    x, y = torch.randn(8, 4), torch.rand(8, 1)
    return criterion(model(x), y)
''', "criterion(torch.sigmoid(model(x)), y)", run="train"),
    Case("softmax-without-dim", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x))
''', "F.softmax(self.fc(x), dim=1)", (2, 4), (2, 3)),
    Case("linear-in-features-mismatch", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.fc = nn.Linear(8 * 28 * 28, 10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


Model()(torch.randn(2, 1, 28, 28))
''', "nn.Linear(5408, 10)", (2, 1, 28, 28), (2, 10)),
    Case("conv-in-channels-mismatch", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 8, 3, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


Model()(torch.randn(2, 3, 8, 8))
''', "nn.Conv2d(16, 8, 3, padding=1)", (2, 3, 8, 8), (2, 8, 8, 8)),
    Case("norm-num-features-mismatch", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(32)

    def forward(self, x):
        return self.bn(self.conv(x))


Model()(torch.randn(2, 3, 8, 8))
''', "nn.BatchNorm2d(16)", (2, 3, 8, 8), (2, 16, 8, 8)),
    Case("view-flatten-mismatch", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        x = self.conv(x)
        return self.fc(x.view(-1, 4 * 4 * 4))


Model()(torch.randn(2, 3, 8, 8))
''', "return self.fc(x.flatten(1))", (2, 3, 8, 8), (2, 10)),
    Case("view-of-non-contiguous", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 3, padding=1)
        self.fc = nn.Linear(6 * 8, 10)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        return self.fc(x.view(x.size(0), -1))


Model()(torch.randn(2, 4, 6))
''', "return self.fc(x.reshape(x.size(0), -1))", (2, 4, 6), (2, 10)),
    Case("keras-batchnorm-momentum", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4, momentum=0.99)

    def forward(self, x):
        return self.bn(x)
''', "nn.BatchNorm1d(4, momentum=0.01)", (3, 4), (3, 4)),
    Case("dropout-always-active", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(F.dropout(x, p=0.5))
''', "F.dropout(x, p=0.5, training=self.training)", (3, 4), (3, 2)),
    Case("keras-argument", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2, use_bias=False)

    def forward(self, x):
        return self.fc(x)
''', "nn.Linear(4, 2, bias=False)", (3, 4), (3, 2), params=1),
    Case("zero-grad-missing", HEADER + '''def train():
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    for step in range(3):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
    return loss
''', "    for step in range(3):\n        optimizer.zero_grad()\n        loss = ", run="train"),
    Case("loss-accumulated-with-graph", HEADER + '''def train():
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    total = 0.0
    for step in range(3):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss
    return total
''', "total += loss.item()", run="train"),
]

# Proposals only: the message's advice, no automatic edit (the fix changes more than the bug).
PROPOSALS: list[Case] = [
    Case("softmax-before-cross-entropy", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)


def train():
    model = Model()
    criterion = nn.CrossEntropyLoss()
    x, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    return criterion(model(x), y)
''', "drop its final softmax"),
    Case("layer-built-in-forward", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return nn.Linear(x.shape[-1], 2)(x)
''', "build the layer once in __init__"),
    Case("rnn-batch-first-mismatch", HEADER + '''class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 5)
        self.head = nn.Linear(5, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])
''', "batch_first=True"),
]
