"""Proven fixes: torchport.advisor.verify builds a model before and after a fix with torch on the meta
device, in a child process, and says whether the fixed model runs on the inferred input.

The torch tests share two child processes (module fixtures): one over the broken zoo, one over hostile
files. Each child imports torch once (~2 s of CPU).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from tests.advisor.zoo.manifest import BROKEN, BrokenModel
from torchport import fixes
from torchport.advisor.sources import parse_file
from torchport.advisor.summarize import select_models, summarize
from torchport.advisor.summary_model import Finding, ModelSummary
from torchport.advisor.target import parse_target
from torchport.advisor.usages import module_name
from torchport.advisor.verify import (
    BATCH,
    INSTALL_HINT,
    SIZES,
    FixCheck,
    Verification,
    example_sizes,
    input_plan,
    torch_available,
    verify_all,
    verify_fix,
)
from torchport.fixes.edits import apply_edits

REPO = Path(__file__).resolve().parents[2]
needs_torch = pytest.mark.skipif(not torch_available(), reason="verifying runs torch (absent or hidden)")


# --- the input ------------------------------------------------------------------------------------


def test_the_batch_is_two_and_other_symbols_take_the_sizes_in_turn() -> None:
    plan = input_plan([["N", 1, "H", "W"]], ["float32"], {})

    assert not isinstance(plan, str)
    assert [c.shapes for c in plan.candidates] == [[[BATCH, 1, size, size]] for size in SIZES]
    assert plan.candidates[0].described == "N=2, H=W=32"


def test_given_sizes_come_first_then_the_ladder() -> None:
    plan = input_plan([["N", 1, "H", "W"], ["N", 10]], ["float32", "float32"], {"H": 34, "W": 30})

    assert not isinstance(plan, str)
    assert [(c.shapes, c.described) for c in plan.candidates[:2]] == [
        ([[2, 1, 34, 30], [2, 10]], "N=2, H=34, W=30"),
        ([[2, 1, 32, 32], [2, 10]], "N=2, H=W=32"),
    ]
    assert len(plan.candidates) == 1 + len(SIZES)


def test_an_input_of_unknown_dtype_is_tried_as_float_then_as_token_ids() -> None:
    plan = input_plan([[64, "T"]], [None], {})

    assert not isinstance(plan, str)
    assert [c.dtypes for c in plan.candidates] == [["float32"]] * len(SIZES) + [["int64"]] * len(SIZES)
    assert plan.candidates[len(SIZES)].described == "T=32; inputs of unknown dtype as int64"


@pytest.mark.parametrize(("inputs", "dtypes", "reason"), [
    (["?"], [None], "no concrete input shape: input 1 is ? (give --input-shape)"),
    ([["N", "H - 2"]], [None], "no concrete input shape: input 1 is (N, H - 2) (give --input-shape)"),
    ([["N", 3]], ["qint8"], "no concrete input: unknown dtype 'qint8'"),
])
def test_no_concrete_input_is_a_reason_not_to_run(inputs: list, dtypes: list, reason: str) -> None:
    assert input_plan(inputs, dtypes, {}) == reason


def _summary(path: Path, class_name: str) -> ModelSummary:
    """What `torchport summary PATH::Class` computes."""
    module = parse_file(str(path), module_name(path))
    (cls,) = select_models(module, class_name)
    return summarize(path, module, cls, parse_target(f"{path}::{class_name}"), [])


def test_the_sizes_of_a_summary_condition_are_its_example() -> None:
    summary = _summary(REPO / "samples" / "mnist_convnet.py", "MnistConvNet")

    assert summary.inputs == [["N", 1, "H", "W"]]
    assert example_sizes(summary) == {"H": 34, "W": 34}  # "valid only when ..., e.g. a 34x34 input"


def test_a_condition_naming_its_symbols_gives_their_values() -> None:
    summary = ModelSummary(
        "Net", "net.py", 1, [["N", "T"]], [None], "", "", "", ["N", 3], [], None, None,
        [Finding(9, "fc (Linear)", "condition", "fc (Linear): valid only when 16*T == 320, e.g. T=20 (otherwise "
                                                "in_features should be 16*T)", "linear-in-features-mismatch",
                 {"T": 20})],
    )

    assert example_sizes(summary) == {"T": 20}


def test_without_torch_nothing_runs(tmp_path: Path) -> None:
    """torch hidden as in a torch-free venv: not-run with the install hint, and torch never imported."""
    script = (
        "import sys; from pathlib import Path\n"
        "from tests.support.hide_torch import hide_torch; hide_torch()\n"
        "from torchport.advisor.verify import verify_fix\n"
        f"result = verify_fix(Path({str(tmp_path / 'model.py')!r}), 'x = 1', 'x = 2', 'Net', '', [['N', 3]], [None])\n"
        "print(result.status, '|', result.detail, '|', 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)

    assert done.stdout.strip() == f"not-run | {INSTALL_HINT} | False"


# --- the broken zoo: torchport's own shape fixes, the manifest's number, a wrong number -------------


@dataclasses.dataclass(frozen=True)
class ZooCase:
    broken: BrokenModel
    project: Path
    files: list[Path]  # the project's files before verifying
    own_fix: bool  # whether torchport.fixes has edits for the 73xx finding (the first fixed text)


def _project(broken: BrokenModel, root: Path) -> Path:
    """The broken file in a project of its own whose pyproject gives the input (batch symbolic), with
    an instantiation giving its constructor arguments."""
    project = root / Path(broken.file).stem
    project.mkdir()
    text = broken.path.read_text()
    if broken.kwargs:
        arguments = ", ".join(f"{k}={v!r}" for k, v in broken.kwargs.items())
        text += f"\n\nmodel = {broken.cls}({arguments})\n"
    (project / "model.py").write_text(text)
    shapes = ", ".join('"' + ",".join(["N", *map(str, shape[1:])]) + '"' for shape in broken.inputs)
    (project / "pyproject.toml").write_text(f"[tool.torchport.input-shapes]\n{broken.cls} = [{shapes}]\n")
    return project / "model.py"


def _own_fix(path: Path, symbol: str) -> str | None:
    """The file fixed by torchport's fix of its `symbol` finding (None when that has no edits)."""
    text = path.read_text()
    source, found = fixes.findings(str(path), text)
    edits = [fix.edits for fix in fixes.fixes(source, [f for f in found if f.symbol == symbol]) if fix.edits]
    return apply_edits(text, list(edits[0])) if edits else None


