"""torchport's side of the differential test, and the verdict that holds it against torch.

torchport reads the example as a user's project would give it: `model.py` in a folder with a
pyproject.toml, through `torchport summary --format json` (run in-process, so an internal error shows
its traceback). The verdict checks the invariants:

(a) torch runs: torchport reports no 73xx error, every shape it claims (the output and each layer it
    gives a concrete shape for) equals torch's, and so does every parameter count it gives;
(b) torch raises a shape error: torchport reports the planted mistake's 73xx message (at the line of
    the mistake when it is one number on one line), or says it could not infer (notes, a shape or a
    count left unknown); an unplanted error (the generator's own slip) may be reported by any error.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.oracle import Outcome
from tests.fuzz.oracle import run as run_torch
from tests.fuzz.strategies import FILE_NAME, Example
from tests.support.torch_oracle import compare_summary
from torchport.advisor import cli

# verdicts: torch runs and torchport gives every shape and count ("exact") or leaves some symbolic or
# unknown ("unresolved"); torch raises and torchport reports the mistake ("caught") or says it could not
# infer ("unknown"); "failed": an invariant does not hold
EXACT, UNRESOLVED, CAUGHT, UNKNOWN, FAILED = "exact", "unresolved", "caught", "unknown", "failed"


@dataclass
class Verdict:
    kind: str
    problems: list[str] = field(default_factory=list)
    torch: str = ""  # what torch did, one line

    def report(self, example: Example) -> str:
        """The failure message: the problems, what torch did and the file with line numbers."""
        numbered = "\n".join(f"{n:4} {line}" for n, line in enumerate(example.source.splitlines(), 1))
        return (f"{'; '.join(self.problems)}\n  torch: {self.torch}\n  planted: {example.planted} "
                f"(line {example.planted_line}), inputs {example.inputs} via {example.input_style}\n{numbered}")


def summarise(example: Example, directory: Path) -> dict[str, Any]:
    """`torchport summary --format json` of the example's model, written into `directory`."""
    path = directory / FILE_NAME
    path.write_text(example.source)
    (directory / "pyproject.toml").write_text(example.pyproject)
    argv = ["summary", f"{path}::{example.target}", "--format", "json"]
    for shape in example.cli_shapes:
        argv += ["--input-shape", ",".join(map(str, shape))]
    args = cli.build_parser().parse_args(argv)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = args.command_module.run(args)
    assert code == 0, f"torchport summary exited with {code}"
    (model,) = json.loads(out.getvalue())["models"]
    return model


def judge(example: Example, outcome: Outcome, model: dict[str, Any]) -> Verdict:
    errors = [f for f in model["findings"] if f["kind"] == "error"]
    verdict = _runs(outcome, model, errors) if outcome.result is not None else _raises(example, outcome, model, errors)
    crashes = [note for note in model["notes"] if "internal error" in note]
    if crashes:  # the interpreter caught its own exception: a bug whatever the shapes say
        verdict.problems += crashes
        verdict.kind = FAILED
    return verdict


def _runs(outcome: Outcome, model: dict[str, Any], errors: list[dict[str, Any]]) -> Verdict:
    assert outcome.result is not None
    verdict = Verdict(EXACT, torch=outcome.describe())
    verdict.problems += [f"reports {f['symbol']} at line {f['line']} ({f['message']})" for f in errors]
    verdict.problems += [f"states a condition on a concrete input: line {f['line']}: {f['message']}"
                         for f in model["findings"] if f["kind"] != "error"]
    comparison = compare_summary(outcome.result, model)
    if comparison.output in ("mismatch", "missing"):
        verdict.problems.append(f"output {model.get('output')} but torch gives {outcome.result.output}")
    verdict.problems += [f"layer {name}: {got} but torch gives {calls}" for name, calls, got in comparison.mismatches]
    verdict.problems += [f"layer {name}: {got} parameters but torch has {own}"
                         for name, own, got in comparison.param_mismatches]
    verdict.problems += [f"layer {name} is not a module of torch's model" for name in comparison.extra]
    if model["total_params"] is not None and model["total_params"] != outcome.result.total_params:
        verdict.problems.append(f"{model['total_params']} parameters in all, torch has {outcome.result.total_params}")
    if verdict.problems:
        verdict.kind = FAILED
    elif comparison.output != "match" or comparison.unresolved or model["total_params"] is None or comparison.missing:
        verdict.kind = UNRESOLVED
    return verdict


