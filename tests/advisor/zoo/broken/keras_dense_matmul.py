"""A Keras custom layer ported with its `add_weight` kernel shaped (units, units): inputs have 48
features, so `x @ kernel` needs a kernel of shape (48, units)."""
import torch
import torch.nn as nn


class Dense(nn.Module):
    def __init__(self, input_dim, units):
        super().__init__()
        self.kernel = nn.Parameter(torch.empty(units, units))
        self.bias = nn.Parameter(torch.zeros(units))
        nn.init.xavier_uniform_(self.kernel)

    def forward(self, inputs):
        return torch.matmul(inputs, self.kernel) + self.bias


class TabularNet(nn.Module):
    def __init__(self, in_features=48, hidden=32, num_classes=3):
        super().__init__()
        self.hidden = Dense(in_features, hidden)
        self.out = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))
