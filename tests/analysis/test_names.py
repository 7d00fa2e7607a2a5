"""Name resolution gives torch's public names for every import style, without inference."""

from __future__ import annotations

import astroid
import pytest

from torchport.analysis.names import canonical, qualified_name

IMPORTS = """
import torch
import torch.nn as nn
import torch.nn
from torch import nn as tnn
from torch.nn import Linear as L
import torch.nn.functional as F
from torch.nn import functional as F2
from torch.nn.modules.conv import Conv2d as C2
from pytorch_lightning import LightningModule as PLM
import lightning.pytorch as lp
Dense = nn.Linear
"""

CASES = [
    ("nn.Linear", "torch.nn.Linear"),
    ("torch.nn.Linear", "torch.nn.Linear"),
    ("tnn.Linear", "torch.nn.Linear"),
    ("L", "torch.nn.Linear"),
    ("F.relu", "torch.nn.functional.relu"),
    ("F2.softmax", "torch.nn.functional.softmax"),
    ("torch.nn.modules.linear.Linear", "torch.nn.Linear"),
    ("C2", "torch.nn.Conv2d"),
    ("torch.softmax", "torch.softmax"),
    ("PLM", "lightning.LightningModule"),
    ("lp.LightningModule", "lightning.LightningModule"),
    ("Dense", "torch.nn.Linear"),
]


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_import_styles_resolve_to_public_names(expression: str, expected: str) -> None:
    node = astroid.extract_node(IMPORTS + expression)
    assert qualified_name(node) == expected


def test_function_local_import_and_shadowing() -> None:
    local, shadowed = astroid.extract_node(
        """
        import torch.nn as nn
        def build():
            from torch.nn import Conv2d
            return __(Conv2d)
        def other(nn):
            return __(nn.Linear)
        """
    )
    assert qualified_name(local) == "torch.nn.Conv2d"
    assert qualified_name(shadowed) is None  # a parameter named nn is not torch.nn


def test_unresolvable_expressions_are_none() -> None:
    for source in ("unknown_name", "f().attr", "x[0].Linear", "(lambda: 1)"):
        assert qualified_name(astroid.extract_node(source)) is None


def test_alias_cycles_terminate() -> None:
    node = astroid.extract_node("a = b\nb = a\na")
    assert qualified_name(node) is None


def test_relative_import_resolves_against_the_package() -> None:
    module = astroid.parse("from .blocks import Base\nBase", module_name="pkg.models.net")
    assert qualified_name(module.body[-1].value) == "pkg.models.blocks.Base"


def test_canonical_keeps_public_names() -> None:
    assert canonical("torch.nn.Linear") == "torch.nn.Linear"
    assert canonical("torch.nn.modules.batchnorm.BatchNorm2d") == "torch.nn.BatchNorm2d"
    assert canonical("torch.nn.parameter.Parameter") == "torch.nn.Parameter"
    assert canonical("numpy.linalg.norm") == "numpy.linalg.norm"