def _number(broken: BrokenModel, path: Path, number: int) -> str:
    from tests.advisor.test_zoo_oracle import fixed_source  # imports torch: only where torch is

    return fixed_source(dataclasses.replace(broken, correct=number, file=str(path)))


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[ZooCase, list[Verification]]]:
    root = tmp_path_factory.mktemp("zoo")
    cases, checks = [], []
    for broken in BROKEN:
        path = _project(broken, root)
        summary = _summary(path, broken.cls)
        own = _own_fix(path, broken.symbol)
        afters = (own,) if own is not None else ()
        afters += (_number(broken, path, broken.correct), _number(broken, path, broken.correct + 1))
        cases.append(ZooCase(broken, path.parent, sorted(path.parent.rglob("*")), own is not None))
        checks.append(FixCheck.of_summary(summary, path.read_text(), afters))
    return list(zip(cases, verify_all(checks)))


@needs_torch
def test_every_shape_fix_torchport_writes_for_the_broken_zoo_verifies(zoo: list) -> None:
    fixed = [(case, results[0]) for case, results in zoo if case.own_fix]

    assert {case.broken.symbol for case, _ in fixed} == {
        "linear-in-features-mismatch", "conv-in-channels-mismatch", "norm-num-features-mismatch",
        "view-flatten-mismatch",
    }
    for case, result in fixed:
        assert result.status == "verified", (case.broken.id, result.detail)
        shape = ", ".join(map(str, case.broken.inputs[0]))
        assert result.detail.startswith(f"on input ({shape}"), result.detail
        assert ": before: fails: RuntimeError: " in result.detail, result.detail
        assert "; after: runs, output (2" in result.detail, result.detail


@needs_torch
def test_the_manifests_number_verifies_and_a_wrong_one_fails_with_torchs_message(zoo: list) -> None:
    for case, results in zoo:
        right, wrong = results[-2:]
        assert right.status == "verified", (case.broken.id, right.detail)
        assert wrong.status == "failed", (case.broken.id, wrong.detail)
        assert wrong.detail.startswith("on input ("), wrong.detail
        assert "; after: fails: RuntimeError: " in wrong.detail, wrong.detail


@needs_torch
def test_verifying_leaves_the_project_as_it_was(zoo: list) -> None:
    for case, _ in zoo:
        assert sorted(case.project.rglob("*")) == case.files  # no __pycache__, no copy beside the file


