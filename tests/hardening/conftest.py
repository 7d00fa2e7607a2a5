"""Session fixtures: the hostile cases written once, and linted once with torch visible and once with
torch hidden (as in pre-commit's isolated environments), each in one pylint run over every case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.cases import write_cases
from tests.hardening.lint import LintRun, run_pylint

TORCH_SETUPS = {"torch-installed": False, "torch-hidden": True}


@pytest.fixture(scope="session")
def cases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    write_cases(folder)
    return folder


@pytest.fixture(scope="session", params=sorted(TORCH_SETUPS))
def hostile_run(request: pytest.FixtureRequest, cases_folder: Path,
                tmp_path_factory: pytest.TempPathFactory) -> LintRun:
    """pylint with torchport's plugin over every case, in one run."""
    scratch = tmp_path_factory.mktemp(f"pylint-{request.param}")
    names = sorted(str(path.relative_to(cases_folder)) for path in cases_folder.rglob("*.py"))
    return run_pylint(cases_folder, names, scratch, hide_torch=TORCH_SETUPS[request.param])
