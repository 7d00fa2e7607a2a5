"""Models imported by cross_file_training.py: on their own they are correct."""
import torch.nn.functional as F
from torch import nn


class SoftmaxClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)


class LogitClassifier(SoftmaxClassifier):
    def forward(self, x):
        return self.fc(x)
