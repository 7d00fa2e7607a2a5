"""The command line on hostile input: `summary`, `check`, `fix --diff` and `explain` answer every case
with a result or a one-line error (exit 2), never a traceback or an "internal error"; `check` finds on
each case what the pylint plugin finds, and lists the files it could not read."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.cases import CASES, Case
from torchport.advisor import cli

READABLE = [case for case in CASES if not case.could_not_read]
UNREADABLE = [case for case in CASES if case.could_not_read]
# a sum of 5000 terms: CPython's parser itself runs out of recursion on it
TOO_DEEP = "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n" \
           "        return " + " + ".join(["x"] * 5000) + "\n"
BROKEN = "from torch import nn\n\n\nclass Net(nn.Module):\n    def forward(self, x):\n        return nn.ReLU()(x)\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_clean_failure(code: int, err: str) -> None:
    """Exit 2 with one line of explanation, which is not an internal error."""
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("torchport: error: ") and "internal error" not in err and "Traceback" not in err


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")


# --- summary -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", UNREADABLE, ids=[case.name for case in UNREADABLE])
def test_summary_of_an_unreadable_file_is_one_line_and_exit_2(case: Case, cases_folder: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", str(cases_folder / case.name))
    assert_clean_failure(code, err)
    assert case.name in err and ("not valid Python" in err or "cannot read" in err)
    assert out == ""


@pytest.mark.parametrize("case", READABLE, ids=[case.name for case in READABLE])
def test_summary_of_an_odd_file_is_a_table_or_one_line(case: Case, cases_folder: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", str(cases_folder / case.name))
    if code == 0:
        assert out.strip() and err == ""
    else:
        assert_clean_failure(code, err)


def test_summary_of_a_syntax_error_through_the_real_command(cases_folder: Path) -> None:
    """The installed console script, in its own process: what a user's terminal shows."""
    command = Path(sys.executable).with_name("torchport")
    result = subprocess.run([str(command), "summary", "syntax_error.py"], cwd=cases_folder, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "torchport: error: syntax_error.py: not valid Python (line 6): '(' was never closed\n"


def test_summary_of_an_expression_too_deep_for_python(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.py").write_text(TOO_DEEP)
    code, _, err = run(capsys, "summary", str(tmp_path / "deep.py"))
    assert_clean_failure(code, err)
    assert "not valid Python: expressions nested too deeply for Python's parser" in err


@pytest.mark.parametrize("target", ["{folder}", "{folder}/missing.py", "{folder}/empty.py::", "{folder}/empty.py::Net(",
                                    "{folder}/recursive_forward.py::NoSuchClass",
                                    "{folder}/recursive_forward.py::SelfRecursive(__import__('os').system('exit 3'))"])
def test_summary_of_a_bad_target_is_one_line(target: str, cases_folder: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "summary", target.format(folder=cases_folder))
    assert_clean_failure(code, err)
    assert out == ""


# --- check and fix -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def check_report(cases_folder: Path) -> tuple[int, dict, str]:
    """`torchport check --format json .` run in the cases' folder, once for every test."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(cases_folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["check", "--format", "json", "."])
    finally:
        os.chdir(here)
    return code, json.loads(out.getvalue()), err.getvalue()


def test_check_lists_exactly_the_files_it_could_not_read(check_report: tuple[int, dict, str]) -> None:
    code, report, err = check_report
    assert code == 2 and "Traceback" not in err
    assert sorted(error["path"] for error in report["errors"]) == sorted(case.name for case in UNREADABLE)


@pytest.mark.parametrize("case", READABLE, ids=[case.name for case in READABLE])
def test_check_finds_on_each_case_what_the_plugin_finds(case: Case, check_report: tuple[int, dict, str]) -> None:
    _, report, _ = check_report
    found = {(finding["line"], finding["symbol"]) for finding in report["findings"] if finding["path"] == case.name}
    assert found == case.expected()


def test_check_and_fix_go_on_past_an_expression_too_deep_for_python(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.py").write_text(TOO_DEEP)
    (tmp_path / "broken.py").write_text(BROKEN)
    code, out, err = run(capsys, "check", "--format", "json", str(tmp_path))
    report = json.loads(out)
    assert code == 2 and "internal error" not in err
    assert [error["path"].rsplit("/", 1)[-1] for error in report["errors"]] == ["deep.py"]
    assert [finding["symbol"] for finding in report["findings"]] == ["stateless-layer-built-in-forward"]
    code, out, err = run(capsys, "fix", "--diff", str(tmp_path))
    assert code == 2 and "internal error" not in err and "deep.py" in err
    assert "+        return nn.functional.relu(x)\n" in out


def test_check_goes_on_past_a_symbolic_link_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    (tmp_path / "broken.py").write_text(BROKEN)
    code, out, err = run(capsys, "check", "--format", "json", str(tmp_path))
    assert "internal error" not in err
    assert [finding["symbol"] for finding in json.loads(out)["findings"]] == ["stateless-layer-built-in-forward"]
    assert code == 2


def test_fix_diff_over_every_case_writes_nothing_and_never_fails_inside(cases_folder: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in cases_folder.rglob("*.py")}
    code, _, err = run(capsys, "fix", "--diff", str(cases_folder))
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in cases_folder.rglob("*.py")}
    assert code == 2 and "internal error" not in err and "Traceback" not in err
    assert after == before


# --- explain ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", " ", "bad\udcffsymbol", "x" * 10_000, "E7101;rm -rf /", "%s%s%n", "{0}",
                                   "../../etc/passwd", "ｍｏｄｕｌｅ-super-init-missing", "\t\n"])
def test_explain_of_an_odd_query_is_one_line(query: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", query)
    assert_clean_failure(code, err)
    assert out == ""


@pytest.mark.parametrize("query", ["torchport-budget-exceeded", "I7199", "i7199"])
def test_explain_pages_the_budget_note(query: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", query)
    assert code == 0 and "TORCHPORT_TIME_BUDGET" in out
