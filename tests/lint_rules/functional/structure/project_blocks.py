"""Project classes that cross_file_model.py imports: torchport reads them from this file."""
# pylint: disable=too-few-public-methods
from torch import nn


class ProjectBase(nn.Module):
    def __init__(self, width: int = 8):
        super().__init__()
        self.width = width
        self.norm = nn.LayerNorm(width)


class ResidualBlock(ProjectBase):
    def __init__(self, width: int = 8):
        super().__init__(width)
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc(self.norm(x))


class ClampActivation(nn.Module):
    """A Module without state: building it in forward is harmless."""

    def forward(self, x):
        return x.clamp(min=0)
