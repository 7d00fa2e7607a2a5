"""run_family pauses Python's cyclic garbage collector while the rules run and leaves the host's setting
exactly as it found it (pylint's process must not be left with collection off, nor turned on by us)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from astroid import nodes

from torchport.analysis.parsing import PlainBuilder
from torchport.rules import RULES, Finding, run_family


@pytest.fixture
def spy_family(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A family that records whether the collector runs while it works, then fails half the time."""
    seen: list[bool] = []

    def check(module: nodes.Module) -> Iterator[Finding]:
        seen.append(gc.isenabled())
        if len(seen) % 2 == 0:
            raise ValueError("a bug in a rule")
        yield from ()

    monkeypatch.setitem(RULES, "spy", check)
    return seen


@pytest.mark.parametrize("enabled_before", [True, False])
def test_collection_is_paused_during_a_family_and_restored_after(spy_family: list[bool], enabled_before: bool) -> None:
    module = PlainBuilder().string_build("x = 1\n", "spied")
    was = gc.isenabled()
    try:
        (gc.enable if enabled_before else gc.disable)()
        assert run_family("spy", module) == []
        assert gc.isenabled() is enabled_before
        errors = run_family("spy", module)  # the second run raises inside the rule
        assert [f.symbol for f in errors] == ["torchport-analysis-error"]
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if was else gc.disable)()
    assert spy_family == [False, False]
