"""module-assigned-before-super-init: layers, parameters and buffers set before Module.__init__."""
# pylint: disable=too-few-public-methods
import torch
from torch import nn
from torch.nn import Linear as Dense
from torch.nn import Parameter


class LayerFirst(nn.Module):
    def __init__(self, features: int):
        self.features = features
        self.fc = nn.Linear(features, 2)  # [module-assigned-before-super-init]
        super().__init__()


class ParameterFirst(nn.Module):
    def __init__(self):
        self.gain = Parameter(torch.ones(1))  # [module-assigned-before-super-init]
        super(ParameterFirst, self).__init__()


class BufferFirst(nn.Module):
    def __init__(self):
        self.register_buffer("mean", torch.zeros(3))  # [module-assigned-before-super-init]
        self.std = nn.Buffer(torch.ones(3))  # [module-assigned-before-super-init]
        nn.Module.__init__(self)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = Dense(4, 4)


class ProjectLayerFirst(nn.Module):
    def __init__(self, depth: int):
        body = nn.Sequential(*[Block() for _ in range(depth)])
        self.body = body  # [module-assigned-before-super-init]
        if depth > 2:
            self.extra = Block()  # [module-assigned-before-super-init]
        super().__init__()


class SuperInBranch(nn.Module):
    def __init__(self, legacy: bool):
        if legacy:
            self.head = Dense(4, 2)  # [module-assigned-before-super-init]
            super().__init__()
        else:
            super().__init__()
            self.head = Dense(4, 2)


class InjectedFirst(nn.Module):
    def __init__(self, encoder: nn.Module):
        self.encoder = encoder  # [module-assigned-before-super-init]
        super().__init__()


# Correct: plain values may come first; state only after the base initialiser.


class PlainValuesFirst(nn.Module):
    def __init__(self, features: int, name: str = "mlp"):
        self.features = features
        self.name = name
        self.table = torch.zeros(3)  # [tensor-attribute-not-registered]
        self.sizes = [features, 2]
        super().__init__()
        self.fc = nn.Linear(features, 2)
        self.gain = Parameter(torch.ones(1))
        self.register_buffer("mean", torch.zeros(3))


class UnknownValueFirst(nn.Module):
    def __init__(self, factory):
        self.maker = factory
        self.activation = torch.relu
        super().__init__()


class BaseInitInHelper(nn.Module):
    def __init__(self):
        self._setup()
        self.fc = nn.Linear(4, 2)

    def _setup(self):
        super().__init__()


class NestedFunctionFirst(nn.Module):
    def __init__(self):
        def build():
            self.fc = nn.Linear(4, 2)

        super().__init__()
        build()


class NotAModule:
    def __init__(self):
        self.fc = nn.Linear(4, 2)
        super().__init__()
