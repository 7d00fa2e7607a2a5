"""Siamese network: one encoder shared by both inputs (called twice), an L1 distance head."""
import torch
import torch.nn as nn


class SiameseNetwork(nn.Module):
    def __init__(self, embedding_size=64):
        super(SiameseNetwork, self).__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 4 * 4, embedding_size),
        )
        self.head = nn.Linear(embedding_size, 1)

    def forward_once(self, x):
        return self.encoder(x)

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        distance = torch.abs(output1 - output2)
        return torch.sigmoid(self.head(distance))
