"""Messages of the shapes family (73xx): tensor shapes that cannot fit, found by static inference.

Each is reported only when it holds for every value of the symbolic sizes; a mismatch that holds for
some input sizes only is a "condition" of `torchport summary`, never a pylint message.
"""

from torchport.messages.catalogue import Message

_LINEAR_BAD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 14 * 14, 10)  # Keras "same" padding assumed: the maps are 13x13

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x))).flatten(1)
        return self.fc1(x)  # RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x5408 and 6272x10)


Net()(torch.randn(2, 1, 28, 28))
'''

_LINEAR_GOOD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 13 * 13, 10)  # or nn.LazyLinear(10), which infers it

    def forward(self, x):
        x = self.pool(torch.relu(self.conv(x))).flatten(1)
        return self.fc1(x)


print(Net()(torch.randn(2, 1, 28, 28)).shape)
'''

_CONV_BAD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 64, 3, padding=1)  # conv1 gives 32 channels

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))  # RuntimeError: expected input to have 16 channels


Net()(torch.randn(2, 3, 32, 32))
'''

_CONV_GOOD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


print(Net()(torch.randn(2, 3, 32, 32)).shape)
'''

_NORM_BAD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1)
        self.bn = nn.BatchNorm2d(32)  # copied from the block before: the conv gives 64 channels

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))  # RuntimeError: running_mean should contain 64 elements not 32


Net()(torch.randn(2, 3, 32, 32))
'''

_NORM_GOOD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 64, 3, padding=1)
        self.bn = nn.BatchNorm2d(64)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


print(Net()(torch.randn(2, 3, 32, 32)).shape)
'''

_VIEW_BAD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        x = x.view(-1, 32 * 32)  # forgets the 3 channels: a batch of 2 becomes 6 rows
        return self.fc(x)  # RuntimeError: mat1 and mat2 shapes cannot be multiplied (6x1024 and 3072x10)


Net()(torch.randn(2, 3, 32, 32))
'''

_VIEW_GOOD = '''\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 32 * 32, 10)

    def forward(self, x):
        x = x.flatten(1)  # or x.view(x.size(0), -1): the batch dim is kept whatever the sizes
        return self.fc(x)


print(Net()(torch.randn(2, 3, 32, 32)).shape)
'''

_INCOMPATIBLE_BAD = '''\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(16, 64, 3, stride=2, padding=1)
        self.shortcut = nn.Conv2d(16, 16, 1, stride=2)  # the main path has 64 channels

    def forward(self, x):
        return self.conv(x) + self.shortcut(x)  # RuntimeError: The size of tensor a (64) must match ... b (16)


Block()(torch.randn(2, 16, 32, 32))
'''

_INCOMPATIBLE_GOOD = '''\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(16, 64, 3, stride=2, padding=1)
        self.shortcut = nn.Conv2d(16, 64, 1, stride=2)  # project the skip to the main path's channels

    def forward(self, x):
        return self.conv(x) + self.shortcut(x)


print(Block()(torch.randn(2, 16, 32, 32)).shape)
'''

_STRIDES_BAD = '''\
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)
        self.fc = nn.Linear(20 * 32, 5)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)  # channels last as in Keras: a view with swapped strides
        x = x.view(x.size(0), -1)  # RuntimeError: view size is not compatible with input tensor's size and stride
        return self.fc(x)


Tagger()(torch.randn(2, 16, 20))
'''

_STRIDES_GOOD = '''\
import torch
from torch import nn


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(16, 32, 3, padding=1)
        self.fc = nn.Linear(20 * 32, 5)

    def forward(self, x):
        x = self.conv(x).transpose(1, 2)
        x = x.reshape(x.size(0), -1)  # copies where a view cannot (or x.contiguous().view(...))
        return self.fc(x)


