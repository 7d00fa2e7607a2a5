"""torchport's side of the differential test, and the verdict that holds it against torch.

torchport reads the example as a user's project would give it: `model.py` in a folder with a
pyproject.toml, through `torchport summary --format json` (run in-process, so an internal error shows
its traceback). The verdict checks the invariants:

(a) torch runs: torchport reports no 73xx error, every shape it claims (the output and each layer it
    gives a concrete shape for) equals torch's, and so does every parameter count it gives; except when
    the planted `view(-1, K)` silently changed the batch size (torch runs on a batch of 1 and returns 2
    rows), which the planted view-flatten-mismatch rightly reports;
(b) torch raises a shape error: torchport reports the planted mistake's 73xx message (at the line of
    the mistake when it is one number on one line), or says it could not infer (notes, a shape or a
    count left unknown); an unplanted error (the generator's own slip) may be reported by any error. A
    view torch rejects for its input's strides is "unknown" when torchport says nothing: it tracks
    strides only where it is sure of them (catalogue/layout.py), and keeps the view's shape otherwise.
    When torchport is given no input shape, a condition naming the planted message ("valid only when
    ...") counts as reporting it.
The pylint rules of the shapes family (what the plugin reports, on the same file) must be silent when
torch runs; when it raises and the plugin reports something, that includes the planted message (at its
line) whenever the plugin is given the input shapes too.
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

from tests.fuzz.oracle import STRIDES_ERROR, Outcome
from tests.fuzz.oracle import run as run_torch
from tests.fuzz.strategies import FILE_NAME, Example
from tests.fuzz.writer import VIEW
from tests.support.torch_oracle import OracleResult, compare_summary
from torchport.advisor import cli
from torchport.advisor.sources import parse_file
from torchport.advisor.usages import module_name
from torchport.rules import run_family

# verdicts: torch runs and torchport gives every shape and count ("exact") or leaves some symbolic or
# unknown ("unresolved"); torch raises and torchport reports the mistake ("caught") or says it could not
# infer ("unknown"); "failed": an invariant does not hold
EXACT, UNRESOLVED, CAUGHT, UNKNOWN, FAILED = "exact", "unresolved", "caught", "unknown", "failed"
# the input styles the pylint plugin sees too (it has no --input-shape); with the others it reads the input
# from the first layers, so a wrong first layer looks right to it and the mistake shows at the next one
SHAPES_FOR_PYLINT = ("pyproject", "call", "jaxtyping")


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


def lint(path: Path) -> list[tuple[str, int]]:
    """(symbol, line) of every finding of the pylint plugin's shapes family on the file. A family past its
    CPU budget (a loaded machine) says it does not know: that note is dropped, like an unknown."""
    module = parse_file(str(path), module_name(path))
    return [(finding.symbol, finding.line) for finding in run_family("shapes", module)
            if finding.symbol != "torchport-budget-exceeded"]


def judge(example: Example, outcome: Outcome, model: dict[str, Any],
          linted: list[tuple[str, int]] = ()) -> Verdict:
    errors = [f for f in model["findings"] if f["kind"] == "error"]
    if outcome.result is not None:
        verdict = _runs(example, outcome, model, errors)
        verdict.problems += [f"the pylint plugin reports {symbol} at line {line}" for symbol, line in linted]
        if verdict.problems and _batch_changed(example, outcome, errors, linted):
            verdict = Verdict(CAUGHT, torch=outcome.describe())
    else:
        verdict = _raises(example, outcome, model, errors)
        # as for the summary, its consequences may be reported too; without the input shapes any 73xx message
        # says the model cannot run
        planted = {(symbol, line) for symbol, line in linted if symbol == example.planted
                   and example.planted_line in (None, line)}
        if linted and example.planted is not None and not planted and example.input_style in SHAPES_FOR_PYLINT:
            verdict.problems.append(f"the pylint plugin reports {sorted(set(linted))}, not {example.planted}"
                                    + (f" at line {example.planted_line}" if example.planted_line else ""))
    crashes = [note for note in model["notes"] if "internal error" in note]
    crashes += [f"the pylint plugin reports {symbol}" for symbol, _ in linted if symbol == "torchport-analysis-error"]
    if crashes:  # torchport caught its own exception or ran out of time: a bug whatever the shapes say
        verdict.problems += crashes
    if verdict.problems:
        verdict.kind = FAILED
    return verdict


def _runs(example: Example, outcome: Outcome, model: dict[str, Any], errors: list[dict[str, Any]]) -> Verdict:
    assert outcome.result is not None
    verdict = Verdict(EXACT, torch=outcome.describe())
    verdict.problems += [f"reports {f['symbol']} at line {f['line']} ({f['message']})" for f in errors]
    if example.input_style != "none":  # symbolic sizes may leave conditions, concrete ones may not
        verdict.problems += [f"states a condition on a concrete input: line {f['line']}: {f['message']}"
                             for f in model["findings"] if f["kind"] != "error"]
    if not _same_ranks(example, model):  # no input given and the first layer's guess has another rank
        verdict.kind = UNRESOLVED if not verdict.problems else FAILED
        return verdict
    comparison = compare_summary(outcome.result, with_unknowns_open(outcome.result, model))
    if comparison.output in ("mismatch", "missing"):
        verdict.problems.append(f"output {model.get('output')} but torch gives {outcome.result.output}")
    verdict.problems += [f"layer {name}: {got} but torch gives {calls}" for name, calls, got in comparison.mismatches]
    verdict.problems += [f"layer {name}: {got} parameters but torch has {own}"
                         for name, own, got in comparison.param_mismatches if got is not None]
    verdict.problems += [f"layer {name} is not a module of torch's model" for name in comparison.extra]
    if model["total_params"] is not None and model["total_params"] != outcome.result.total_params:
        verdict.problems.append(f"{model['total_params']} parameters in all, torch has {outcome.result.total_params}")
    if verdict.problems:
        verdict.kind = FAILED
    elif comparison.output != "match" or comparison.unresolved or model["total_params"] is None or comparison.missing \
            or comparison.param_mismatches:
        verdict.kind = UNRESOLVED
    return verdict


def _batch_changed(example: Example, outcome: Outcome, errors: list[dict[str, Any]],
                   linted: list[tuple[str, int]]) -> bool:
    """torch runs, but the planted `view(-1, K)` silently changed the batch size (a batch of 1 seen as 2
    rows): what view-flatten-mismatch says ("the batch size silently changes or the call fails"). It
    counts as caught when that message, at the planted line, is all torchport reports."""
    assert outcome.result is not None
    output, batch = outcome.result.output, example.inputs[0][0]
    if example.planted != VIEW or not isinstance(output, tuple) or not output or output[0] == batch:
        return False
    reported = {(f["symbol"], f["line"]) for f in errors} | set(linted)
    return bool(reported) and all(symbol == VIEW and example.planted_line in (None, line) for symbol, line in reported)


def _raises(example: Example, outcome: Outcome, model: dict[str, Any], errors: list[dict[str, Any]]) -> Verdict:
    verdict = Verdict(CAUGHT, torch=outcome.describe())
    expected = example.planted
    candidates = errors if example.input_style != "none" else model["findings"]
    matching = [f for f in candidates if expected is None or f["symbol"] == expected]
    if example.input_style == "none" and not matching:
        matching = errors  # the first layers' sizes stand for the input: a wrong first layer shows at the next
    if matching:
        lines = sorted({f["line"] for f in matching})
        if example.planted_line is not None and example.planted_line not in lines and example.input_style != "none":
            verdict.problems.append(f"reports {expected} at line {', '.join(map(str, lines))}, "
                                    f"the mistake is at line {example.planted_line}")
    elif errors:
        verdict.problems.append(f"torch raises but torchport reports {[f['symbol'] for f in errors]}, "
                                f"not {expected}: {errors[0]['message']}")
    elif could_not_infer(model) or STRIDES_ERROR in verdict.torch:
        verdict.kind = UNKNOWN  # a view's strides are reported only where torchport is sure of them
    else:
        verdict.problems.append(f"torch raises but torchport reports nothing and claims the output {model['output']}")
    return verdict


def _same_ranks(example: Example, model: dict[str, Any]) -> bool:
    """Whether the summary's inputs have the example's ranks: when torchport is given no input it states the
    one it assumes (from the first layers), and shapes computed from another rank cannot be compared."""
    given = model["input"]
    return len(given) == len(example.inputs) and all(
        isinstance(g, list) and len(g) == len(shape) for g, shape in zip(given, example.inputs))


def with_unknowns_open(result: OracleResult, model: dict[str, Any]) -> dict[str, Any]:
    """The summary with each "?" (a value torchport could not infer) written as a shape of as many symbolic
    dims as torch's: compare_summary then counts it as unresolved, not as a wrong shape."""
    opened = dict(model)
    opened["output"] = _open_unknown(result.output, model["output"])
    opened["layers"] = [{**layer, "output": _open_unknown(result.layers[layer["name"]].calls[0], layer["output"])}
                        if layer["name"] in result.layers and result.layers[layer["name"]].calls else layer
                        for layer in model["layers"]]
    return opened


