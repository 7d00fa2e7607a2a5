"""Run torchport's pylint plugin over a real-code corpus and list everything it says.

    python bench/corpus_lint.py timm torch-nn            # the installed timm package, torch's torch/nn
    python bench/corpus_lint.py path/to/project -j 1     # any folder or file
    python bench/corpus_lint.py timm --json-out timm.json --format json
    python bench/corpus_lint.py timm torch-nn --commit HEAD   # exactly the last commit's torchport

pylint runs with only torchport's messages plus astroid-error, fatal and syntax-error, so that a
crash of torchport or of pylint on a file shows up. For each corpus it prints the files analysed,
how many nn.Module classes torchport recognises in them, the wall time, the crashes (torchport-analysis-error, astroid-error, fatal: the goal is 0), the
count of each message and every message with its location and source line, for review.
Exit status: 0, or 1 when a corpus had a crash or pylint itself failed, 2 when a corpus is missing
(the message says how to install it; nothing is installed by this script).
"""

from __future__ import annotations

import argparse
import json
import linecache
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from corpora import MissingCorpus, corpus_root, python_files
from measure import RunResult, exit_cleanly_on_sigterm, run_tool
from source import Source, torchport_source

CRASH_SYMBOLS = ("torchport-analysis-error", "astroid-error", "fatal")
# bad-plugin-value: the plugin failed to import, so the run says nothing about torchport
ALSO_ENABLED = CRASH_SYMBOLS[1:] + ("syntax-error", "bad-plugin-value")
# pylint's exit status is a bit field; these bits mean pylint itself failed (fatal message, usage error)
PYLINT_FAILED_BITS = 1 | 32


@dataclass(frozen=True)
class Emitted:
    """One pylint message, whatever the JSON format it came in."""

    symbol: str
    msgid: str
    path: str
    line: int
    column: int
    obj: str
    text: str


def pylint_args(root: Path, jobs: int, output_format: str, output: Path) -> list[str]:
    return [
        "pylint",
        "--load-plugins=torchport.lint_rules",
        "--disable=all",
        "--enable=torchport," + ",".join(ALSO_ENABLED),
        "--persistent=n",
        "--score=n",
        "--recursive=y",
        f"--jobs={jobs}",
        f"--output-format={output_format}",
        f"--output={output}",
        str(root),
    ]


def read_messages(raw: object) -> list[Emitted]:
    """Messages of pylint's `json2` ({"messages": [...]}) or `json` ([...]) output."""
    rows = raw.get("messages") if isinstance(raw, dict) else raw
    if not isinstance(rows, list):
        raise ValueError("neither pylint's json2 nor its json format")
    return [
        Emitted(
            symbol=row["symbol"],
            msgid=row.get("messageId") or row.get("message-id", ""),
            path=row.get("absolutePath") or row["path"],
            line=row["line"],
            column=row["column"],
            obj=row.get("obj", ""),
            text=row["message"],
        )
        for row in rows
    ]


def is_torchport(msgid: str) -> bool:
    """torchport's message ids are in pylint's 7xxx block (E7101, F7100), which pylint itself leaves free."""
    return msgid[1:2] == "7"


def lint_corpus(name: str, args: argparse.Namespace, source: Source) -> int:
    """Lint one corpus, print its report; the exit status this corpus calls for."""
    try:
        root = corpus_root(name)
    except MissingCorpus as missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    files = python_files(root)
    workdir = Path(tempfile.mkdtemp(prefix="torchport-corpus-"))
    keep = False
    try:
        output = workdir / f"pylint.{args.format}"
        result = run_tool(
            pylint_args(root, args.jobs, args.format, output), workdir, hide_torch=args.hide_torch,
            pythonpath=source.pythonpath,
        )
        raw_text = output.read_text(encoding="utf-8") if output.exists() else ""
        try:
            messages = read_messages(json.loads(raw_text)) if raw_text.strip() else []
        except (ValueError, KeyError) as error:
            print(f"error: cannot read pylint's output: {error}", file=sys.stderr)
            messages = []
        if args.json_out:
            target = json_target(args.json_out, name, several=len(args.corpus) > 1)
            target.write_text(raw_text, encoding="utf-8")
            print(f"pylint's {args.format} output written to {target}")
        crash_reports = sorted((workdir / "pylint-home").glob("pylint-crash-*.txt"))
        print(f"== corpus {name}: {root}")
        print(f"  torchport: {source.description}")
        seen = None if args.no_census else census(files, workdir, source)
        report(root, files, args, result, messages, crash_reports, seen)
        if crash_reports:
            keep = True
            print(f"  pylint's crash reports are kept in {workdir / 'pylint-home'}")
        status = failure_status(result, messages, raw_text)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


