"""Proven fixes: build a model before and after a fix with torch on the meta device (no memory, no weight
initialisation), run it on the inferred input shape and say whether the fixed model runs.

This is the only place where torchport runs the user's code, and only when asked (`--verify`). It runs in
a child process (`verify_runner.py`, started with `python -P -B`: no folder of the user's goes on sys.path
before torch is imported, and no bytecode is written into their project) with a timeout, in an empty
temporary working folder. The texts go to the child in a job file in that folder and are compiled under
the file's own path, so tracebacks name the user's file and lines; nothing the user owns is written. The
file is imported as its own module name (its package's parent folder, its folder and its project root on
sys.path, so its imports work), with `__name__` never `"__main__"`: scripts' main blocks do not run. Its
module-level code runs under `torch.device("meta")` too.

Concrete sizes for symbolic dims: the batch (`N`, `B`, `batch`, `batch_size`) is 2 (BatchNorm needs more
than one sample in training mode; 2 keeps it distinct from every other size). The other symbols take,
in this order until the fixed model runs: the values given in `sizes` (the example of a summary
condition, see `example_sizes`), then one size for all of them from `SIZES`. A model with a fixed-size
head after global pooling runs at any size above its stack's minimum, which grows with its depth (a 7x7
average pool needs 224, an audio stack of four stride-4 stages thousands); a condition's example meets
that condition only (ViT's patch count is met by a 1x1 input, too small for its patch convolution).
Inputs of unknown dtype are float32, then int64 (token ids). The detail names the input used, and the
original runs on that same input.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from torchport.advisor import dims
from torchport.advisor.summary_model import ModelSummary
from torchport.advisor.usages import module_name, project_root

Status = Literal["verified", "failed", "not-run"]

RUNNER = Path(__file__).with_name("verify_runner.py")
BATCH = 2
BATCH_NAMES = frozenset({"N", "B", "batch", "batch_size"})
SIZES = (32, 64, 128, 224, 512, 1024, 8192)  # tried in order for the symbols `sizes` does not give
DTYPES = frozenset({
    "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
    "complex64", "complex128",
})
INSTALL_HINT = "torch is not installed: install torch, then pip install 'torchport[verify]'"
_STAGES = {"import": "importing the file", "build": "building the model", "forward": "running forward"}
TORCH_IMPORT_TIMEOUT = 60.0  # seconds the child may take to import torch, whatever the timeout per check
_POLL = 0.05  # seconds between two looks at a running child
_STDERR_TAIL = 4096  # bytes of the child's stderr read back when torch cannot start


@dataclass(frozen=True)
class Verification:
    status: Status  # not-run: torch missing, no concrete input shape, or the model cannot be built at all
    detail: str  # e.g. "on input (2, 10) (N=2): before: fails: RuntimeError: ... (line 12); after: runs, output (2, 3)"


def torch_available() -> bool:
    """Whether torch can be imported, without importing it."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a hidden or half-installed torch
        return False


def verify_fix(path: Path, before: str, after: str, class_name: str, args: str, inputs: list,
               input_dtypes: list[str | None], timeout: float = 60.0, *,
               sizes: Mapping[str, int] | None = None) -> Verification:
    """Whether `class_name(args)` built from `after` (the fixed text of the file at `path`) runs on the
    input, and what the original `before` does there. `sizes` gives values to symbolic dims."""
    check = FixCheck(path, before, (after,), class_name, args, inputs, input_dtypes, sizes or {})
    return verify_all([check], timeout)[0][0]


@dataclass(frozen=True)
class FixCheck:
    """One file's original text and fixed texts, with the model and input of its summary."""

    path: Path
    before: str
    afters: tuple[str, ...]
    class_name: str
    args: str  # constructor arguments as source text, as ModelSummary.args
    inputs: list  # as ModelSummary.inputs
    input_dtypes: list[str | None]  # as ModelSummary.input_dtypes
    sizes: Mapping[str, int] = field(default_factory=dict)  # values for symbolic dims (`example_sizes`)

    @classmethod
    def of_summary(cls, summary: ModelSummary, before: str, afters: Sequence[str]) -> FixCheck:
        """The fixes of the file a model summary describes, on its arguments, inputs and example sizes."""
        return cls(Path(summary.file), before, tuple(afters), summary.class_name, summary.args, summary.inputs,
                   summary.input_dtypes, example_sizes(summary))


