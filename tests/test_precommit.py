"""The pre-commit hooks, run for real: `pre-commit try-repo` of this working tree on throwaway repos.

Three hooks: `torchport` (pylint with the plugin), `torchport-check` and `torchport-fix` (the command).
pre-commit builds the hooks' own environment from PyPI (torchport and its dependencies, no torch): one
install (~20 s), shared by every test through one pre-commit store for the session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUGGY = '''\
"""A digit classifier ported from a Keras Sequential model."""
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        self.hidden = nn.Linear(784, 128)
        self.out = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))
'''
BUGGY_INIT_LINE = 7
CLEAN = '''\
"""The same classifier, ported correctly."""
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.hidden = nn.Linear(784, 128)
        self.out = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))
'''


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=torchport tests", "-c", "user.email=tests@torchport.invalid", *args],
        cwd=cwd, check=True, capture_output=True, text=True, env=_clean_env(),
    ).stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without git variables that would point git at another repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env


def _make_repo(path: Path, files: dict[str, str]) -> Path:
    path.mkdir()
    _git(path, "init", "-q")
    for name, text in files.items():
        (path / name).write_text(text)
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "models")
    return path


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A commit of this checkout's working tree as it is now, new and modified files included.

    try-repo on the checkout itself would see only HEAD plus changes to tracked files.
    """
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit cannot work without it")
    version = subprocess.run([sys.executable, "-m", "pre_commit", "--version"], capture_output=True, text=True)
    if version.returncode != 0:
        pytest.skip(f"pre-commit cannot start in this environment: {version.stderr.strip()[-300:]}")
    snapshot = tmp_path_factory.mktemp("torchport-hook-repo")
    listed = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "working tree of the torchport checkout under test")
    return snapshot


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store (its hook environments) for the session: the snapshot's hooks install once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, repo: Path, store: Path, *hook: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of `hook` (default: every hook of the manifest) on all files of `repo`."""
    env = _clean_env(PRE_COMMIT_HOME=str(store), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *hook, "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_fails_on_a_missing_super_init_and_names_file_line_and_message(
    hook_repo: Path, tmp_path: Path, store: Path
) -> None:
    repo = _make_repo(tmp_path / "project", {"buggy_model.py": BUGGY, "clean_model.py": CLEAN})
    result = _try_repo(hook_repo, repo, store, "torchport")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert re.search(r"^torchport\.+Failed$", output, re.MULTILINE), output[-3000:]
    finding = rf"^buggy_model\.py:{BUGGY_INIT_LINE}:\d+: E71\d\d: .*\(module-super-init-missing\)$"
    assert re.search(finding, output, re.MULTILINE), output[-3000:]
    assert "clean_model.py" not in output


def test_every_hook_passes_on_a_clean_repo(hook_repo: Path, tmp_path: Path, store: Path) -> None:
    repo = _make_repo(tmp_path / "project", {"clean_model.py": CLEAN})
    result = _try_repo(hook_repo, repo, store)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for name in ("torchport", "torchport check", "torchport fix"):
        assert re.search(rf"^{name}\.+Passed$", output, re.MULTILINE), output[-3000:]
    assert (repo / "clean_model.py").read_text() == CLEAN
    assert _git(repo, "status", "--porcelain") == ""  # the cache folder ignores itself


def test_check_fails_and_fix_fixes_then_every_hook_passes(hook_repo: Path, tmp_path: Path, store: Path) -> None:
    repo = _make_repo(tmp_path / "project", {"buggy_model.py": BUGGY, "clean_model.py": CLEAN})
    result = _try_repo(hook_repo, repo, store)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert re.search(r"^torchport check\.+Failed$", output, re.MULTILINE), output[-3000:]
    finding = rf"^buggy_model\.py:{BUGGY_INIT_LINE}:5: E7101 module-super-init-missing Classifier defines __init__"
    assert re.search(finding, output, re.MULTILINE), output[-3000:]
    assert re.search(r"^torchport fix\.+Failed\n- hook id: torchport-fix\n- files were modified by this hook",
                     output, re.MULTILINE), output[-3000:]
    assert f"buggy_model.py:{BUGGY_INIT_LINE}: fixed module-super-init-missing" in output
    fixed = (repo / "buggy_model.py").read_text()
    assert fixed.splitlines()[BUGGY_INIT_LINE] == "        super().__init__()"
    assert _git(repo, "status", "--porcelain") == " M buggy_model.py\n"  # the fix, and no cache folder
    _git(repo, "commit", "-qam", "torchport fix")
    again = _try_repo(hook_repo, repo, store)
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    assert (repo / "buggy_model.py").read_text() == fixed


def test_hook_manifest_is_valid_and_runs_only_torchports_messages_without_torch() -> None:
    from pre_commit.clientlib import load_manifest  # validates the manifest as pre-commit does

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert list(hooks) == ["torchport", "torchport-check", "torchport-fix"]
    assert all(h["language"] == "python" and h["types"] == ["python"] and h["additional_dependencies"] == []
               for h in hooks.values())
    assert hooks["torchport-check"]["entry"].split()[:2] == ["torchport", "check"]
    assert hooks["torchport-fix"]["entry"].split() == ["torchport", "fix", "--fixes-only"]
    hook = hooks["torchport"]
    assert hook["require_serial"] is True  # one pylint start-up, shared caches (measured: see the manifest)
    assert hook["entry"].split()[:4] == [
        "pylint", "--load-plugins=torchport.lint_rules", "--disable=all", "--enable=torchport",
    ]
    assert hook["additional_dependencies"] == []
    installed = [r for r in metadata.requires("torchport") or [] if "extra ==" not in r]
    assert installed and not [r for r in installed if re.match(r"torch\b", r)], installed
