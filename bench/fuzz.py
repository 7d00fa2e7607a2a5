"""A long differential-fuzzing run: torchport's shape engine against torch on generated model files.

    python bench/fuzz.py [-n 2000] [--seed 0] [--out tests/fuzz/regressions] [--show 3]

The same generator, oracle and invariants as tests/fuzz/test_differential.py (see tests/fuzz/), without its
bound: N examples from the seed, no shrinking, every failure kept instead of stopping at the first. It prints
the verdicts, the share of torch's shape errors torchport catches (per planted message) and the time taken.

Each failing example (an invariant broken, or torchport raising) is written to OUT as `found_<hash>.py`: the
source unchanged and the replay record (tests/fuzz/differential.py). tests/fuzz/test_regressions.py replays
every file there, so a saved failure fails the suite until it is triaged: fix the bug, or, for a bug in
another engineer's code, add the strict-xfail reason to the record. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzz.differential import FAILED, Tally, Verdict, check, regression_text  # noqa: E402
from tests.fuzz.strategies import Example, examples, import_all_of_torchport  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--examples", type=int, default=2000, help="examples to run (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fuzz" / "regressions",
                        help="where failing examples are saved (default tests/fuzz/regressions)")
    parser.add_argument("--show", type=int, default=3, help="failures printed in full (default 3)")
    args = parser.parse_args(argv)

    import_all_of_torchport()  # the same examples for a seed as the CI run's module set gives
    tally = Tally()
    failures: list[tuple[Example, Verdict]] = []

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(examples())
    def run(example: Example) -> None:
        try:
            verdict = check(example)
        except Exception:  # noqa: BLE001 - torchport raising is a failure to keep, not a reason to stop
            verdict = Verdict(FAILED, [f"torchport raised: {traceback.format_exc(limit=-3)}"], "not run")
        tally.add(example, verdict)
        if verdict.kind == FAILED:
            failures.append((example, verdict))

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"{tally.summary()}; {elapsed:.0f} s ({elapsed / max(1, sum(tally.kinds.values())):.2f} s per example)")
    seen: set[str] = set()
    for index, (example, verdict) in enumerate(failures):
        digest = hashlib.sha1(example.source.encode()).hexdigest()[:10]
        if digest in seen:
            continue
        seen.add(digest)
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"found_{digest}.py"
        path.write_text(regression_text(example, verdict.torch))
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"saved {shown}: {'; '.join(verdict.problems)[:200]}")
        if index < args.show:
            print(verdict.report(example))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
