"""`torchport check`: exit codes, file discovery, configuration and `# pylint:` comments, on small
projects in tmp_path, run through the real command line (torchport.advisor.cli.main)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from torchport.advisor import cli

RCFILE = Path(__file__).parents[1] / "lint_rules" / "torchport.rc"

BROKEN_MODEL = """\
    import torch.nn.functional as F
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return F.softmax(self.fc(x))
    """
CORRECT_MODEL = """\
    import torch.nn.functional as F
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            return F.softmax(self.fc(x), dim=-1)
    """
SOFTMAX = "import torch.nn.functional as F\n\n\ndef f(x):\n    return F.softmax(x)\n"


def run_torchport(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`torchport ARGV` in-process: exit code, stdout, stderr."""
    commands = cli.COMMANDS if "check" in cli.COMMANDS else (*cli.COMMANDS, "check")
    original = cli.COMMANDS
    cli.COMMANDS = commands  # until the lead registers `check` in cli.COMMANDS
    try:
        code = cli.main(list(argv))
    finally:
        cli.COMMANDS = original
    out, err = capsys.readouterr()
    return code, out, err


def check_json(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, err = run_torchport("check", "--format", "json", *argv, capsys=capsys)
    assert "Traceback" not in err
    return code, json.loads(out)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def found(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["symbol"]) for f in data["findings"]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------------- exit codes

def test_clean_project_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": CORRECT_MODEL})
    code, out, _ = run_torchport("check", ".", capsys=capsys)
    assert code == 0
    assert "No findings in 1 file" in out


def test_findings_exit_1_with_their_place(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL})
    code, data = check_json("model.py", capsys=capsys)
    assert code == 1
    assert found(data) == [("model.py", 6, "module-super-init-missing"), ("model.py", 10, "softmax-without-dim")]
    first = data["findings"][0]
    assert first | {"message": ""} == {
        "path": "model.py", "line": 6, "column": 4, "end_line": 6, "end_column": 16,
        "symbol": "module-super-init-missing", "id": "E7101", "severity": "error", "message": ""}
    assert first["message"].startswith("Net defines __init__ but never calls super().__init__()")
    assert data["files"] == 1 and data["errors"] == []


def test_default_path_is_the_current_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"pkg/model.py": BROKEN_MODEL})
    code, data = check_json(capsys=capsys)
    assert code == 1
    assert {f["path"] for f in data["findings"]} == {"pkg/model.py"}


def test_missing_path_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_torchport("check", "nowhere.py", capsys=capsys)
    assert code == 2
    assert out == ""
    assert err == "torchport: error: nowhere.py: no such file or folder\n"


def test_unreadable_and_invalid_files_are_listed_without_traceback(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL, "py2.py": "print 'hello'\n"})
    (project / "latin1.py").write_bytes(b"x = '\xe9'\n")
    code, data = check_json(".", capsys=capsys)
    assert code == 2  # an input error wins over findings
    assert [e["path"] for e in data["errors"]] == ["latin1.py", "py2.py"]
    assert "not valid Python (line 1)" in data["errors"][1]["message"]
    assert all("\n" not in e["message"] and e["message"] for e in data["errors"])
    assert {f["path"] for f in data["findings"]} == {"model.py"}  # the other files are still checked
    assert data["files"] == 3


def test_broken_link_is_reported_on_one_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": CORRECT_MODEL})
    (project / "link.py").symlink_to(project / "gone.py")
    code, out, err = run_torchport("check", ".", capsys=capsys)
    assert code == 2
    assert "link.py: cannot analyse: cannot read the file: [Errno 2] No such file or directory" in out
    assert "No findings in 2 files; 1 file could not be analysed." in out
    assert err == ""


# --------------------------------------------------------------------------------- discovery

