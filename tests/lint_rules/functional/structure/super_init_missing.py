"""module-super-init-missing: Module subclasses whose __init__ never runs the base initialiser."""
# pylint: disable=too-few-public-methods
import abc
import typing

import lightning as L
import torch
import torch.nn as tnn
from torch import nn
from torch.nn import Module as TorchModule


class NoSuper(nn.Module):
    def __init__(self, features: int) -> None:  # [module-super-init-missing]
        self.fc = nn.Linear(features, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


class AliasBase(TorchModule):
    def __init__(self):  # [module-super-init-missing]
        self.scale = 2.0


class FullPathBase(torch.nn.modules.module.Module):
    def __init__(self):  # [module-super-init-missing]
        pass


class LayerSubclass(tnn.Linear):
    def __init__(self):  # [module-super-init-missing]
        self.extra = 1


class ProjectBase(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 4)


class ChildOfProjectBase(ProjectBase):
    def __init__(self):  # [module-super-init-missing]
        self.head = nn.Linear(4, 2)


class LitClassifier(L.LightningModule):
    def __init__(self):  # [module-super-init-missing]
        self.model = nn.Linear(4, 2)


# Correct: every way of running the base initialiser.


class ZeroArgSuper(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)


class ExplicitSuper(nn.Module):
    def __init__(self):
        super(ExplicitSuper, self).__init__()
        self.fc = nn.Linear(4, 2)


class ModuleInitCalled(nn.Module):
    def __init__(self):
        nn.Module.__init__(self)
        self.fc = nn.Linear(4, 2)


class BaseInitCalled(ProjectBase):
    def __init__(self):
        ProjectBase.__init__(self)
        self.head = nn.Linear(4, 2)


class ForwardsKeywords(ProjectBase):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)


class ConditionalSuper(nn.Module):
    def __init__(self, legacy: bool = False):
        if legacy:
            super(ConditionalSuper, self).__init__()
        else:
            super().__init__()


class InitThroughHelper(nn.Module):
    def __init__(self):
        self._setup()

    def _setup(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)


class NoOwnInit(ProjectBase):
    def forward(self, x):
        return self.body(x)


class AbstractInit(nn.Module, abc.ABC):
    def __init__(self):
        raise NotImplementedError


class Overloaded(nn.Module):
    @typing.overload
    def __init__(self, size: int) -> None: ...

    @typing.overload
    def __init__(self, size: str) -> None: ...

    def __init__(self, size):
        super().__init__()
        self.size = size


class NotAModule:
    """Has a forward method, but is not a Module: no base initialiser to call."""

    def __init__(self):
        self.weights = [1.0, 2.0]

    def forward(self, x):
        return x


# Base-class helpers: torch's quantized convolutions call super()._init(...), which runs super().__init__().


class InitHelperBase(nn.Module):
    def __init__(self, features: int):
        raise NotImplementedError("subclasses call _init")

    def _init(self, features: int) -> None:
        super().__init__()
        self.fc = nn.Linear(features, 2)

    def describe(self) -> str:
        return "a base with an initialiser helper"


class ThroughBaseHelper(InitHelperBase):
    def __init__(self, features: int):
        super()._init(features)


class HelperThatDoesNotInitialise(InitHelperBase):
    def __init__(self, features: int):  # [module-super-init-missing]
        self.name = super().describe()


class TorchMethodDoesNotInitialise(nn.Linear):
    def __init__(self):  # [module-super-init-missing]
        super().reset_parameters()
