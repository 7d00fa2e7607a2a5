"""`torchport check -j N`: files analysed in worker processes give the serial run's output, in the same
order, with the progress callback once per file; a worker that dies is reported for its file only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.advisor.test_check import BROKEN_MODEL, CORRECT_MODEL, SOFTMAX, run_torchport, write
from torchport.advisor import parallel
from torchport.advisor.checking import FileError, check_files
from torchport.config import Config

FILES = {
    "a_model.py": BROKEN_MODEL, "b_clean.py": CORRECT_MODEL, "c_py2.py": "print 'hello'\n",
    "pkg/__init__.py": "", "pkg/d_softmax.py": SOFTMAX, "pkg/e_model.py": BROKEN_MODEL, "z_last.py": SOFTMAX,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, FILES)
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "rich"])  # the formats only print the same result
def test_jobs_give_the_serial_output(project: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    serial = run_torchport("check", "--no-cache", "--format", fmt, "-j", "1", ".", capsys=capsys)
    parallel_run = run_torchport("check", "--no-cache", "--format", fmt, "-j", "2", ".", capsys=capsys)
    assert serial[0] == 2 and "pkg/e_model.py" in serial[1]
    assert parallel_run == serial


def test_progress_is_called_once_per_file(project: Path) -> None:
    files = sorted(Path(".").rglob("*.py"))
    seen: list[Path] = []
    result = check_files(files, Config(), on_file=seen.append, jobs=2)
    assert sorted(seen) == files
    assert [f.path for f in result.files] + [e.path for e in result.errors] == \
        [p for p in files if p.name != "c_py2.py"] + [Path("c_py2.py")]


def test_jobs_0_is_one_per_cpu_and_bad_values_are_usage_errors(project: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert run_torchport("check", "--no-cache", "-j", "0", "b_clean.py", capsys=capsys)[0] == 0
    for bad in ("-1", "two"):
        with pytest.raises(SystemExit) as exit_info:
            run_torchport("check", "-j", bad, ".", capsys=capsys)
        assert exit_info.value.code == 2
        assert "argument -j/--jobs" in capsys.readouterr().err


def _die_on_boom(item: str) -> str:
    if item == "boom":
        os._exit(3)  # as a segfault or the OOM killer would end the worker
    if item == "raise":
        raise ValueError("a bug")
    return item.upper()


def _crashed(item: str, reason: str) -> str:
    return f"{item} crashed: {reason}"


def test_a_dying_worker_is_reported_for_its_item_and_the_others_finish() -> None:
    items = ["a", "boom", "b", "raise", "c", "d"]
    done: list[int] = []
    results = parallel.map_ordered(_die_on_boom, items, 2, _crashed, lambda index, _: done.append(index))
    assert results == ["A", "boom crashed: its worker process stopped abruptly", "B",
                       "raise crashed: ValueError: a bug", "C", "D"]
    assert sorted(done) == list(range(len(items)))


def test_an_internal_error_is_a_file_error_not_a_traceback(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from torchport.advisor import checking

    def broken(path: Path, config: Config) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checking, "check_file", broken)
    result = check_files([Path("a_model.py")], Config(), jobs=1)
    assert result.errors == [FileError(Path("a_model.py"),
                                       "torchport crashed on this file: RuntimeError: boom (please report it)")]


def test_auto_jobs_uses_every_cpu_only_for_runs_long_enough_to_repay_the_workers() -> None:
    assert parallel.auto_jobs(parallel.AUTO_MIN_ITEMS - 1) == 1
    assert parallel.auto_jobs(parallel.AUTO_MIN_ITEMS) == parallel.cpu_count() >= 1


def test_in_one_process_an_escaping_error_is_reported_for_its_item_too() -> None:
    results = parallel.map_ordered(_die_on_boom, ["a", "raise", "b"], 1, _crashed)
    assert results == ["A", "raise crashed: ValueError: a bug", "B"]
