"""Hostile and odd files (tests/hardening/cases.py) through pylint's real entry with torchport's plugin:
each gets exactly its expected messages, and nothing reaches stderr."""

from __future__ import annotations

import pytest

from tests.hardening.cases import CASES, Case
from tests.hardening.lint import COULD_NOT_READ, LintRun


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_gets_exactly_its_expected_messages(case: Case, hostile_run: LintRun) -> None:
    reported = hostile_run.by_file().get(case.name, [])
    torchport = sorted((m.line, m.symbol) for m in reported if m.is_torchport)
    unreadable = sorted({m.symbol for m in reported if m.symbol in COULD_NOT_READ})
    if case.could_not_read:
        assert unreadable == [case.could_not_read], f"pylint should say it could not read {case.name}"
        assert torchport == [], "torchport reports nothing on a file Python cannot read"
    else:
        assert unreadable == []
        assert torchport == sorted(case.expected())


def test_nothing_reaches_stderr(hostile_run: LintRun) -> None:
    assert "Traceback" not in hostile_run.stderr
    assert hostile_run.stderr.strip() == ""


def test_torchport_never_fails_or_runs_out_of_time(hostile_run: LintRun) -> None:
    internal = [m for m in hostile_run.messages
                if m.symbol in ("torchport-analysis-error", "torchport-budget-exceeded")]
    assert internal == []


def test_every_case_was_linted(hostile_run: LintRun) -> None:
    """A clean case proves something only if pylint looked at it."""
    assert hostile_run.modules_linted >= len(CASES)
