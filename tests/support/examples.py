"""Shared helpers of the rule oracle tests: a family's findings on a source, torch objects by name."""

from __future__ import annotations

import importlib
from typing import Any

import astroid

from torchport.rules import run_family


def family_symbols(family: str, source: str) -> list[str]:
    """The symbols of one rule family's findings on a source text."""
    return [finding.symbol for finding in run_family(family, astroid.parse(source, module_name="example"))]


def resolve(qualified: str) -> Any:
    """The torch object a canonical name denotes: the longest importable module, then attributes."""
    parts = qualified.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ImportError(qualified)
