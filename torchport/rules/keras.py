"""Rules of the Keras-conventions family (74xx)."""

from __future__ import annotations

from collections.abc import Iterator

from astroid import nodes

from torchport.rules.finding import Finding


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the Keras-conventions family in one module."""
    yield from ()