def verify_all(checks: Sequence[FixCheck], timeout: float = 60.0) -> list[list[Verification]]:
    """Every fixed text of every check, in one child process where possible (torch is imported once):
    `timeout` seconds per check (importing torch first may take up to TORCH_IMPORT_TIMEOUT); a check
    that hangs or ends the process is reported and the checks after it run in a new process."""
    if not torch_available():
        return [[Verification("not-run", INSTALL_HINT) for _ in check.afters] for check in checks]
    plans = [input_plan(check.inputs, check.input_dtypes, check.sizes) for check in checks]
    jobs = {i: _job(check, plan) for i, (check, plan) in enumerate(zip(checks, plans))
            if isinstance(plan, InputPlan) and check.afters}
    outcomes = dict(zip(jobs, _run_children(list(jobs.values()), timeout)))
    results = []
    for i, (check, plan) in enumerate(zip(checks, plans)):
        if isinstance(plan, str):
            results.append([Verification("not-run", plan) for _ in check.afters])
        else:
            results.append([_verdict(outcomes[i], variant, plan) for variant in range(1, len(check.afters) + 1)])
    return results


def example_sizes(summary: ModelSummary) -> dict[str, int]:
    """The symbol values of the first example in the summary's conditions (a "valid only when ..., e.g. a
    34x34 input" gives {"H": 34, "W": 34}); {} when there is none."""
    for finding in summary.findings:
        if finding.kind == "condition" and finding.example is not None:
            return dict(finding.example)
    return {}


# ----------------------------------------------------------------------------------- the input

@dataclass(frozen=True)
class Candidate:
    shapes: list[list[int]]  # one per forward argument
    dtypes: list[str]
    described: str  # the choices made, e.g. "N=2, H=W=32" or "N=2; inputs of unknown dtype as int64"


@dataclass(frozen=True)
class InputPlan:
    candidates: list[Candidate]  # in the order they are tried


def input_plan(inputs: list, input_dtypes: list[str | None], sizes: Mapping[str, int]) -> InputPlan | str:
    """The concrete inputs to try, or why there is none (a one-line reason). Symbols other than the
    batch take the values of `sizes` first (others at SIZES[0]), then each size of `SIZES` in turn;
    inputs of unknown dtype are float32, then int64 (token ids) at every size."""
    symbols: list[str] = []
    for number, shape in enumerate(inputs, 1):
        if not isinstance(shape, list) or not all(_is_dim(d) for d in shape):
            return f"no concrete input shape: input {number} is {_shape_text(shape)} (give --input-shape)"
        symbols += [d for d in shape if isinstance(d, str) and d not in symbols]
    dtypes = [*input_dtypes, *[None] * len(inputs)][:len(inputs)]
    unknown = [d for d in dtypes if d is not None and d not in DTYPES]
    if unknown:
        return f"no concrete input: unknown dtype {unknown[0]!r}"
    batch = {s: BATCH for s in symbols if s in BATCH_NAMES}
    free = [s for s in symbols if s not in batch]
    ladder = [{s: size for s in free} for size in SIZES] if free else [{}]
    example = {s: int(sizes[s]) for s in free if s in sizes}
    if example:  # first, then the ladder: a condition's example may be too small for a kernel elsewhere
        ladder.insert(0, {s: example.get(s, SIZES[0]) for s in free})
    choices = [{**batch, **dict(c)} for c in dict.fromkeys(tuple(values.items()) for values in ladder)]
    guesses = ("float32", "int64") if None in dtypes else ("float32",)
    return InputPlan([
        Candidate(
            [[d if isinstance(d, int) else values[d] for d in shape] for shape in inputs],
            [d or guess for d in dtypes],
            "; ".join(filter(None, [_describe_values(values),
                                    f"inputs of unknown dtype as {guess}" if guess != "float32" else ""])),
        )
        for guess in guesses for values in choices
    ])


def _is_dim(dim: Any) -> bool:
    return (isinstance(dim, int) and not isinstance(dim, bool) and dim >= 0) or \
        (isinstance(dim, str) and dims.is_symbol_text(dim))


