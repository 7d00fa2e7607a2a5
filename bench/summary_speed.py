"""How fast `torchport summary` reads real model code, and whether it ever crashes on it.

    python bench/summary_speed.py [--corpus timm torchvision zoo] [--limit N] [--json OUT.json]

For every .py file of each corpus, this process does what `torchport summary FILE --format json` does (the
same functions the CLI calls: parse the file, pick every top-level nn.Module class, summarise each with the
arguments and input shapes torchport chooses itself, render the JSON) and, as the floor, parses the same
text with `ast.parse`. The caches torchport keeps across files (parsed project files) are emptied before
each file, as a fresh `torchport` process would start. It prints one row per corpus: files, models
summarised, models per second, and the cost relative to `ast.parse` of the same files (summary time / parse
time, both measured in this one run on the same machine, so the ratio does not depend on its speed).

Crashes are counted separately: an exception escaping the summary (the CLI would print "internal error"),
and a model whose trace was "stopped by an internal error" (caught, the summary is partial). Both are bugs;
`--show-crashes` prints their tracebacks / messages. A model stopped by the work budget is counted, not a bug.

Corpora: `timm` is the installed package (`pip install --no-deps timm`, never letting pip resolve torch);
`torchvision` is the wheel unzipped under bench/.corpus/ by bench/torchvision_models.py (fetched here if
missing), its `models/` folder; `zoo` is tests/advisor/zoo (correct and broken models). The exit code is
1 when anything crashed.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import MissingCorpus, corpus_root, python_files  # noqa: E402
from torchport.advisor import scopes, summary_render  # noqa: E402
from torchport.advisor.sources import SourceError, parse_file  # noqa: E402
from torchport.advisor.summarize import SummaryError, select_models, summarize  # noqa: E402
from torchport.advisor.target import Target  # noqa: E402
from torchport.advisor.usages import module_name  # noqa: E402
from torchport.analysis import modules as analysis_modules  # noqa: E402

INTERNAL = "stopped by an internal error"
BUDGET = "stopped: more than"


@dataclass
class FileResult:
    path: str
    parse_seconds: float  # ast.parse of the text: the floor
    summary_seconds: float  # what `torchport summary FILE --format json` does in-process
    models: int = 0  # models summarised
    budget_stops: int = 0  # models whose trace ran out of evaluation steps
    crash: str | None = None  # traceback of an exception that escaped the summary
    internal_errors: list[str] = field(default_factory=list)  # traces stopped by a caught internal error


def corpus_files(name: str) -> list[Path]:
    if name == "zoo":
        return python_files(ROOT / "tests" / "advisor" / "zoo")
    if name == "torchvision":
        from bench.torchvision_models import MODELS_DIR, TARGETS_MODULE, fetch_corpus

        fetch_corpus()
        return [p for p in python_files(MODELS_DIR) if p.stem != TARGETS_MODULE]
    return python_files(corpus_root(name))


def reset_caches() -> None:
    """Forget what earlier files parsed, as a new `torchport` process would."""
    analysis_modules._parse_project_file.cache_clear()  # noqa: SLF001 - the bench mirrors a fresh process
    scopes._attribute_assignments.cache_clear()  # noqa: SLF001


def summarise_file(path: Path) -> FileResult:
    """Time `ast.parse` and the summary of one file; record crashes instead of raising."""
    text = path.read_text(encoding="utf-8", errors="replace")
    start = time.perf_counter()
    try:
        ast.parse(text)
    except SyntaxError:
        pass
    parse_seconds = time.perf_counter() - start

    reset_caches()
    result = FileResult(str(path), parse_seconds, 0.0)
    start = time.perf_counter()
    try:
        module = parse_file(str(path), module_name(path))
        summaries = [summarize(path, module, cls, Target(str(path)), []) for cls in select_models(module, None)]
        summary_render.to_json(summaries)
    except (SourceError, SummaryError):  # what the CLI reports as a usage error: no model, not Python
        summaries = []
    except Exception:  # noqa: BLE001 - counted and shown, never stops the run
        summaries = []
        result.crash = traceback.format_exc()
    result.summary_seconds = time.perf_counter() - start
    result.models = len(summaries)
    for summary in summaries:
        for note in summary.notes:
            if note.startswith(INTERNAL):
                result.internal_errors.append(f"{summary.class_name}: {note}")
            elif note.startswith(BUDGET):
                result.budget_stops += 1
    return result


def run_corpus(name: str, limit: int | None, progress: bool) -> list[FileResult]:
    files = corpus_files(name)[:limit]
    results = []
    for i, path in enumerate(files, 1):
        results.append(summarise_file(path))
        if progress:
            r = results[-1]
            print(f"  [{name} {i}/{len(files)}] {path.name}: {r.models} models, {r.summary_seconds:.2f}s"
                  f"{' CRASH' if r.crash else ''}{' INTERNAL' if r.internal_errors else ''}", file=sys.stderr)
    return results


def table_row(name: str, results: list[FileResult]) -> str:
    parse = sum(r.parse_seconds for r in results)
    summary = sum(r.summary_seconds for r in results)
    models = sum(r.models for r in results)
    with_models = [r for r in results if r.models]
    # the cost per model relative to the floor: only files with a model count, each file's own ratio
    model_parse = sum(r.parse_seconds for r in with_models)
    model_summary = sum(r.summary_seconds for r in with_models)
    crashes = sum(1 for r in results if r.crash)
    internal = sum(len(r.internal_errors) for r in results)
    budget = sum(r.budget_stops for r in results)
    return (f"{name:12} {len(results):>6} {len(with_models):>7} {models:>7} {summary:>9.2f} {parse:>8.3f}"
            f" {models / summary if summary else 0:>8.1f} {summary / models * 1000 if models else 0:>9.1f}"
            f" {model_summary / model_parse if model_parse else 0:>8.0f}x {crashes:>7} {internal:>8} {budget:>6}")


HEADER = (f"{'corpus':12} {'files':>6} {'w/model':>7} {'models':>7} {'summary s':>9} {'parse s':>8} {'models/s':>8}"
          f" {'ms/model':>9} {'vs parse':>9} {'crashes':>7} {'internal':>8} {'budget':>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", default=["timm", "torchvision", "zoo"],
                        help="timm, torchvision, zoo, or a folder (default: the three)")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N files of each corpus")
    parser.add_argument("--progress", action="store_true", help="one line per file on stderr")
    parser.add_argument("--show-crashes", action="store_true", help="print each crash's traceback")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write every file's figures")
    args = parser.parse_args(argv)

    rows, everything = [], {}
    for name in args.corpus:
        try:
            results = run_corpus(name, args.limit, args.progress)
        except MissingCorpus as error:
            print(error, file=sys.stderr)
            return 2
        everything[name] = results
        rows.append(table_row(name, results))
    print("`torchport summary FILE` in-process vs `ast.parse` of the same files (one run, same machine)")
    print(HEADER)
    print(*rows, sep="\n")
    print("vs parse: summary time / ast.parse time over the files with a model; internal: traces stopped by a "
          "caught internal error; budget: traces stopped by the evaluation-step budget")

    failures = [r for results in everything.values() for r in results if r.crash or r.internal_errors]
    if args.show_crashes:
        for r in failures:
            print(f"\n== {r.path}")
            print(r.crash or "\n".join(r.internal_errors))
    if args.json:
        args.json.write_text(json.dumps({name: [asdict(r) for r in results] for name, results in everything.items()},
                                        indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
