"""Where torchport's time goes: CPU seconds of each rule family over a corpus, and the slowest files.

    python bench/rule_cost.py timm                   # torchport of the checkout
    python bench/rule_cost.py timm --commit HEAD --top 20

plugin_overhead.py says how much the plugin adds to pylint; this says which family and which files
cost it, and lists the findings. Trees are built once, as pylint builds them, then every family runs on every file in one
process (`torchport.rules.run_family`, which is what the pylint checkers call). torch is hidden:
torchport's answers do not depend on it, and astroid then spends no time parsing torch.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from corpora import MissingCorpus, corpus_root, python_files
from source import torchport_source

REPO = Path(__file__).resolve().parents[1]

# Runs in a fresh process (torch hidden, the chosen torchport first on sys.path); prints JSON.
_MEASURE = r"""
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("_hide", sys.argv[1])
hide = importlib.util.module_from_spec(spec); spec.loader.exec_module(hide); hide.hide_torch()
import astroid
from astroid.modutils import modpath_from_file
from torchport.rules import RULES, run_family
files = json.load(open(sys.argv[2]))
rows, build = [], 0.0
for file in files:
    start = time.process_time()
    try:
        tree = astroid.MANAGER.ast_from_file(file, ".".join(modpath_from_file(file)), source=True)
    except Exception:
        continue
    build += time.process_time() - start
    for family in RULES:
        start = time.process_time()
        findings = run_family(family, tree)
        rows.append([family, file, time.process_time() - start,
                     [[f.symbol, f.line, f.text] for f in findings]])
import torchport
print(json.dumps({"build": build, "rows": rows, "imported": torchport.__file__}))
"""


def measure(files: list[Path], pythonpath: Path | None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listing:
        json.dump([str(f) for f in files], listing)
    environment = dict(os.environ, PYTHONPATH=str(pythonpath)) if pythonpath is not None else None
    try:
        # From an empty folder: `python -c` puts the working folder first on sys.path, and run from the
        # checkout it would import the checkout's torchport instead of the --commit export.
        with tempfile.TemporaryDirectory() as empty:
            done = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(REPO / "tests" / "support" / "hide_torch.py"), listing.name],
                capture_output=True, text=True, env=environment, check=True, cwd=empty,
            )
    finally:
        Path(listing.name).unlink()
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="timm, torch-nn, or a path")
    parser.add_argument("--commit", help="measure this git commit's torchport instead of the checkout's")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest files to list (default: 10)")
    args = parser.parse_args(argv)
    try:
        root = corpus_root(args.corpus)
    except MissingCorpus as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    files = python_files(root)
    source = torchport_source(args.commit)
    try:
        result = measure(files, source.pythonpath)
    except subprocess.CalledProcessError as failure:
        print(f"error: the measurement failed:\n{failure.stderr[-3000:]}", file=sys.stderr)
        return 1
    finally:
        source.remove()
    rows = result["rows"]
    total = sum(row[2] for row in rows)
    print(f"corpus {args.corpus}: {root} ({len(files)} .py files), torchport: {source.description}")
    print(f"  torchport imported from {Path(result['imported']).parent}")
    print(f"  building the trees (astroid, as pylint does, torch hidden): {result['build']:.1f} s CPU")
    print(f"  torchport's rule families: {total:.1f} s CPU")
    for family in dict.fromkeys(row[0] for row in rows):
        spent = sum(row[2] for row in rows if row[0] == family)
        findings = sum(len(row[3]) for row in rows if row[0] == family)
        errors = sum(f[0] == "torchport-analysis-error" for row in rows if row[0] == family for f in row[3])
        print(f"    {family:12} {spent:7.2f} s  {findings:5d} findings  {errors} analysis errors")
    print("  slowest (family, file):")
    base = root if root.is_dir() else root.parent
    for family, file, spent, _ in sorted(rows, key=lambda row: -row[2])[: args.top]:
        print(f"    {spent:7.2f} s  {family:12} {Path(file).relative_to(base)}")
    found = [(file, finding) for _, file, _, findings in rows for finding in findings]
    if found:
        print("  findings (corpus_lint.py shows them in context):")
    for file, (symbol, line, text) in found:
        print(f"    {Path(file).relative_to(base)}:{line} {symbol}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
