"""The cache of `torchport check`: a second run over unchanged files reads their results; an entry is
used only while the file, every project file its analysis looked at (present or absent) and the settings
are unchanged; a broken cache is ignored and rewritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.advisor.test_check import BROKEN_MODEL, CORRECT_MODEL, SOFTMAX, check_json, write
from torchport.advisor import cache, checking, dependencies
from torchport.advisor.cache import FOLDER

BASE = """\
    from torch import nn


    class Base(nn.Module):
        pass
    """
NOT_A_MODULE = """\
    class Base:
        pass
    """
CHILD = """\
    from base import Base


    class Child(Base):
        def __init__(self):
            self.size = 3
    """  # E7101 only when Base is an nn.Module


COMMAND = "import sys; from torchport.advisor.cli import main; sys.exit(main())"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # torchport's own code is part of the settings: others editing this checkout must not make a run miss
    monkeypatch.setattr(cache, "_code_digest", lambda: "torchport's code as it was")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    return tmp_path


def _no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def analysed(path: Path, config: object) -> None:
        raise AssertionError(f"{path} was analysed, not read from the cache")
    monkeypatch.setattr(checking, "check_file", analysed)


def test_second_run_reads_the_cache_and_prints_the_same(project: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {"model.py": BROKEN_MODEL, "clean.py": CORRECT_MODEL, "py2.py": "print 'x'\n",
                    "skipped.py": "# pylint: skip-file\n" + SOFTMAX})
    first = check_json(".", capsys=capsys)
    assert (project / FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (project / FOLDER / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    with monkeypatch.context() as patched:
        _no_analysis(patched)
        assert check_json(".", capsys=capsys) == first
    (project / "model.py").write_text(textwrap.dedent(CORRECT_MODEL))  # changed: analysed again
    assert check_json(".", capsys=capsys)[1]["findings"] == []


def test_no_cache_neither_reads_nor_writes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL})
    code, data = check_json("--no-cache", ".", capsys=capsys)
    assert code == 1 and not (project / FOLDER).exists()


def test_settings_are_part_of_the_key(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL})
    assert len(check_json(".", capsys=capsys)[1]["findings"]) == 2
    (project / "pyproject.toml").write_text('[tool.torchport]\nseverity = {softmax-without-dim = "info"}\n')
    severities = [f["severity"] for f in check_json(".", capsys=capsys)[1]["findings"]]
    assert severities == ["error", "info"]


def test_a_corrupt_or_unreadable_cache_is_ignored_and_rewritten(project: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"model.py": BROKEN_MODEL, "other.py": SOFTMAX})
    expected = check_json(".", capsys=capsys)
    entries = sorted((project / FOLDER).glob("*.json"))
    assert len(entries) == 2
    entries[0].write_bytes(b"\x00\xff not json")
    entry = json.loads(entries[1].read_text())
    entry["outcome"]["diagnostics"][0][2] = "twelve"  # a line that is not a number
    entries[1].write_text(json.dumps(entry))
    assert check_json(".", capsys=capsys) == expected
    assert all(isinstance(json.loads(e.read_text())["outcome"], dict) for e in entries)  # rewritten
    (project / FOLDER).chmod(0o500)  # not writable: still no error
    for e in entries:
        e.chmod(0o000)
    try:
        assert check_json(".", capsys=capsys) == expected
    finally:
        (project / FOLDER).chmod(0o700)


def _check(root: Path) -> list[tuple[str, str]]:
    """`torchport check` in a fresh process, as pre-commit runs it (the analysis caches of one process,
    such as parsed project files, cannot hide a stale cache entry)."""
    run = subprocess.run([sys.executable, "-c", COMMAND, "check", "--format", "json", "."],
                         cwd=root, capture_output=True, text=True, check=False,
                         env={**os.environ, "GIT_CEILING_DIRECTORIES": str(root.parent)})
    assert run.returncode in (0, 1), run.stderr
    return [(f["path"], f["symbol"]) for f in json.loads(run.stdout)["findings"]]


def test_an_edit_of_a_base_class_in_another_file_changes_the_cached_files_findings(project: Path) -> None:
    write(project, {"child.py": CHILD})
    assert _check(project) == []  # base.py is looked for and absent: Base is unknown
    write(project, {"base.py": BASE})  # the absent file appears; child.py is unchanged
    assert _check(project) == [("child.py", "module-super-init-missing")]
    write(project, {"base.py": NOT_A_MODULE})  # child.py unchanged, its base no longer a Module
    assert _check(project) == []


def test_torchports_code_is_part_of_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    config = checking.Config()
    before = cache.settings_digest(config)
    assert cache.settings_digest(config) == before
    monkeypatch.setattr(cache, "_code_digest", lambda: "edited")
    assert cache.settings_digest(config) != before


def test_dependencies_are_transitive_and_include_the_pyproject_chain(project: Path) -> None:
    write(project, {
        "pkg/__init__.py": "", "pkg/root.py": BASE,
        "pkg/middle.py": "from pkg.root import Base\n\n\nclass Middle(Base):\n    pass\n",
        "pkg/leaf.py": "from pkg.middle import Middle\n\n\nclass Leaf(Middle):\n    def __init__(self):\n"
                       "        self.x = 1\n",
        "pkg/other.py": "from pkg.middle import Middle\n\n\nclass Other(Middle):\n    pass\n",
        "pyproject.toml": "[tool.torchport]\n",
    })
    dependencies.start_recording()
    for name in ("pkg/leaf.py", "pkg/other.py"):  # other.py reuses what leaf.py's analysis learnt
        checking.check_file(Path(name), checking.load_config(project))
        found = dependencies.of(Path(name))
        assert str(project / "pkg/middle.py") in found and str(project / "pkg/root.py") in found, found
        assert found[str(project / "pyproject.toml")] == dependencies.digest(project / "pyproject.toml")
        assert found[str(project / "pkg/pyproject.toml")] is None  # looked for first, absent
        assert str(project.parent / "pyproject.toml") not in found  # the search stops at the nearest one
