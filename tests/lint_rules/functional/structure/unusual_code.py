"""Unusual but valid code: torchport must not crash, and reports only what it is sure of."""
# pylint: disable=too-few-public-methods
import functools

import torch
from torch import nn
from torch.nn import *  # noqa: F403 - star imports leave names unresolved: nothing to report

Dense = nn.Linear
Layer = Dense


class NoSelfParameter(nn.Module):
    def __init__(*args, **kwargs):  # [module-super-init-missing]
        args[0].size = kwargs.get("size", 1)


class InitFromFactory(nn.Module):
    __init__ = functools.partialmethod(nn.Module.__init__)


class InitReferencedNotCalled(nn.Module):
    def __init__(self):  # [module-super-init-missing]
        self.init = super().__init__


class Recursive(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = Layer(2, 2)

    def forward(self, x):
        return self.step(x)

    def step(self, x):
        if x.sum() > 0:
            return self.forward(x - 1)
        return self.fc(x)


class WalrusInForward(nn.Module):
    def forward(self, x):
        if (layer := Dense(2, 2)) is not None:  # [layer-built-in-forward]
            return layer(x)
        return x


class AsyncForward(nn.Module):
    async def forward(self, x):
        return nn.Tanh()(x)  # [stateless-layer-built-in-forward]


class Unpacked(nn.Module):
    def __init__(self, others):
        self.first, self.second = nn.Linear(2, 2), nn.Linear(2, 2)  # [module-assigned-before-super-init, module-assigned-before-super-init]
        super().__init__()
        self.layers = [*others, nn.Linear(2, 2)]  # [module-container-not-registered]
        del self.first


class StarImported(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [Linear(2, 2)]  # noqa: F405 - unresolved: not reported

    def forward(self, x):
        return ReLU()(x)  # noqa: F405 - unresolved: not reported


def factory():
    class Local(nn.Module):
        def __init__(self):  # [module-super-init-missing]
            self.fc = nn.Linear(2, 2)

    return Local


def rebinding(x):
    model = nn.Linear(2, 2)
    model = torch.jit.script(model)
    return model.forward(x)


class SelfReferential(SelfReferential):  # noqa: F821 - a NameError at run time, but valid syntax
    def __init__(self):
        self.fc = nn.Linear(2, 2)