def _open_unknown(expected: Any, got: Any) -> Any:
    if got == "?" and isinstance(expected, tuple):
        return ["?"] * len(expected)
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return [_open_unknown(e, g) for e, g in zip(expected, got)]
    if isinstance(expected, dict) and isinstance(got, dict):
        return {k: _open_unknown(expected.get(k), v) for k, v in got.items()}
    return got


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
    torchport reports an error, or when the meta device rejects a view for its strides, the model is run
    for real on the CPU too, whose outcome counts (see tests/fuzz/oracle.py)."""
    with tempfile.TemporaryDirectory(prefix="torchport-fuzz-") as directory:
        path = Path(directory) / FILE_NAME
        outcome = run_torch(example, path)
        if outcome.error is not None and STRIDES_ERROR in str(outcome.error):
            outcome = run_torch(example, path, device="cpu")
        model = summarise(example, Path(directory))
        linted = lint(path)
        if outcome.runs and (linted or any(f["kind"] == "error" for f in model["findings"])):
            on_cpu = run_torch(example, path, device="cpu")
            if not on_cpu.runs:
                outcome = on_cpu
    return judge(example, outcome, model, linted)


@dataclass
class Tally:
    """Verdicts over a run, and the share of torch's errors torchport catches: when it is given the input
    shapes (as the summary is, by the user), and when it is not (it then reads symbols from the first layers)."""

    kinds: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # planted symbol -> examples where torch raised
    caught: Counter[str] = field(default_factory=Counter)  # symbol -> of those, caught
    blind: Counter[str] = field(default_factory=Counter)  # "errors" / "caught" without input shapes

    def add(self, example: Example, verdict: Verdict) -> None:
        self.kinds[verdict.kind] += 1
        if verdict.torch.startswith("runs") or verdict.torch == "not run":
            return
        if example.input_style == "none":
            self.blind["errors"] += 1
            self.blind["caught"] += verdict.kind == CAUGHT
            return
        symbol = example.planted or "(unplanted)"
        self.errors[symbol] += 1
        self.caught[symbol] += verdict.kind == CAUGHT

    def summary(self) -> str:
        errors, caught = sum(self.errors.values()), sum(self.caught.values())
        share = f"{caught}/{errors} = {caught / errors:.0%}" if errors else "0/0"
        per = ", ".join(f"{s} {self.caught[s]}/{n}" for s, n in sorted(self.errors.items()))
        kinds = ", ".join(f"{k} {self.kinds[k]}" for k in (EXACT, UNRESOLVED, CAUGHT, UNKNOWN, FAILED))
        blind = f"{self.blind['caught']}/{self.blind['errors']}"
        return (f"{sum(self.kinds.values())} examples: {kinds}; torch errors caught with the input shapes given: "
                f"{share} ({per}); with none given: {blind}")


# ------------------------------------------------------------------------------------------ regressions

REGRESSION_TAG = "# fuzz-regression: "


def regression_text(example: Example, torch: str, xfail: str | None = None) -> str:
    """A regression file: the example's source unchanged (its line numbers are the ones reported), then one
    comment line with what replaying it needs, what torch does, and the strict-xfail reason of a known bug.
    A hand-edited record may also name the verdict the replay must give ("verdict": "caught"), where
    "not failed" is too weak (a view torch rejects for its strides is also passed as unknown)."""
    record = {"class": example.class_name, "inputs": [list(s) for s in example.inputs], "dtypes": list(example.dtypes),
              "input_style": example.input_style, "kwargs": example.kwargs, "planted": example.planted,
              "planted_line": example.planted_line, "torch": torch, "xfail": xfail}
    return example.source + REGRESSION_TAG + json.dumps(record) + "\n"


@dataclass(frozen=True)
class Regression:
    example: Example
    torch: str  # what torch does with it (Outcome.describe)
    xfail: str | None  # the reason of a known bug's strict xfail; None: it must pass
    verdict: str | None  # the verdict the replay must give; None: any but FAILED


def load_regression(text: str) -> Regression:
    """The regression a file records (see regression_text)."""
    tag = text.rindex(REGRESSION_TAG)
    record = json.loads(text[tag + len(REGRESSION_TAG):])
    example = Example(text[:tag], record["class"], tuple(tuple(s) for s in record["inputs"]), tuple(record["dtypes"]),
                      record["input_style"], record["kwargs"], record["planted"], record["planted_line"])
    return Regression(example, record["torch"], record.get("xfail"), record.get("verdict"))
