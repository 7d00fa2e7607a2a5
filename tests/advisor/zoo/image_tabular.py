"""Two inputs (an image and a vector of tabular features), fused by `torch.cat`; a dict of two outputs."""
import torch
import torch.nn as nn


class ImageTabularNet(nn.Module):
    def __init__(self, num_features, num_classes, embedding_dim=32):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(32, embedding_dim),
        )
        self.tabular = nn.Sequential(
            nn.Linear(num_features, 16),
            nn.ReLU(),
            nn.BatchNorm1d(16),
        )
        self.head = nn.Linear(embedding_dim + 16, num_classes)

    def forward(self, image, features):
        image_embedding = self.cnn(image)
        tabular_embedding = self.tabular(features)
        combined = torch.cat((image_embedding, tabular_embedding), dim=1)
        return {"logits": self.head(combined), "image_embedding": image_embedding}
