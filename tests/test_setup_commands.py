"""CI runs exactly the test command the README gives to users."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme_commands = [line for line in (ROOT / "README.md").read_text().splitlines() if "pytest" in line]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands, "README.md gives no test command"
    assert readme_commands[0] in ci_lines
