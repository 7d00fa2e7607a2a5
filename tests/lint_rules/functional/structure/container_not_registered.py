"""module-container-not-registered: layers kept in plain Python lists, tuples and dicts."""
# pylint: disable=too-few-public-methods
import torch
import torch.nn as nn
from torch.nn import Conv2d, Dropout, ModuleDict, ModuleList


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        return self.fc(x)


class ListComprehension(nn.Module):
    def __init__(self, sizes=(4, 8, 2)):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]  # [module-container-not-registered]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class AppendedInInit(nn.Module):
    def __init__(self, depth: int):
        super().__init__()
        self.blocks = []  # [module-container-not-registered]
        for _ in range(depth):
            self.blocks.append(Block())


class DictLiteral(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = {"age": nn.Linear(8, 1), "gender": nn.Linear(8, 2)}  # [module-container-not-registered]


class TupleOfConvs(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = (Conv2d(1, 8, 3), Conv2d(8, 8, 3))  # [module-container-not-registered]


class LocalListThenSelf(nn.Module):
    def __init__(self, depth: int):
        super().__init__()
        layers = []
        for _ in range(depth):
            layers += [nn.Linear(8, 8), Dropout(0.1)]
        self.layers = layers  # [module-container-not-registered]


class LocalsNotRegistered(nn.Module):
    def __init__(self):
        super().__init__()
        encoder = nn.Linear(8, 8)
        decoder = nn.Linear(8, 8)
        self.parts = {"encoder": encoder, "decoder": decoder}  # [module-container-not-registered]


class DropoutsOnly(nn.Module):
    def __init__(self):
        super().__init__()
        self.drops = [Dropout(0.1), Dropout(0.2)]  # [module-container-not-registered]


class BuiltInHelper(nn.Module):
    def __init__(self):
        super().__init__()
        self._build()

    def _build(self):
        self.stages = [nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8)) for _ in range(2)]  # [module-container-not-registered]


# Correct: registered containers, plain values, and lists of layers registered elsewhere.


class Registered(nn.Module):
    def __init__(self, depth: int):
        super().__init__()
        self.layers = ModuleList([nn.Linear(8, 8) for _ in range(depth)])
        self.heads = ModuleDict({"age": nn.Linear(8, 1)})
        self.blocks = nn.ModuleList()
        for _ in range(depth):
            self.blocks.append(Block())


class SequentialFromList(nn.Module):
    def __init__(self, depth: int):
        super().__init__()
        layers = [nn.Linear(8, 8) for _ in range(depth)]
        self.net = nn.Sequential(*layers)
        self.layers = layers  # the same layers, registered through self.net


class ConvertedLater(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = []
        self.layers.append(nn.Linear(8, 8))
        self.layers = nn.ModuleList(self.layers)


class RegisteredOneByOne(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(8, 8), nn.Linear(8, 8)]
        for index, layer in enumerate(self.layers):
            self.add_module(f"layer{index}", layer)


class RegisteredBySetattr(nn.Module):
    def __init__(self, depth: int):
        super().__init__()
        self.layers = []
        for index in range(depth):
            layer = nn.Linear(8, 8)
            setattr(self, f"layer{index}", layer)
            self.layers.append(layer)


class LocalsAlsoOnSelf(nn.Module):
    def __init__(self):
        super().__init__()
        encoder = nn.Linear(8, 8)
        decoder = nn.Linear(8, 8)
        self.encoder = encoder
        self.decoder = decoder
        self.parts = (encoder, decoder)


class PlainValues(nn.Module):
    def __init__(self):
        super().__init__()
        self.sizes = [4, 8, 2]
        self.names = ("a", "b")
        self.options = {"lr": 0.1}
        self.masks = [torch.ones(3)]


class StatelessActivations(nn.Module):
    def __init__(self):
        super().__init__()
        self.activations = {"relu": nn.ReLU(), "gelu": nn.GELU()}


class ReferencesToRegistered(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 8)
        self.decoder = nn.Linear(8, 8)
        self.parts = [self.encoder, self.decoder]


class NotAModule:
    def __init__(self):
        self.layers = [nn.Linear(8, 8)]