@needs_torch
def test_a_fixed_lenet_says_what_torch_computed(zoo: list) -> None:
    (results,) = [results for case, results in zoo if case.broken.id == "lenet_view::LeNet"]

    assert results[0].detail == (
        "on input (2, 1, 32, 32) (N=2): before: fails: RuntimeError: shape '[-1, 576]' is invalid for input of "
        "size 800 (line 19); after: runs, output (2, 10)"
    )


# --- hostile code ----------------------------------------------------------------------------------

MODEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.fc = nn.Linear(features, 3)

    def forward(self, x):
        {forward}return self.fc(x)
"""
HOSTILE = {  # name: (code before the model, code at the start of the fixed forward, class, arguments)
    "prints": ("print('{not json' * 100)\n", "print('}' * 100); ", "Net", "features=FEATURES"),
    "not_about_a_crash": ("FEATURES = 4\n", "", "Net", "features=FEATURES"),
    "spawns": ("import subprocess, sys\nSLEEPER = subprocess.Popen([sys.executable, '-c', 'import time; "
               "time.sleep(600)'])\nopen(PIDS, 'a').write(f'{SLEEPER.pid}\\n')\n", "", "Net", "features=FEATURES"),
    "builds_in_forward": ("", "return nn.Linear(3, 2)(self.fc(x))\n        ", "Net", "features=FEATURES"),
    "exits": ("import sys\nsys.exit(1)\n", "", "Net", "features=FEATURES"),
    "cannot_import": ("import not_a_module_of_anyone\n", "", "Net", "features=FEATURES"),
    "no_such_class": ("", "", "Missing", ""),
    "no_arguments": ("", "", "Net", ""),
    "ends_the_process": ("import os\nos._exit(3)\n", "", "Net", "features=FEATURES"),
    "fine_after_a_restart": ("", "", "Net", "features=FEATURES"),
    "fix_hangs": ("", "while True: pass\n        ", "Net", "features=FEATURES"),
}
TIMEOUT = 5.0


PACKAGE = {  # a project whose model imports its package's modules, relatively and absolutely
    "pyproject.toml": "",
    "pkg/__init__.py": "",
    "pkg/blocks.py": "from torch import nn\n\n\nclass Block(nn.Sequential):\n    pass\n",
    "pkg/models/__init__.py": "",
    "pkg/models/net.py": (
        "from torch import nn\n\nfrom pkg.blocks import Block\nfrom ..blocks import Block as Same\n\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.body = Block(nn.Linear(4, 8), Same(nn.ReLU()), nn.Linear(FEATURES, 3))\n\n"
        "    def forward(self, x):\n        return self.body(x)\n\n\n"
        "if __name__ == '__main__':\n    raise SystemExit('the main block ran')\n"
    ),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("project")
    for name, text in PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root, sorted(root.rglob("*"))


TWIN = (  # a model importing its project's `layers.py`; two projects have one each, of different widths
    "from torch import nn\n\nfrom layers import Head\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.head = Head(FEATURES)\n\n    def forward(self, x):\n"
    "        return self.head(x)\n"
)


def _twins(root: Path) -> list[FixCheck]:
    checks = []
    for name, width in (("one", 3), ("two", 5)):
        (root / name).mkdir()
        (root / name / "pyproject.toml").write_text("")
        (root / name / "layers.py").write_text(
            f"from torch import nn\n\n\nclass Head(nn.Linear):\n    def __init__(self, features):\n"
            f"        super().__init__(features, {width})\n"
        )
        (root / name / "model.py").write_text("FEATURES = 5\n" + TWIN)
        checks.append(FixCheck(root / name / "model.py", "FEATURES = 5\n" + TWIN, ("FEATURES = 4\n" + TWIN,), "Net",
                               "", [["N", 4]], [None]))
    return checks


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def hostile(hostile_root: Path, project: tuple[Path, list[Path]]) -> dict[str, Verification]:
    """The hostile files and the package project, verified together (two child processes: one ends)."""
    root = hostile_root
    path = project[0] / "pkg" / "models" / "net.py"
    code = path.read_text()
    checks = [FixCheck(path, "FEATURES = 5\n" + code, ("FEATURES = 8\n" + code,), "Net", "", [["N", 4]], [None]),
              *_twins(root)]
    for name, (prefix, forward, class_name, arguments) in HOSTILE.items():
        path = root / f"{name}.py"
        prefix = prefix.replace("PIDS", repr(str(root / "pids.txt")))
        before = "FEATURES = 5\n" + prefix + MODEL.format(forward="")  # nn.Linear(5, 3) on (N, 4): fails
        after = "FEATURES = 4\n" + prefix + MODEL.format(forward=forward)
        path.write_text(before)
        checks.append(FixCheck(path, before, (after,), class_name, arguments, [["N", 4]], [None]))
    return {name: results[0] for name, results in zip(["package", "one", "two", *HOSTILE],
                                                           verify_all(checks, timeout=TIMEOUT))}


@needs_torch
def test_a_model_in_a_package_imports_its_modules_and_nothing_is_written_there(project: tuple, hostile: dict
                                                                                ) -> None:
    root, files = project
    result = hostile["package"]

    assert result.status == "verified", result.detail
    assert result.detail.endswith("; after: runs, output (2, 3)")
    assert sorted(root.rglob("*")) == files  # no __pycache__ in the user's package


@needs_torch
def test_each_project_imports_its_own_modules(hostile: dict) -> None:
    """Two projects verified in one process, each with its own `layers.py`."""
    assert hostile["one"].detail.endswith("; after: runs, output (2, 3)"), hostile["one"].detail
    assert hostile["two"].detail.endswith("; after: runs, output (2, 5)"), hostile["two"].detail


@needs_torch
def test_what_the_code_prints_does_not_disturb_the_verification(hostile: dict) -> None:
    assert hostile["prints"] == Verification("verified", (
        "on input (2, 4) (N=2): before: fails: RuntimeError: a and b must have same reduction dim, but got "
        "[2, 4] X [5, 3]. (line 14); after: runs, output (2, 3)"
    ))


@needs_torch
def test_a_layer_built_in_forward_is_built_on_meta_too(hostile: dict) -> None:
    assert hostile["builds_in_forward"].detail.endswith("; after: runs, output (2, 2)")


@needs_torch
def test_a_fix_of_a_model_that_already_runs_says_so(hostile: dict) -> None:
    assert hostile["not_about_a_crash"] == Verification("verified", (
        "on input (2, 4) (N=2): before: runs, output (2, 3); after: runs, output (2, 3) (the original runs on "
        "this input too: the fix is not what makes it run)"
    ))


@needs_torch
@pytest.mark.parametrize(("name", "detail"), [
    ("exits", "the code fails while importing the file, before and after the fix: SystemExit: the code called "
              "sys.exit(1) (line 3)"),
    ("cannot_import", "the code fails while importing the file, before and after the fix: ModuleNotFoundError: "
                      "No module named 'not_a_module_of_anyone' (line 2)"),
    ("no_such_class", "the code fails while building the model, before and after the fix: NameError: the file "
                      "defines no Missing"),
    ("no_arguments", "the code fails while building the model, before and after the fix: TypeError: "
                     "Net.__init__() missing 1 required positional argument: 'features'"),
    ("ends_the_process", "the original code exited with code 3 while importing the file"),
])
def test_code_that_cannot_be_built_is_not_run(hostile: dict, name: str, detail: str) -> None:
    assert hostile[name] == Verification("not-run", detail)


@needs_torch
def test_the_files_after_a_process_that_ended_run_in_a_new_one(hostile: dict) -> None:
    assert hostile["fine_after_a_restart"].status == "verified", hostile["fine_after_a_restart"].detail


@needs_torch
def test_processes_the_code_starts_are_ended(hostile: dict, hostile_root: Path) -> None:
    assert hostile["spawns"].status == "verified"
    pids = (hostile_root / "pids.txt").read_text().split()
    assert len(pids) == 2  # the original's and the fix's
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z"), f"process {pid} still runs"


def test_a_torch_that_cannot_start_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child finds a broken torch first on PYTHONPATH: nothing runs, the reason is torch's error."""
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("raise ImportError('this torch is broken')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr("torchport.advisor.verify.torch_available", lambda: True)

    result = verify_fix(tmp_path / "model.py", "x = 1", "x = 2", "Net", "", [["N", 3]], [None])

    assert result == Verification("not-run", "could not start torch in a child process: it exited with code 1 "
                                             "(ImportError: this torch is broken)")


@needs_torch
def test_a_fix_that_hangs_fails_after_the_timeout(hostile: dict) -> None:
    assert hostile["fix_hangs"] == Verification(
        "failed", f"after: the code did not finish within {TIMEOUT:g} s while running forward"
    )