def _raises(example: Example, outcome: Outcome, model: dict[str, Any], errors: list[dict[str, Any]]) -> Verdict:
    verdict = Verdict(CAUGHT, torch=outcome.describe())
    expected = example.planted
    matching = [f for f in errors if expected is None or f["symbol"] == expected]
    if matching:
        lines = sorted({f["line"] for f in matching})
        if example.planted_line is not None and example.planted_line not in lines:
            verdict.problems.append(f"reports {expected} at line {', '.join(map(str, lines))}, "
                                    f"the mistake is at line {example.planted_line}")
    elif errors:
        verdict.problems.append(f"torch raises but torchport reports {[f['symbol'] for f in errors]}, "
                                f"not {expected}: {errors[0]['message']}")
    elif could_not_infer(model):
        verdict.kind = UNKNOWN
    else:
        verdict.problems.append(f"torch raises but torchport reports nothing and claims the output {model['output']}")
    if verdict.problems:
        verdict.kind = FAILED
    return verdict


def could_not_infer(model: dict[str, Any]) -> bool:
    """Whether the summary says it could not follow the model: notes, or a shape or count left open."""
    shapes = [model["output"], *(layer["output"] for layer in model["layers"])]
    return bool(model["notes"]) or model["total_params"] is None or any(_open(s) for s in shapes)


def _open(nesting: Any) -> bool:
    if isinstance(nesting, str):
        return True
    if isinstance(nesting, list):
        return any(_open(n) for n in nesting)
    if isinstance(nesting, dict):
        return any(_open(n) for n in nesting.values())
    return False


def check(example: Example) -> Verdict:
    """Run torch and torchport on one example and judge them. When torch runs on the meta device and
    torchport reports an error, the model is run for real on the CPU too: the meta device skips some
    checks (see tests/fuzz/oracle.py)."""
    with tempfile.TemporaryDirectory(prefix="torchport-fuzz-") as directory:
        path = Path(directory) / FILE_NAME
        outcome = run_torch(example, path)
        model = summarise(example, Path(directory))
        if outcome.runs and any(f["kind"] == "error" for f in model["findings"]):
            on_cpu = run_torch(example, path, device="cpu")
            if not on_cpu.runs:
                outcome = on_cpu
    return judge(example, outcome, model)


@dataclass
class Tally:
    """Verdicts over a run, and the share of torch's errors torchport catches."""

    kinds: Counter[str] = field(default_factory=Counter)
    planted: Counter[str] = field(default_factory=Counter)  # symbol -> examples where torch raised
    caught: Counter[str] = field(default_factory=Counter)  # symbol -> of those, caught

    def add(self, example: Example, verdict: Verdict) -> None:
        self.kinds[verdict.kind] += 1
        if verdict.kind in (CAUGHT, UNKNOWN) or (verdict.kind == FAILED and not verdict.torch.startswith("runs")):
            symbol = example.planted or "(unplanted)"
            self.planted[symbol] += 1
            self.caught[symbol] += verdict.kind == CAUGHT

    def summary(self) -> str:
        errors = sum(self.planted.values())
        caught = sum(self.caught.values())
        share = f"{caught}/{errors} = {caught / errors:.0%}" if errors else "0/0"
        per = ", ".join(f"{s} {self.caught[s]}/{n}" for s, n in sorted(self.planted.items()))
        kinds = ", ".join(f"{k} {self.kinds[k]}" for k in (EXACT, UNRESOLVED, CAUGHT, UNKNOWN, FAILED))
        return f"{sum(self.kinds.values())} examples: {kinds}; torch errors caught: {share} ({per})"


# ------------------------------------------------------------------------------------------ regressions

REGRESSION_TAG = "# fuzz-regression: "


def regression_text(example: Example, torch: str, xfail: str | None = None) -> str:
    """A regression file: the example's source unchanged (its line numbers are the ones reported), then one
    comment line with what replaying it needs, what torch does, and the strict-xfail reason of a known bug."""
    record = {"class": example.class_name, "inputs": [list(s) for s in example.inputs], "dtypes": list(example.dtypes),
              "input_style": example.input_style, "kwargs": example.kwargs, "planted": example.planted,
              "planted_line": example.planted_line, "torch": torch, "xfail": xfail}
    return example.source + REGRESSION_TAG + json.dumps(record) + "\n"


def load_regression(text: str) -> tuple[Example, str, str | None]:
    """The example of a regression file, what torch does with it, and its xfail reason (None: must pass)."""
    tag = text.rindex(REGRESSION_TAG)
    record = json.loads(text[tag + len(REGRESSION_TAG):])
    example = Example(text[:tag], record["class"], tuple(tuple(s) for s in record["inputs"]), tuple(record["dtypes"]),
                      record["input_style"], record["kwargs"], record["planted"], record["planted_line"])
    return example, record["torch"], record["xfail"]
