"""Differential fuzzing of the shape engine against torch: generated model files (tests/fuzz/strategies.py)
run by torch on the meta device and summarised by torchport; the invariants are in tests/fuzz/differential.py.

A bounded, derandomized run, so CI sees the same examples every time; `bench/fuzz.py` runs long ones. The
tally (and the share of torch's errors torchport catches) is printed at the end of the session.

Every torchport module is imported first (strategies.import_all_of_torchport), so the examples are the same
whichever tests ran before.
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")  # the oracle; skipped where torch is absent or hidden (--without-torch)

from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.fuzz.differential import CAUGHT, EXACT, FAILED, Tally, check  # noqa: E402
from tests.fuzz.strategies import Example, examples, import_all_of_torchport  # noqa: E402

TALLY = Tally()
EXAMPLES = 80

import_all_of_torchport()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(examples())
def test_torchport_agrees_with_torch(example: Example) -> None:
    verdict = check(example)
    TALLY.add(example, verdict)
    assert verdict.kind != FAILED, verdict.report(example)


def test_the_run_covers_both_sides() -> None:
    """The bounded run is not vacuous: most models run and are summarised exactly, and torch's errors are
    caught (runs after the test above; alone it runs it first)."""
    if sum(TALLY.kinds.values()) < EXAMPLES:
        test_torchport_agrees_with_torch()
    assert TALLY.kinds[EXACT] >= EXAMPLES // 3, TALLY.summary()
    assert TALLY.kinds[CAUGHT] >= EXAMPLES // 10, TALLY.summary()