def census(files: list[Path], workdir: Path, source: Source) -> str:
    """How many nn.Module classes torchport recognises in the files: a silent corpus is only
    meaningful when the rules had models to look at. Run with torch hidden, which changes none of
    torchport's answers and keeps astroid from parsing torch."""
    out = workdir / "census.json"
    result = run_tool(["census", str(out), *map(str, files)], workdir, hide_torch=True, pythonpath=source.pythonpath)
    if result.exit_code or not out.exists():
        return f"(census failed: {result.stderr.strip().splitlines()[-1:]})"
    counts = json.loads(out.read_text(encoding="utf-8"))
    return (f"{counts['module_classes']} nn.Module classes ({counts['with_forward']} with a forward) "
            f"in {counts['files'] - counts['unparsable']} parsable files")


def json_target(json_out: Path, corpus: str, *, several: bool) -> Path:
    """Where a corpus' JSON goes: the given file, or with several corpora, the corpus' name before its suffix."""
    if not several:
        return json_out
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in corpus)
    return json_out.with_name(f"{json_out.stem}.{safe}{json_out.suffix}")


def failure_status(result: RunResult, messages: list[Emitted], raw_text: str) -> int:
    crashed = any(m.symbol in CRASH_SYMBOLS or m.symbol == "bad-plugin-value" for m in messages)
    pylint_failed = bool(result.exit_code & PYLINT_FAILED_BITS) or result.exit_code < 0 or not raw_text.strip()
    return 1 if crashed or pylint_failed else 0


def report(
    root: Path,
    files: list[Path],
    args: argparse.Namespace,
    result: RunResult,
    messages: list[Emitted],
    crash_reports: list[Path],
    seen: str | None,
) -> None:
    by_symbol = Counter((m.symbol, m.msgid) for m in messages)
    crashes = Counter(m.symbol for m in messages if m.symbol in CRASH_SYMBOLS)
    torch_state = "hidden" if args.hide_torch else "importable"
    print(f"  files analysed: {len(files)} .py files, pylint -j {args.jobs}, torch {torch_state}")
    print(f"  wall time: {result.wall:.1f} s (CPU {result.cpu:.1f} s, peak RSS {result.max_rss_mb:.0f} MB)")
    print(f"  pylint exit status: {result.exit_code}")
    print(f"  crashes: {sum(crashes.values())} (" + ", ".join(f"{s} {crashes[s]}" for s in CRASH_SYMBOLS) + ")")
    if crash_reports:
        print(f"  pylint crash reports: {len(crash_reports)}")
    if seen is not None:
        print(f"  torchport sees: {seen}")
    own = sum(1 for m in messages if is_torchport(m.msgid))
    print(f"  messages: {len(messages)} ({own} torchport, {len(messages) - own} pylint's own)")
    for (symbol, msgid), count in sorted(by_symbol.items(), key=lambda item: (-item[1], item[0])):
        print(f"    {count:6d}  {symbol} ({msgid})")
    if result.exit_code & PYLINT_FAILED_BITS or result.exit_code < 0:
        print("  pylint's stderr (last lines):")
        for line in result.stderr.strip().splitlines()[-20:]:
            print(f"    {line}")
    if messages and not args.summary_only:
        print("  every message (path:line:column msgid symbol [object] text):")
        base = root if root.is_dir() else root.parent
        for m in sorted(messages, key=lambda m: (m.path, m.line, m.column, m.symbol)):
            shown = display_path(m.path, base)
            print(f"  {shown}:{m.line}:{m.column} {m.msgid} {m.symbol} [{m.obj}] {m.text}")
            if not args.no_source:
                for number in range(max(1, m.line - args.context), m.line + args.context + 1):
                    marker = ">" if number == m.line else " "
                    print(f"    {marker}{number:5d} | {linecache.getline(m.path, number).rstrip()}")


def display_path(path: str, base: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(base))
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="+", help="timm, torch-nn, or a path to a folder or file")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="pylint's --jobs (default: 2)")
    parser.add_argument("--format", choices=("json2", "json"), default="json2", help="pylint's JSON output format")
    parser.add_argument(
        "--json-out", type=Path, help="write pylint's JSON output to this file (with several corpora: NAME.CORPUS.EXT)"
    )
    parser.add_argument("--hide-torch", action="store_true", help="run pylint with torch unimportable and unparsable")
    parser.add_argument("--summary-only", action="store_true", help="counts only, not every message")
    parser.add_argument("--no-source", action="store_true", help="do not print the source under each message")
    parser.add_argument("--no-census", action="store_true", help="do not count the nn.Module classes torchport sees")
    parser.add_argument("--context", type=int, default=0, metavar="N",
                        help="print N source lines before and after each message's line (default: 0)")
    parser.add_argument("--commit", help="lint with this git commit's torchport instead of the checkout's")
    args = parser.parse_args(argv)
    exit_cleanly_on_sigterm()
    source = torchport_source(args.commit)
    try:
        return max([lint_corpus(name, args, source) for name in args.corpus])
    finally:
        source.remove()


if __name__ == "__main__":
    sys.exit(main())
