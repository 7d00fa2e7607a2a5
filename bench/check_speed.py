"""How fast `torchport check` is against TorchFix, against pylint running only torchport's messages, and
against the floors (astroid's parse, Python's `ast.parse`), all on the same files in one run.

    python bench/check_speed.py                          # timm, 1 warm-up + 3 rounds
    python bench/check_speed.py --repeat 1 --warmup 0     # a quick look
    python bench/check_speed.py --corpus torchvision --commit HEAD --json-out speed.json

Every configuration runs in a fresh process (bench/measure.py), with torch importable, on the same
file list, and the order alternates between rounds. Reported per configuration: the median wall time,
CPU time and peak memory (the largest single process) of the process tree it waits for (not check's
forkserver workers: for the parallel rows compare wall time),
and each wall time as a ratio to `torchport check -j all` and to astroid's parse.
  ast-parse             Python's own parser on every file: the floor of all floors
  astroid-parse         astroid building every tree (transforms applied), as pylint does
  check -j1             `torchport check --no-cache -j 1`: every rule, one process
  check -j all          `torchport check --no-cache -j 0`: every rule, all cores
  check warm            `torchport check -j 0` a second time over unchanged files (content-hash cache)
  pylint torchport-only `pylint --load-plugins=torchport.lint_rules --disable=all --enable=torchport`
  torchfix              TorchFix's CLI (its default rules, all cores): another PyTorch linter
TorchFix needs libcst<1.6, so it lives in a venv of its own (`--torchfix`, default
bench/.tools/torchfix/bin/torchfix; make it with `python3 -m venv bench/.tools/torchfix &&
bench/.tools/torchfix/bin/pip install torchfix==0.7.0`); without it that row is skipped and says so.
The targets (issue 6): check at least 4x faster than TorchFix, within 1.5x of astroid's parse.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from corpora import MissingCorpus, corpus_root, python_files
from measure import RunResult, exit_cleanly_on_sigterm, run_command, run_tool
from source import Source, torchport_source

BENCH = Path(__file__).resolve().parent
DEFAULT_TORCHFIX = BENCH / ".tools" / "torchfix" / "bin" / "torchfix"
CHECK = ["torchport", "check", "--format", "json"]


@dataclass(frozen=True)
class Config:
    name: str
    kind: str  # "runner": bench/pylint_runner.py arguments; "torchfix": the TorchFix CLI
    args: tuple[str, ...]
    warm: bool = False  # run once untimed right before each timed run (fills the cache)


def configs(root: Path, files: list[str]) -> list[Config]:
    # the cache is .torchport_cache/ in the working folder (the corpus has no pyproject.toml), which
    # only "check warm" writes: the cold runs pass --no-cache
    return [
        Config("ast-parse", "runner", ("ast-parse", *files)),
        Config("astroid-parse", "runner", ("parse", *files)),
        Config("check -j1", "runner", (*CHECK, "--no-cache", "-j", "1", str(root))),
        Config("check -j all", "runner", (*CHECK, "--no-cache", "-j", "0", str(root))),
        Config("check warm", "runner", (*CHECK, "-j", "0", str(root)), warm=True),
        Config("pylint torchport-only", "runner", (
            "pylint", "--load-plugins=torchport.lint_rules", "--disable=all", "--enable=torchport",
            "--persistent=n", "--score=n", "--recursive=y", "-j", "1", str(root))),
        Config("torchfix", "torchfix", (str(root),)),
    ]


def measure(config: Config, workdir: Path, source: Source, torchfix: Path) -> RunResult:
    if config.kind == "torchfix":
        return run_command([str(torchfix), *config.args], workdir, dict(os.environ))
    if config.warm:
        run_tool(list(config.args), workdir, pythonpath=source.pythonpath)
    return run_tool(list(config.args), workdir, pythonpath=source.pythonpath)


def failed(config: Config, exit_code: int) -> bool:
    if config.args[0] == "pylint":  # a bit field: 1 fatal, 32 usage error; the others are messages
        return bool(exit_code & (1 | 32))
    return exit_code not in (0, 1)  # 1: findings (check, TorchFix), not a failure


@dataclass(frozen=True)
class Row:
    name: str
    wall: float
    cpu: float
    max_rss_mb: float
    exit_codes: list[int]


def report(rows: list[Row], description: str, files: int, rounds: int) -> str:
    """The table, then the targets as ratios of wall time (what a user waits) and of CPU time (steadier
    on a shared machine, but it hides what -j gains)."""
    by_name = {row.name: row for row in rows}
    check, parse = by_name.get("check -j all"), by_name.get("astroid-parse")
    lines = [f"{files} files, {rounds} round(s), {os.cpu_count()} cores, torchport: {description}, "
             f"load average at the end: {os.getloadavg()[0]:.1f}", "",
             f"{'configuration':<24}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'wall ÷ check':>14}{'wall ÷ astroid':>16}"]
    for row in rows:
        vs_check = f"{row.wall / check.wall:.2f}" if check else "-"
        vs_parse = f"{row.wall / parse.wall:.2f}" if parse else "-"
        lines.append(f"{row.name:<24}{row.wall:>9.2f}{row.cpu:>9.2f}{row.max_rss_mb:>9.0f}{vs_check:>14}{vs_parse:>16}")
    lines.append("")
    targets = [("torchfix", "check -j all", "TorchFix / check -j all", ">= 4"),
               ("check -j all", "astroid-parse", "check -j all / astroid-parse", "<= 1.5"),
               ("check warm", "check -j all", "check warm / check -j all", "near 0")]
    for top, bottom, label, target in targets:
        if top in by_name and bottom in by_name:
            wall = by_name[top].wall / by_name[bottom].wall
            cpu = by_name[top].cpu / by_name[bottom].cpu
            lines.append(f"{label}: {wall:.2f}x wall, {cpu:.2f}x CPU  (target {target})")
    lines.append("(check's workers run under multiprocessing's forkserver, which the measured process does not wait "
                 "for: the CPU and peak memory of the parallel check rows are the parent's only; compare their wall)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="timm", help="a corpus name (bench/corpora.py) or a path")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--commit", help="measure exactly this commit's torchport (git archive)")
    parser.add_argument("--torchfix", type=Path, default=DEFAULT_TORCHFIX, help="TorchFix's executable")
    parser.add_argument("--only", nargs="+", help="run only these configurations (names as listed above)")
    parser.add_argument("--json-out", type=Path)
    options = parser.parse_args(argv)
    exit_cleanly_on_sigterm()
    try:
        root = corpus_root(options.corpus)
    except MissingCorpus as error:
        print(error, file=sys.stderr)
        return 2
    files = [str(path) for path in python_files(root)]
    source = torchport_source(options.commit)
    workdir = Path(tempfile.mkdtemp(prefix="torchport-speed-"))
    try:
        chosen = [c for c in configs(root, files) if not options.only or c.name in options.only]
        if not options.torchfix.exists():
            print(f"TorchFix not found at {options.torchfix}: its row is skipped (see this script's docstring)")
            chosen = [c for c in chosen if c.kind != "torchfix"]
        for _ in range(options.warmup):
            for config in chosen:
                measure(config, workdir, source, options.torchfix)
        results: dict[str, list[RunResult]] = {c.name: [] for c in chosen}
        for round_number in range(options.repeat):
            order = chosen if round_number % 2 == 0 else list(reversed(chosen))
            for config in order:
                result = measure(config, workdir, source, options.torchfix)
                if failed(config, result.exit_code):
                    print(f"{config.name} exited {result.exit_code}:\n{result.stderr[-2000:]}", file=sys.stderr)
                results[config.name].append(result)
        rows = [Row(name, statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                    max(r.max_rss_mb for r in runs), [r.exit_code for r in runs]) for name, runs in results.items()]
        print(report(rows, source.description, len(files), options.repeat))
        if options.json_out:
            options.json_out.write_text(json.dumps([asdict(row) for row in rows], indent=2))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        source.remove()


if __name__ == "__main__":
    sys.exit(main())