def _describe_values(values: Mapping[str, int]) -> str:
    """`N=2, H=W=32`: symbols of equal value grouped, in first-seen order."""
    groups: dict[int, list[str]] = {}
    for name, value in values.items():
        groups.setdefault(value, []).append(name)
    return ", ".join("=".join(names) + f"={value}" for value, names in groups.items())


# ----------------------------------------------------------------------------------- the child

@dataclass(frozen=True)
class _Outcome:
    records: list[dict[str, Any]]  # the runner's records of one job
    stopped: str | None  # why the process ended during this job ("exited with code 3"); None when it did not


def _job(check: FixCheck, plan: InputPlan) -> dict[str, Any]:
    path = Path(os.path.abspath(check.path))
    name = module_name(path)
    import_root = path.resolve().parents[name.count(".")]
    folders = [str(p) for p in (import_root, path.resolve().parent, project_root(path))]
    return {
        "path": str(path), "module": name, "package": name.rpartition(".")[0],
        "sys_path": list(dict.fromkeys(folders)), "class": check.class_name, "args": check.args,
        "texts": [check.before, *check.afters],
        "candidates": [{"shapes": c.shapes, "dtypes": c.dtypes} for c in plan.candidates],
    }


def _run_children(jobs: list[dict[str, Any]], timeout: float) -> list[_Outcome]:
    """Run the jobs in a child; when one hangs or ends the process, the rest go to a new child."""
    outcomes: list[_Outcome] = []
    while len(outcomes) < len(jobs):
        pending = jobs[len(outcomes):]
        try:
            records, stopped = _run_child(pending, timeout)
        except OSError as error:  # no temporary folder, no interpreter to start
            records, stopped = [], f"could not start torch in a child process: {error}"
        if stopped is not None and not any(r.get("ready") for r in records):
            return outcomes + [_Outcome([], stopped) for _ in pending]
        steps = [r for r in records if "at" in r or "variant" in r]
        last = max((r["job"] for r in steps), default=0) if stopped is not None else len(pending) - 1
        for job in range(last + 1):
            outcomes.append(_Outcome([r for r in steps if r["job"] == job], stopped if job == last else None))
    return outcomes


def _run_child(jobs: list[dict[str, Any]], timeout: float) -> tuple[list[dict[str, Any]], str | None]:
    """The records of a runner process over the jobs, and why it stopped before the end (None if it did not)."""
    with tempfile.TemporaryDirectory(prefix="torchport-verify-") as folder:
        work = Path(folder)
        job_file, result, output = work / "job.json", work / "result.jsonl", work / "stderr.txt"
        job_file.write_text(json.dumps({"result": str(result), "jobs": jobs}), encoding="utf-8")
        result.touch()
        with output.open("wb") as sink:
            process = subprocess.Popen(  # noqa: S603 - our runner, with the running interpreter
                [sys.executable, "-P", "-B", str(RUNNER), str(job_file)],
                cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True,
            )
            try:
                stopped = _watch(process, result, timeout)
            finally:
                _kill_group(process)  # also once done: threads or processes the user's code left behind
        records = _records(result)
        if stopped is None and not (records and records[-1].get("done")):
            stopped = _ended(process.returncode or 0)
        if stopped is not None and not any(r.get("ready") for r in records):
            tail = _tail(output)  # why torch could not start (later, stderr is the user's code's)
            stopped = f"could not start torch in a child process: it {stopped}" + (f" ({tail})" if tail else "")
        return records, stopped


def _watch(process: subprocess.Popen[bytes], result: Path, timeout: float) -> str | None:
    """Wait until the runner is done; stop it when one job takes more than `timeout` seconds (importing
    torch more than TORCH_IMPORT_TIMEOUT)."""
    current, started = None, time.monotonic()
    while process.poll() is None:
        records = _records(result)
        if records and records[-1].get("done"):
            return None
        job = records[-1]["job"] if records else None
        if job != current:
            current, started = job, time.monotonic()
        limit = timeout if current is not None else max(timeout, TORCH_IMPORT_TIMEOUT)
        if time.monotonic() - started > limit:
            return f"did not finish within {limit:g} s"
        time.sleep(_POLL)
    return None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the child and whatever it started (its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()
    process.wait()


def _records(result: Path) -> list[dict[str, Any]]:
    """The runner's records; a line cut short by a kill (or not the runner's) is left out."""
    records = []
    for line in result.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("job"), int):
            records.append(record)
    return records


