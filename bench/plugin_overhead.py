"""How much time torchport's pylint plugin adds, measured in one run.

    python bench/plugin_overhead.py                       # timm, 3 timed rounds, torch importable and hidden
    python bench/plugin_overhead.py --repeat 5 --torch importable --json-out figures.json
    python bench/plugin_overhead.py --corpus path/to/project --repeat 1 --warmup 0   # a quick look

Each round runs, in a fresh process each and with the same settings, the configurations below on
the same files; the order alternates between rounds. Untimed warm-up rounds come first; they run
only the most complete configuration, which reads every file the others read.
  default            pylint's default checks
  default+torchport  the same with `--load-plugins=torchport.lint_rules`
  torchport-only     `--disable=all --enable=torchport` with the plugin: the pre-commit configuration
  pylint-floor       `--disable=all --enable=syntax-error`, no plugin: pylint's parse-and-walk floor
  astroid-parse      astroid building each file's tree (transforms applied) and nothing else
pylint keeps nothing between runs (`--persistent=n`; astroid's cache lives in the process), so each
run parses everything again. astroid infers into torch's own sources when pylint's default checks
need it and torch is installed, so every configuration runs both with torch importable and hidden.
The overhead is median(default+torchport) / median(default) - 1 on CPU time (the machine is shared,
CPU time is steadier than wall time) and on wall time, next to the median of the per-round ratios.
With `-j 1` the seconds spent inside torchport's rule families are also timed directly.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from corpora import MissingCorpus, corpus_root, python_files
from corpus_lint import is_torchport
from measure import RunResult, exit_cleanly_on_sigterm, run_tool
from source import Source, torchport_source

PLUGIN = "--load-plugins=torchport.lint_rules"
COMMON = ["--persistent=n", "--score=n", "--reports=n", "--recursive=y", "--output-format=json2"]
# configuration -> pylint options (None: the bare astroid parse)
CONFIGS: dict[str, list[str] | None] = {
    "default": [],
    "default+torchport": [PLUGIN],
    "torchport-only": [PLUGIN, "--disable=all", "--enable=torchport"],
    # pylint refuses to run with every message disabled; syntax-error is emitted by the parse itself
    "pylint-floor": ["--disable=all", "--enable=syntax-error"],
    "astroid-parse": None,
}
# least to most complete: a warm-up round runs only the most complete configuration selected
WARM_UP_PREFERENCE = ["astroid-parse", "pylint-floor", "torchport-only", "default", "default+torchport"]
TORCH_MODES = {"importable": False, "hidden": True}
# pylint's own messages that differ between two identical runs on timm, with no plugin: the cycles
# reported and the duplicate blocks quoted follow set and dict orders of its import graph
ORDER_DEPENDENT = frozenset({"cyclic-import", "duplicate-code"})
ANALYSIS_ERROR = "F7100"  # torchport-analysis-error
TARGET = 0.10  # at most 10% added to pylint's default checks
PYLINT_FAILED_BITS = 1 | 32


@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mb: float
    plugin_cpu: float | None  # CPU seconds importing the plugin and inside its rule families (-j 1 only)


@dataclass
class Series:
    config: str
    torch: str
    samples: list[Sample] = field(default_factory=list)
    messages: Counter[tuple[str, str, int]] = field(default_factory=Counter)  # of the last timed run

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples)


class RunFailed(Exception):
    pass


def run_config(
    config: str, torch: str, root: Path, files: list[Path], jobs: int, source: Source
) -> tuple[Sample, Counter]:
    """One measured run of a configuration in a fresh process."""
    workdir = Path(tempfile.mkdtemp(prefix="torchport-overhead-"))
    try:
        options = CONFIGS[config]
        timed_plugin = options is not None and PLUGIN in options and jobs == 1
        output = workdir / "pylint.json"
        if options is None:
            tool_args = ["parse", *map(str, files)]
        else:
            plugin_time = ["--plugin-time", str(workdir / "plugin.json")] if timed_plugin else []
            tool_args = [*plugin_time, "pylint", *COMMON, f"--jobs={jobs}", f"--output={output}", *options, str(root)]
        result = run_tool(tool_args, workdir, hide_torch=TORCH_MODES[torch], pythonpath=source.pythonpath)
        check_result(config, torch, result, options is None)
        plugin_cpu = None
        if timed_plugin:
            spent = json.loads((workdir / "plugin.json").read_text())
            plugin_cpu = spent["import_cpu"] + spent["cpu"]
        messages = message_counts(output) if options is not None else Counter()
        return Sample(result.wall, result.cpu, result.max_rss_mb, plugin_cpu), messages
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_result(config: str, torch: str, result: RunResult, is_parse: bool) -> None:
    failed = result.exit_code != 0 if is_parse else result.exit_code < 0 or result.exit_code & PYLINT_FAILED_BITS
    if failed:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise RunFailed(f"{config} (torch {torch}) failed with exit status {result.exit_code}:\n{tail}")


def message_counts(output: Path) -> Counter[tuple[str, str, int]]:
    """(message id, path, line) of every message, to check that the plugin changes none of pylint's.
    Messages whose set varies between identical pylint runs are left out (ORDER_DEPENDENT)."""
    rows = json.loads(output.read_text(encoding="utf-8"))["messages"]
    return Counter((row["messageId"], row["path"], row["line"]) for row in rows
                   if row["symbol"] not in ORDER_DEPENDENT)


def measure(
    args: argparse.Namespace, root: Path, files: list[Path], source: Source
) -> dict[tuple[str, str], Series]:
    series = {(c, t): Series(c, t) for t in args.torch for c in args.configs}
    for round_number in range(args.warmup + args.repeat):
        timed = round_number >= args.warmup
        if not timed:  # one run that reads every file any configuration reads: pylint, torch, the corpus
            order = [max(args.configs, key=WARM_UP_PREFERENCE.index)]
        else:
            order = args.configs if (round_number - args.warmup) % 2 == 0 else args.configs[::-1]
        for torch in args.torch:
            for config in order:
                sample, messages = run_config(config, torch, root, files, args.jobs, source)
                label = f"round {round_number - args.warmup + 1}" if timed else "warm-up"
                inside = f"  (torchport {sample.plugin_cpu:.2f} s)" if sample.plugin_cpu is not None else ""
                print(f"  {label:9} torch {torch:10} {config:18} wall {sample.wall:7.1f} s  CPU {sample.cpu:7.1f} s"
                      f"{inside}", flush=True)
                if timed:
                    series[config, torch].samples.append(sample)
                    series[config, torch].messages = messages
    return series


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def overhead(series: dict[tuple[str, str], Series], torch: str) -> dict[str, float] | None:
    """The plugin's overhead on pylint's default checks: median ratios, CPU and wall."""
    base, plugged = series.get(("default", torch)), series.get(("default+torchport", torch))
    if not base or not plugged or not base.samples:
        return None
    paired = [ratio(p.cpu, b.cpu) for b, p in zip(base.samples, plugged.samples)]
    figures = {
        "default_cpu": base.median("cpu"),
        "plugged_cpu": plugged.median("cpu"),
        "default_wall": base.median("wall"),
        "plugged_wall": plugged.median("wall"),
        "cpu_ratio": ratio(plugged.median("cpu"), base.median("cpu")),
        "wall_ratio": ratio(plugged.median("wall"), base.median("wall")),
        "paired_cpu_ratio": statistics.median(paired),
    }
    inside = [s for s in plugged.samples if s.plugin_cpu is not None]
    if inside:
        figures["plugin_cpu"] = statistics.median(s.plugin_cpu for s in inside)
        # the plugin's share of its own run: steady on a busy machine, unlike a difference of two runs
        figures["direct_ratio"] = statistics.median(1 + s.plugin_cpu / (s.cpu - s.plugin_cpu) for s in inside)
    return figures


def pylint_messages_unchanged(series: dict[tuple[str, str], Series], torch: str) -> bool | None:
    """Whether the plugin left pylint's own messages exactly as they were (it must not disturb astroid)."""
    base, plugged = series.get(("default", torch)), series.get(("default+torchport", torch))
    if not base or not plugged:
        return None
    own = Counter({key: n for key, n in plugged.messages.items() if not is_torchport(key[0])})
    return +own == +base.messages and not any(k[0] == ANALYSIS_ERROR for k in plugged.messages)


