"""Rules of the shapes family (73xx), on the advisor's shape inference."""

from __future__ import annotations

from collections.abc import Iterator

from astroid import nodes

from torchport.rules.finding import Finding


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the shapes family in one module."""
    yield from ()
