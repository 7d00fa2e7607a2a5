"""Test-session options shared by the whole suite."""

from __future__ import annotations

import pytest

from tests.support.hide_torch import hide_torch


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-torch",
        action="store_true",
        help="make torch unimportable for Python and unparsable for astroid, as in a torch-free venv",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--without-torch"):
        hide_torch()
