"""Rules of the structure family."""

from __future__ import annotations

from collections.abc import Iterator

from astroid import nodes

from torchport.rules.finding import Finding


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the structure family in one module."""
    yield from ()