print(Tagger()(torch.randn(2, 16, 20)).shape)
'''

MESSAGES: tuple[Message, ...] = (
    Message(
        msgid="E7301",
        symbol="linear-in-features-mismatch",
        template="%s receives %s at line %s%s: in_features should be %s",
        description="A Linear layer's in_features differs from the size of the last dim it receives.",
        what="An `nn.Linear(in_features, ...)` whose `in_features` is not the last dim of the tensor that "
             "`forward` gives it, for every input size torchport considers (the input shapes of "
             "`torchport summary`: a call in the file, else symbols from the first layer).",
        why="Keras' `Dense` infers its input size; `nn.Linear` needs it written, and after `Flatten` it is "
            "channels * height * width of the last feature map, which convolutions without padding and "
            "pooling shrink. torch fails at the first batch with `mat1 and mat2 shapes cannot be "
            "multiplied`.",
        bad=_LINEAR_BAD,
        good=_LINEAR_GOOD,
    ),
    Message(
        msgid="E7302",
        symbol="conv-in-channels-mismatch",
        template="%s receives %s at line %s%s: in_channels should be %s",
        description="A convolution's in_channels differs from the channels of the tensor it receives.",
        what="An `nn.Conv1d/2d/3d` (or transposed convolution) whose `in_channels` is not dim 1 of the "
             "tensor `forward` gives it, e.g. after a `torch.cat` with a skip connection.",
        why="Keras' `Conv2D` infers its input channels; torch's convolution needs them and raises "
            "`expected input to have C channels` when they differ.",
        bad=_CONV_BAD,
        good=_CONV_GOOD,
    ),
    Message(
        msgid="E7303",
        symbol="norm-num-features-mismatch",
        template="%s receives %s at line %s%s: %s should be %s",
        description="A normalisation layer's number of features differs from the channels it receives.",
        what="An `nn.BatchNorm1d/2d/3d`, `nn.InstanceNorm*` or `nn.GroupNorm` whose `num_features` "
             "(`num_channels`) is not dim 1 of the tensor `forward` gives it.",
        why="Keras' `BatchNormalization` infers its size; torch's needs it and raises `running_mean "
            "should contain C elements` when a block is copied without updating it.",
        bad=_NORM_BAD,
        good=_NORM_GOOD,
    ),
    Message(
        msgid="E7304",
        symbol="view-flatten-mismatch",
        template="%s receives %s: %s is not the product of the non-batch dims (%s), so the batch size "
                 "silently changes or the call fails; write %s",
        description="view/reshape(-1, K) with K other than the product of the non-batch dims.",
        what="`x.view(-1, K)` or `x.reshape(-1, K)` (also `x.view(x.size(0), K)`) on a tensor of rank 3 or "
             "more where K is neither the product of the dims after the batch dim nor of a trailing run "
             "of them. `(N, T, H).view(-1, H)` merges N and T on purpose and is not reported.",
        why="The `-1` absorbs the mismatch: a batch of N becomes some other number of rows, so the error "
            "appears later (or never, and the loss mixes samples). `x.flatten(1)` or `x.view(x.size(0), "
            "-1)` keeps the batch whatever the sizes.",
        bad=_VIEW_BAD,
        good=_VIEW_GOOD,
    ),
    Message(
        msgid="E7305",
        symbol="incompatible-shapes",
        template="%s: %s",
        description="An operation whose operand shapes cannot fit: broadcasting, cat, matmul.",
        what="An elementwise operator (`+`, `*`, ...) whose operands cannot broadcast, a `torch.cat` whose "
             "tensors differ in a dim other than the cat dim, or a `matmul`/`@` whose inner dims differ, "
             "e.g. a residual connection without a projection to the main path's channels.",
        why="torch raises at the operation (`The size of tensor a (64) must match the size of tensor b "
            "(16)`, `Sizes of tensors must match except in dimension 1`, `mat1 and mat2 shapes cannot be "
            "multiplied`); the number to fix is usually in the layer that made one operand.",
        bad=_INCOMPATIBLE_BAD,
        good=_INCOMPATIBLE_GOOD,
    ),
    Message(
        msgid="E7306",
        symbol="view-of-non-contiguous",
        template="%s views a %s tensor with strides %s%s: the dims it merges are not contiguous in memory, so "
                 "torch raises 'view size is not compatible with input tensor's size and stride'; write %s",
        description="view() of a tensor that transpose/permute (or a batch-first RNN) left non-contiguous.",
        what="`x.view(...)` or `x.view_as(y)` on a tensor whose strides cannot give the new shape without a "
             "copy: typically after `transpose`, `permute`, `.T`/`.mT` or a batch-first `nn.LSTM`/`GRU`/`RNN` "
             "(whose output is a transposed view), merging dims that the transpose separated. Reported only "
             "when the strides are certain (the layers and operations torchport models) and torch's own rule "
             "(computeStride) fails for every value of the symbolic sizes.",
        why="Keras tensors have no strides: a `Reshape` after a `Permute` always works, so ports write "
            "`x.permute(0, 2, 1).view(N, -1)`. In torch, `transpose` and `permute` return views with swapped "
            "strides and `view` never copies: it raises at the first batch. `reshape` copies only when it must; "
            "`.contiguous().view(...)` does the same.",
        bad=_STRIDES_BAD,
        good=_STRIDES_GOOD,
    ),
)
