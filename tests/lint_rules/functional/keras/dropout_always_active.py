"""dropout-always-active: functional dropout in a Module method without training=."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.functional import dropout as drop


class KerasPortedMLP(nn.Module):
    def __init__(self, rate: float = 0.3) -> None:
        super().__init__()
        self.hidden = nn.Linear(20, 64)
        self.out = nn.Linear(64, 1)
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.dropout(F.relu(self.hidden(x)), p=self.rate)  # [dropout-always-active]
        x = drop(x, 0.5)  # [dropout-always-active]
        x = nn.functional.dropout2d(x)  # [dropout-always-active]
        return self.helper(self.out(x))

    def helper(self, x: torch.Tensor) -> torch.Tensor:
        def inner(y: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.dropout1d(y, 0.1)  # [dropout-always-active]

        return F.alpha_dropout(inner(x), 0.1)  # [dropout-always-active]


class CorrectDropout(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.dropout = nn.Dropout(0.5)  # the layer follows train()/eval()
        self.use_dropout = True

    def forward(self, x: torch.Tensor, mc_samples: bool = False) -> torch.Tensor:
        x = F.dropout(self.fc(x), p=0.5, training=self.training)
        x = F.dropout(x, 0.5, self.training)  # training given positionally
        x = F.dropout(x, p=0.2, training=mc_samples)  # a flag of the caller's: Monte Carlo dropout
        x = F.dropout(x, p=0.2, training=False)
        x = F.feature_alpha_dropout(x, 0.1, training=self.training and self.use_dropout)
        return self.dropout(x)

    def with_options(self, x: torch.Tensor, **options: bool) -> torch.Tensor:
        return F.dropout(x, 0.5, **options)  # training may be in options

    @staticmethod
    def augment(x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, 0.1)  # no instance here: not a Module's train/eval question


def augment(x: torch.Tensor) -> torch.Tensor:
    """A plain function: dropout as data augmentation is always on by intent."""
    return F.dropout(x, p=0.1)


class NotAModule:
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, 0.5)