def _tail(output: Path) -> str:
    with output.open("rb") as handle:
        handle.seek(max(0, output.stat().st_size - _STDERR_TAIL))
        lines = [line.strip() for line in handle.read().decode(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _ended(code: int) -> str:
    return f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"


# ----------------------------------------------------------------------------------- the verdict

def _verdict(outcome: _Outcome, index: int, plan: InputPlan) -> Verification:
    """`on input (2, 1, 28, 28) (N=2): before: fails: <torch's error>; after: runs, output (2, 10)`."""
    records = [r for r in outcome.records if "at" not in r]
    mine = [r for r in records if r["variant"] == index]
    original = [r for r in records if r["variant"] == 0]
    ran = next((r for r in mine if r["ok"]), None)
    if ran is not None:
        before = _before(original, ran["candidate"], outcome)
        note = " (the original runs on this input too: the fix is not what makes it run)" \
            if before.startswith("runs") else ""
        return Verification("verified", f"on {_input(plan, ran['candidate'])}: before: {before}; after: runs, "
                                        f"output {_shape_text(ran['output'])}{note}")
    failed = next((r for r in mine if not r["ok"]), None)
    if failed is None:
        return _stopped(outcome, index)
    stage = failed["stage"]
    before = next((r for r in original if r["stage"] == stage != "forward"), None)
    if before is not None and _without_line(before["error"]) == _without_line(failed["error"]):
        return Verification("not-run", f"the code fails while {_STAGES[stage]}, before and after the fix: "
                                       f"{failed['error']}")
    others = len(plan.candidates) - 1 if stage == "forward" else 0
    tried = f" (and on {others} other input{'s' * (others > 1)} tried)" if others else ""
    how = "fails" if stage == "forward" else f"fails while {_STAGES[stage]}"
    return Verification("failed", f"on {_input(plan, 0)}{tried}: before: {_before(original, 0, outcome)}; "
                                  f"after: {how}: {failed['error']}")


def _before(original: list[dict[str, Any]], candidate: int, outcome: _Outcome) -> str:
    """What the original text does on the candidate input."""
    for record in original:
        if record["stage"] != "forward" and not record["ok"]:
            return f"fails while {_STAGES[record['stage']]}: {record['error']}"
        if record["stage"] == "forward" and record.get("candidate") == candidate:
            if record["ok"]:
                return f"runs, output {_shape_text(record['output'])}"
            return f"fails: {record['error']}"
    return f"not known: {outcome.stopped or 'no result'}"


def _stopped(outcome: _Outcome, index: int) -> Verification:
    """The child ended (or was ended) before this fixed text had a result: a fixed text that hangs or
    ends the process fails; one that never ran because of the original or another fix is not run."""
    reason = outcome.stopped or "gave no result"
    marks = [r["at"] for r in outcome.records if "at" in r]
    if not marks:
        return Verification("not-run", reason)
    variant, stage, _ = marks[-1]
    if variant == index:
        return Verification("failed", f"after: the code {reason} while {_STAGES[stage]}")
    which = "the original code" if variant == 0 else "the code of another fix of this file"
    return Verification("not-run", f"{which} {reason} while {_STAGES[stage]}")


def _input(plan: InputPlan, index: int) -> str:
    candidate = plan.candidates[index]
    shapes = ", ".join(_shape_text(shape) for shape in candidate.shapes) or "()"
    return f"input {shapes} ({candidate.described})" if candidate.described else f"input {shapes}"


def _shape_text(value: Any) -> str:
    """`(2, 10)` for a tensor's shape, `[(2, 1), (2, 4)]` for several, `{'a': (2, 3)}` for a dict."""
    if isinstance(value, list) and all(isinstance(d, (int, str)) for d in value) and value:
        return f"({value[0]},)" if len(value) == 1 else "(" + ", ".join(map(str, value)) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_shape_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_shape_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def _without_line(error: str) -> str:
    return re.sub(r" \(line \d+\)$", "", error)
