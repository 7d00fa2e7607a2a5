"""Replay every failing example the differential fuzzing found (tests/fuzz/regressions/*.py).

Each file is the generated source, unchanged, and a last comment line recording its inputs, what torch
does with it, the verdict it must get when "not failed" is too weak and, for a bug not fixed yet, the
reason of a strict xfail: the test then fails the day the bug is fixed, so the mark is removed with the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")  # the oracle

from tests.fuzz.differential import FAILED, check, load_regression  # noqa: E402

REGRESSIONS = sorted((Path(__file__).parent / "regressions").glob("*.py"))


def _cases() -> list[object]:
    cases = []
    for path in REGRESSIONS:
        xfail = load_regression(path.read_text()).xfail
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        cases.append(pytest.param(path, id=path.stem, marks=marks))
    return cases


@pytest.mark.parametrize("path", _cases())
def test_regression(path: Path) -> None:
    regression = load_regression(path.read_text())
    example = regression.example

    verdict = check(example)

    assert verdict.torch == regression.torch, "torch no longer does what the regression records: regenerate it"
    assert verdict.kind != FAILED, verdict.report(example)
    if regression.verdict is not None:
        assert verdict.kind == regression.verdict, verdict.report(example)


def test_there_are_regressions_to_replay() -> None:
    assert REGRESSIONS