def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_is_respected_in_a_git_work_tree(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {
        ".gitignore": "generated/\nscratch_*.py\n",
        "tracked.py": SOFTMAX, "untracked.py": SOFTMAX, "scratch_1.py": SOFTMAX,
        "generated/model.py": SOFTMAX, ".hidden/model.py": SOFTMAX, ".venv/pyvenv.cfg": "home = /usr\n",
        ".venv/lib/site.py": SOFTMAX, "sub/deep.py": SOFTMAX,
    })
    _git(project, "init", "-q")
    _git(project, "add", "tracked.py")
    code, data = check_json(".", capsys=capsys)
    assert code == 1
    assert sorted({f["path"] for f in data["findings"]}) == ["sub/deep.py", "tracked.py", "untracked.py"]
    # a folder below the root sees the same rules; a file or folder named explicitly is checked even if ignored
    _, data = check_json("sub", "generated/model.py", capsys=capsys)
    assert [f["path"] for f in data["findings"]] == ["sub/deep.py", "generated/model.py"]
    _, data = check_json("generated", capsys=capsys)
    assert [f["path"] for f in data["findings"]] == ["generated/model.py"]


def test_outside_git_hidden_folders_venvs_and_caches_are_skipped(
        project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(project.parent))  # never the repo tmp_path may be in
    write(project, {
        "model.py": SOFTMAX, "pkg/layers.py": SOFTMAX, ".hidden/model.py": SOFTMAX,
        "env/pyvenv.cfg": "home = /usr\n", "env/lib/site.py": SOFTMAX, "pkg/__pycache__/cached.py": SOFTMAX,
    })
    code, data = check_json(".", capsys=capsys)
    assert code == 1
    assert sorted({f["path"] for f in data["findings"]}) == ["model.py", "pkg/layers.py"]


def test_exclude_globs_apply_to_folders_and_named_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {
        "pyproject.toml": '[tool.torchport]\nexclude = ["legacy", "*_pb2.py"]\n',
        "model.py": SOFTMAX, "legacy/old.py": SOFTMAX, "proto/model_pb2.py": SOFTMAX,
    })
    _, data = check_json(".", capsys=capsys)
    assert [f["path"] for f in data["findings"]] == ["model.py"]
    code, data = check_json("legacy/old.py", capsys=capsys)  # pre-commit names files: still excluded
    assert (code, data["findings"], data["files"]) == (0, [], 0)


# ------------------------------------------------------------------------------ configuration

def test_config_disable_enable_and_severity(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL})
    (project / "pyproject.toml").write_text('[tool.torchport]\ndisable = ["softmax-without-dim"]\n')
    assert [f["symbol"] for f in check_json(".", capsys=capsys)[1]["findings"]] == ["module-super-init-missing"]

    (project / "pyproject.toml").write_text('[tool.torchport]\nenable = ["losses"]\n')
    assert [f["symbol"] for f in check_json(".", capsys=capsys)[1]["findings"]] == ["softmax-without-dim"]

    (project / "pyproject.toml").write_text('[tool.torchport]\ndisable = ["E7101", "W7205"]\n')
    assert check_json(".", capsys=capsys) == (0, check_json(".", capsys=capsys)[1])

    (project / "pyproject.toml").write_text('[tool.torchport.severity]\nmodule-super-init-missing = "warning"\n')
    severities = {f["symbol"]: f["severity"] for f in check_json(".", capsys=capsys)[1]["findings"]}
    assert severities == {"module-super-init-missing": "warning", "softmax-without-dim": "warning"}


def test_config_is_found_by_walking_up_from_the_first_path(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"pyproject.toml": '[tool.torchport]\ndisable = ["structure"]\n', "src/pkg/model.py": BROKEN_MODEL})
    _, data = check_json("src/pkg", capsys=capsys)
    assert [f["symbol"] for f in data["findings"]] == ["softmax-without-dim"]


