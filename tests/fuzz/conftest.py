"""Print the differential run's tally (and the share of torch's errors caught) after the session."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = sys.modules.get("tests.fuzz.test_differential")
    tally = getattr(module, "TALLY", None)
    if tally is not None and sum(tally.kinds.values()):
        terminalreporter.write_line(f"differential fuzzing against torch: {tally.summary()}")
