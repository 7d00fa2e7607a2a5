"""README's Editors, pre-commit and GitHub Actions sections, tested: their JSON and YAML parse, every
command line they show is accepted by torchport's own parser or by pylint, every hook id exists in
.pre-commit-hooks.yaml, and the workflow has the steps that upload SARIF and annotate the pull request."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from torchport.advisor import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MANIFEST = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def _section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    return README[start:README.index("\n##", start + 1)]


def _blocks(section: str, language: str) -> list[str]:
    blocks = re.findall(rf"^( *)```{language}\n(.*?)^\1```$", section, re.MULTILINE | re.DOTALL)
    assert blocks, f"no {language} block"
    return ["\n".join(line[len(indent):] for line in body.splitlines()) for indent, body in blocks]


def _spans(section: str) -> list[str]:
    return re.findall(r"(?<!`)`([^`\n]+)`(?!`)", section)


def _torchport_accepts(argv: list[str]) -> None:
    """`torchport ARGV` is a valid command line (argparse exits on an unknown flag or a bad value)."""
    try:
        cli.build_parser().parse_args(argv)
    except SystemExit as error:
        pytest.fail(f"torchport rejects {shlex.join(argv)} (exit {error.code})")


def _pylint_accepts(args: list[str], tmp_path: Path) -> None:
    """pylint runs with ARGS, silently: an unknown option is exit 32, an unknown plugin or message name a
    message (enabled at the end, after any --disable=all)."""
    (tmp_path / "empty.py").write_text('"""Nothing."""\n')
    checks = "--enable=unrecognized-option,bad-plugin-value,unknown-option-value,useless-option-value"
    run = subprocess.run([sys.executable, "-m", "pylint", *args, checks, "--score=n", "--persistent=n", "empty.py"],
                         cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, ""), (args, run.stdout[-2000:], run.stderr[-2000:])


def _command(span: str) -> list[str]:
    """A command line shown in the text, with PyCharm's macros as a plain file name."""
    return shlex.split(span.replace("$FilePath$", "model.py"))


# ------------------------------------------------------------------------------------ Editors

def test_pylint_arguments_of_editors_and_hook_work(tmp_path: Path) -> None:
    """Every pylint argument the Editors and pre-commit sections show, in one pylint run."""
    section = _section("Editors")
    [settings] = _blocks(section, "json")
    vscode = json.loads("{" + settings + "}")  # a fragment of settings.json
    assert vscode["pylint.importStrategy"] == "fromEnvironment"
    assert "--load-plugins=torchport.lint_rules" in vscode["pylint.args"]
    pycharm = [_command(s) for s in _spans(section) if s.startswith("--load-plugins=")]
    assert pycharm == [vscode["pylint.args"]]
    [extra] = [json.loads(f"[{s}]") for s in _spans(section) if s.startswith('"--')]
    assert extra == ["--disable=all", "--enable=torchport"]
    hook_args = [yaml.safe_load(s.removeprefix("args: ")) for s in _spans(_section("pre-commit"))
                 if s.startswith("args: [--disable")]
    assert hook_args == [["--disable=SYMBOL"]]
    hook = [*shlex.split(MANIFEST["torchport"]["entry"])[1:], "--disable=softmax-without-dim"]
    _pylint_accepts([*vscode["pylint.args"], *extra, *hook], tmp_path)


def test_pycharm_external_tool_and_file_watcher_commands_exist() -> None:
    section = _section("Editors")
    commands = [_command(s) for s in _spans(section) if s.split()[0] in cli.COMMANDS]
    assert [c[0] for c in commands] == ["check", "fix"]
    for argv in commands:
        _torchport_accepts(argv)
    assert "$PyInterpreterDirectory$/torchport" in _spans(section)


# ---------------------------------------------------------------------------------- pre-commit

def test_precommit_config_names_every_hook_of_the_manifest() -> None:
    [block] = _blocks(_section("pre-commit"), "yaml")
    [repo] = yaml.safe_load(block)["repos"]
    ids = [hook["id"] for hook in repo["hooks"]]
    assert sorted(ids) == sorted(MANIFEST)
    assert ids.index("torchport-fix") < ids.index("torchport-check")  # fix first, then check what is left


def test_torchport_hook_arguments_in_the_text_are_accepted() -> None:
    section = _section("pre-commit")
    args = [yaml.safe_load(s.removeprefix("args: ")) for s in _spans(section) if s.startswith("args: ")]
    assert args == [["--no-cache"], ["--disable=SYMBOL"]]  # the second is pylint's (the test above)
    _torchport_accepts([*shlex.split(MANIFEST["torchport-check"]["entry"])[1:], *args[0], "model.py"])
    described = re.findall(r"`(torchport (?:check|fix)[^`]*)`", section)
    for command in described:
        _torchport_accepts([*shlex.split(command)[1:], "model.py"])
    assert MANIFEST["torchport-fix"]["entry"] in described


# ------------------------------------------------------------------------------ GitHub Actions

def _workflow() -> dict[str, Any]:
    [block] = _blocks(_section("GitHub Actions"), "yaml")
    workflow = yaml.safe_load(block)
    assert isinstance(workflow, dict)
    return workflow


def test_workflow_is_valid_yaml_with_its_steps() -> None:
    workflow = _workflow()
    assert workflow[True] == ["push", "pull_request"]  # YAML 1.1 reads the key `on` as true; GitHub reads "on"
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = {step.get("name") or step["uses"]: step for step in job["steps"]}
    assert all("run" in step or "uses" in step for step in steps.values())
    commands = {name: step["run"] for name, step in steps.items() if str(step.get("run", "")).startswith("torchport ")}
    assert set(commands) == {"Annotate the pull request", "Write SARIF"}
    sarif_file = None
    for name, command in commands.items():
        argv = shlex.split(command)
        cut = next((i for i, word in enumerate(argv) if word in (">", "||", "|", "&&")), len(argv))
        _torchport_accepts(argv[1:cut])
        if "sarif" in argv[1:cut]:
            sarif_file = argv[argv.index(">") + 1]
    assert "--format github" in commands["Annotate the pull request"]
    upload = steps["Upload to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == sarif_file == "torchport.sarif"
    assert upload["if"] == steps["Write SARIF"]["if"] == "always()"