def print_figures(series: dict[tuple[str, str], Series], args: argparse.Namespace) -> None:
    print("\nmedians over", args.repeat, "timed round(s):")
    print(f"  {'torch':10} {'configuration':18} {'wall s':>8} {'CPU s':>8} {'min CPU':>8} {'peak MB':>8}")
    for (config, torch), s in series.items():
        if s.samples:
            print(f"  {torch:10} {config:18} {s.median('wall'):8.1f} {s.median('cpu'):8.1f} "
                  f"{min(x.cpu for x in s.samples):8.1f} {s.median('max_rss_mb'):8.0f}")
    for torch in args.torch:
        figures = overhead(series, torch)
        if figures is None:
            continue
        added = figures["cpu_ratio"] - 1
        verdict = "within" if added <= TARGET else "OVER"
        print(f"\ntorchport's overhead on pylint's default checks, torch {torch}:")
        print(f"  CPU  {figures['default_cpu']:.1f} s -> {figures['plugged_cpu']:.1f} s: ratio {figures['cpu_ratio']:.3f} "
              f"({added:+.1%}, {verdict} the {TARGET:.0%} target); median of per-round ratios "
              f"{figures['paired_cpu_ratio']:.3f}")
        print(f"  wall {figures['default_wall']:.1f} s -> {figures['plugged_wall']:.1f} s: ratio {figures['wall_ratio']:.3f}")
        if "plugin_cpu" in figures:
            direct = figures["direct_ratio"] - 1
            print(f"  CPU inside torchport (import + rule families), timed in the run: {figures['plugin_cpu']:.2f} s: "
                  f"ratio {figures['direct_ratio']:.3f} ({direct:+.1%}, {'within' if direct <= TARGET else 'OVER'} "
                  f"the {TARGET:.0%} target)")
        unchanged = pylint_messages_unchanged(series, torch)
        print(f"  pylint's own messages unchanged by the plugin (all but {', '.join(sorted(ORDER_DEPENDENT))}): "
              f"{'yes' if unchanged else 'NO'}")
        context(series, torch)


