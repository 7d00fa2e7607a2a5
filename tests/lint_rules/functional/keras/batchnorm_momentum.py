"""keras-batchnorm-momentum: Keras' momentum (0.99, 0.9) copied into torch's batch and instance norms."""
import torch
from torch import nn
from torch.nn import BatchNorm2d as BN

BN_MOMENTUM = 0.99  # a module-level constant, as Keras ports often write it
TORCH_MOMENTUM = 0.01


class ConvBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels, momentum=0.99, eps=1e-3)  # [keras-batchnorm-momentum]
        self.bn_positional = nn.BatchNorm2d(channels, 1e-3, 0.9)  # [keras-batchnorm-momentum]
        self.bn_constant = BN(channels, momentum=BN_MOMENTUM)  # [keras-batchnorm-momentum]
        self.bn_lazy = nn.LazyBatchNorm1d(momentum=0.999)  # [keras-batchnorm-momentum]
        self.bn_sync = torch.nn.SyncBatchNorm(channels, momentum=0.5)  # [keras-batchnorm-momentum]
        self.norm = nn.InstanceNorm2d(channels, momentum=0.99, track_running_stats=True)  # [keras-batchnorm-momentum]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


class CorrectNorms(nn.Module):
    """torch's own conventions: none of these is a Keras momentum."""

    def __init__(self, channels: int, momentum: float = 0.99) -> None:
        super().__init__()
        self.default = nn.BatchNorm2d(channels)
        self.converted = nn.BatchNorm2d(channels, momentum=0.01)
        self.torch_default = nn.BatchNorm1d(channels, momentum=0.1)
        self.cumulative = nn.BatchNorm1d(channels, momentum=None)  # a cumulative moving average
        self.from_constant = nn.BatchNorm1d(channels, momentum=TORCH_MOMENTUM)
        self.eps_only = nn.BatchNorm1d(channels, 0.99)  # the second positional argument is eps, not momentum
        # no running statistics: momentum is never used
        self.instance = nn.InstanceNorm2d(channels, momentum=0.99)
        self.no_stats = nn.BatchNorm2d(channels, momentum=0.99, track_running_stats=False)
        # a parameter: its value is not known here
        self.configurable = nn.BatchNorm2d(channels, momentum=momentum)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.default(x)


# optimizers have a momentum too: it is not a batch-norm momentum
optimizer = torch.optim.SGD(CorrectNorms(8).parameters(), lr=0.1, momentum=0.9)
