"""Functional tests in pylint's style: each sample under functional/<family>/ marks the messages it
expects with `# [symbol]` on their lines, and its .txt file holds pylint's full expected output.

Regenerate a .txt after a deliberate message change with TORCHPORT_UPDATE_FUNCTIONAL=1, then read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pylint.testutils import lint_module_test
from pylint.testutils.functional import FunctionalTestFile, LintModuleOutputUpdate

FUNCTIONAL_DIR = Path(__file__).parent / "functional"
RC_FILE = Path(__file__).parent / "torchport.rc"
TESTS = [FunctionalTestFile(str(path.parent), path.name) for path in sorted(FUNCTIONAL_DIR.rglob("*.py"))]


@pytest.mark.parametrize("test_file", TESTS, ids=[f"{Path(t._directory).name}/{t.base}" for t in TESTS])
def test_functional(test_file: FunctionalTestFile, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint_module_test, "PYLINTRC", RC_FILE)
    if os.environ.get("TORCHPORT_UPDATE_FUNCTIONAL"):
        lint_test: lint_module_test.LintModuleTest = LintModuleOutputUpdate(test_file)
    else:
        lint_test = lint_module_test.LintModuleTest(test_file)
    lint_test.setUp()
    lint_test.runTest()