def context(series: dict[tuple[str, str], Series], torch: str) -> None:
    """torchport-only (pre-commit) against pylint's floor and a bare astroid parse."""
    medians = {c: series[c, torch].median("cpu") for c in CONFIGS if (c, torch) in series and series[c, torch].samples}
    if "torchport-only" not in medians:
        return
    only = medians["torchport-only"]
    parts = [f"torchport-only {only:.1f} s CPU"]
    for other in ("pylint-floor", "astroid-parse"):
        if other in medians:
            parts.append(f"{other} {medians[other]:.1f} s (x{ratio(only, medians[other]):.2f})")
    print("  context: " + ", ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="timm", help="timm (default), torch-nn, or a path")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds (default: 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default: 1)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="pylint's --jobs (default: 1, steadiest)")
    parser.add_argument("--torch", choices=tuple(TORCH_MODES), action="append",
                        help="torch importable, hidden, or both (the default; repeat the option)")
    parser.add_argument("--configs", nargs="+", choices=tuple(CONFIGS), default=list(CONFIGS))
    parser.add_argument("--json-out", type=Path, help="write every sample and the figures to this file")
    parser.add_argument("--commit", help="measure this git commit's torchport instead of the checkout's")
    args = parser.parse_args(argv)
    exit_cleanly_on_sigterm()
    args.torch = args.torch or list(TORCH_MODES)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        root = corpus_root(args.corpus)
    except MissingCorpus as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    files = python_files(root)
    source = torchport_source(args.commit)
    print(f"corpus {args.corpus}: {root} ({len(files)} .py files), pylint -j {args.jobs}, "
          f"{args.warmup} warm-up + {args.repeat} timed round(s), torch {' and '.join(args.torch)}")
    print(f"torchport: {source.description}")
    try:
        series = measure(args, root, files, source)
    except RunFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    finally:
        source.remove()
    print_figures(series, args)
    if args.json_out:
        write_json(args, root, files, series, source)
    return 0


def write_json(
    args: argparse.Namespace, root: Path, files: list[Path], series: dict[tuple[str, str], Series], source: Source
) -> None:
    document = {
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "torchport": source.description,
        "corpus": str(root),
        "files": len(files),
        "jobs": args.jobs,
        "samples": {f"{t}/{c}": [asdict(x) for x in s.samples] for (c, t), s in series.items()},
        "overhead": {t: overhead(series, t) for t in args.torch},
    }
    args.json_out.write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"figures written to {args.json_out}")


if __name__ == "__main__":
    sys.exit(main())
