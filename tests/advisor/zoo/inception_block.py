"""Port of a Keras functional-API Inception block: four parallel branches concatenated on channels;
the next block's in_channels is the sum of the branch filters."""
import torch
import torch.nn as nn


class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class InceptionModule(nn.Module):
    def __init__(self, in_channels, f1, f3_reduce, f3, f5_reduce, f5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, f1, kernel_size=1)
        self.branch2 = nn.Sequential(
            BasicConv2d(in_channels, f3_reduce, kernel_size=1),
            BasicConv2d(f3_reduce, f3, kernel_size=3, padding=1),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, f5_reduce, kernel_size=1),
            BasicConv2d(f5_reduce, f5, kernel_size=5, padding=2),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
            BasicConv2d(in_channels, pool_proj, kernel_size=1),
        )

    def forward(self, x):
        outputs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(outputs, 1)


class MiniInception(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = BasicConv2d(3, 64, kernel_size=3, padding=1)
        self.inception3a = InceptionModule(64, 32, 48, 64, 8, 16, 16)
        self.inception3b = InceptionModule(128, 64, 64, 96, 16, 48, 32)
        self.maxpool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(240, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.inception3a(x)
        x = self.inception3b(x)
        x = self.maxpool(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)