@pytest.mark.parametrize(("table", "expected"), [
    ('[tool.torchport]\ndisabel = ["x"]\n', "unknown key 'disabel' (did you mean 'disable'?); allowed keys:"),
    ('[tool.torchport]\ndisable = ["softmax-withot-dim"]\n',
     "disable: unknown rule 'softmax-withot-dim' (did you mean 'softmax-without-dim'?)"),
    ('[tool.torchport]\ndisable = "softmax-without-dim"\n', "disable: must be a list of rule names"),
    ('[tool.torchport.severity]\nsoftmax-without-dim = "warn"\n',
     "softmax-without-dim: 'warn' is not a severity (did you mean 'warning'?); allowed: error, warning"),
    ('[tool.torchport]\nexclude = "legacy"\n', "exclude: must be a list of glob strings"),
    ('[tool.torchport\n', "not valid TOML"),
])
def test_config_errors_are_one_line_and_exit_2(
        project: Path, capsys: pytest.CaptureFixture[str], table: str, expected: str) -> None:
    write(project, {"pyproject.toml": table, "model.py": BROKEN_MODEL})
    code, out, err = run_torchport("check", ".", capsys=capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("torchport: error: ") and err.count("\n") == 1
    assert expected in err


# ---------------------------------------------------------------------- pylint's disable comments

PRAGMAS = {
    "pragmas.py": '''\
        """Every way pylint reads a disable comment, on findings torchport reports."""
        import torch.nn.functional as F
        from torch import nn


        def line_level(x):
            return F.softmax(x)  # pylint: disable=softmax-without-dim


        def by_id(x):
            return F.softmax(x)  # pylint: disable=W7205


        def by_checker_name(x):
            return F.softmax(x)  # pylint: disable=torchport


        def by_category(x):
            return F.softmax(x)  # pylint: disable=W


        def block_level(x):
            # pylint: disable=softmax-without-dim
            y = F.softmax(x)
            return F.softmax(y)


        def after_the_block(x):
            return F.softmax(x)


        def next_line(x):
            # pylint: disable-next=softmax-without-dim
            y = F.softmax(x)
            return F.softmax(y)


        def enabled_again(x):
            # pylint: disable=softmax-without-dim
            y = F.softmax(x)
            # pylint: enable=softmax-without-dim
            return F.softmax(y)


        def another_symbol(x):
            return F.softmax(x)  # pylint: disable=module-super-init-missing


        def two_symbols(x):
            return F.softmax(x)  # pylint: disable=module-super-init-missing, softmax-without-dim


        class OnClassLine(nn.Module):  # pylint: disable=module-super-init-missing
            def __init__(self):
                self.fc = nn.Linear(4, 2)


        class OnDefLine(nn.Module):
            def __init__(self):  # pylint: disable=module-super-init-missing
                self.fc = nn.Linear(4, 2)


        class InClassBody(nn.Module):
            # pylint: disable=module-super-init-missing
            def __init__(self):
                self.fc = nn.Linear(4, 2)


        class NotSuppressed(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(4, 2)
        ''',
    "module_level.py": '''\
        # pylint: disable=softmax-without-dim
        import torch.nn.functional as F


        def f(x):
            return F.softmax(x)


        def g(x):
            return F.softmax(x)  # pylint: disable=W7205
        ''',
    "skip_file.py": "# pylint: skip-file\n" + SOFTMAX,
    "disable_all.py": SOFTMAX + "\n\ndef g(x):\n    return F.softmax(x)  # pylint: disable=all\n",
    "late_module_disable.py": SOFTMAX + "\n\n# pylint: disable=softmax-without-dim\n\n\ndef g(x):\n    return F.softmax(x)\n",
}


def _pylint_findings(root: Path) -> set[tuple[str, int, int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "pylint", f"--rcfile={RCFILE}", "--score=n",
         "--msg-template={path}|{line}|{column}|{msg_id}", *sorted(PRAGMAS)],
        cwd=root, capture_output=True, text=True, check=False,
    )
    rows = [line.split("|") for line in result.stdout.splitlines() if line.count("|") == 3]
    assert result.returncode & (1 | 32) == 0, result.stderr  # pylint's bit mask: no fatal, no usage error
    return {(path, int(line), int(column), msgid) for path, line, column, msgid in rows}


def test_disable_comments_suppress_exactly_what_pylint_suppresses(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, PRAGMAS)
    _, data = check_json(*sorted(PRAGMAS), capsys=capsys)
    ours = {(f["path"], f["line"], f["column"], f["id"]) for f in data["findings"]}
    assert ours == _pylint_findings(project)
    # and the comparison is not vacuous: what survives is what the sample means to leave
    assert sorted((path, line) for path, line, _, _ in ours) == [
        ("late_module_disable.py", 5),
        ("pragmas.py", 29), ("pragmas.py", 35), ("pragmas.py", 42), ("pragmas.py", 46),
        ("pragmas.py", 54), ("pragmas.py", 70),  # a disable on the class line covers that line only
    ]
