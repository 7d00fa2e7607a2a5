"""A plain MLP classifier: hidden sizes from the constructor in a ModuleList, `view(x.size(0), -1)`."""
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, input_size=784, hidden_sizes=(256, 128), num_classes=10, dropout=0.2):
        super().__init__()
        self.hidden = nn.ModuleList()
        in_features = input_size
        for size in hidden_sizes:
            self.hidden.append(nn.Linear(in_features, size))
            in_features = size
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(in_features, num_classes)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        for layer in self.hidden:
            x = F.relu(layer(x))
            x = self.dropout(x)
        return self.out(x)
