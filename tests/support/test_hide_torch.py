"""The torch-free simulation really hides torch (only meaningful under --without-torch)."""

from __future__ import annotations

import importlib

import astroid
import pytest


def test_torch_is_hidden(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--without-torch"):
        pytest.skip("checks the --without-torch simulation; run with --without-torch")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("torch")
    module = astroid.parse("import torch.nn as nn\nnn.Linear")
    assert all(value is astroid.Uninferable for value in module.body[-1].value.infer())
