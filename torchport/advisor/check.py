"""`torchport check PATH...`: every rule over files and folders, as the pylint plugin runs them.

Folders respect .gitignore; `[tool.torchport]` in the nearest pyproject.toml above the first path
selects rules, overrides severities and excludes files (torchport.config); `# pylint: disable=`
comments suppress findings as they do in pylint (torchport.advisor.checking).

Files are analysed in `--jobs` worker processes (torchport.advisor.parallel; by default one per CPU
when there are enough files to repay starting them), and the results of files unchanged since the
last run, with everything their analysis read, come from the cache (torchport.advisor.cache;
`--no-cache` bypasses it). The output is the same either way.

Exit codes: 0 no findings; 1 findings; 2 a usage or configuration error, a path that does not exist,
or a file that could not be read or parsed (each listed in every format).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from torchport.advisor.cache import FOLDER, Cache
from torchport.advisor.checking import CheckResult, check_files
from torchport.advisor.files import project_files
from torchport.advisor.formats import FORMATS, get_format
from torchport.advisor.parallel import AUTO_MIN_ITEMS, cpu_count
from torchport.advisor.progress import with_progress
from torchport.config import Config

HELP = "check Python files and folders with every torchport rule (exit 1 when there are findings)"

CLEAN, FINDINGS, INPUT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files and folders to check (default: the current folder)")
    parser.add_argument("--format", choices=FORMATS, default="rich",
                        help="output format: rich (terminal), json, sarif (code scanning) or github "
                             "(workflow annotations); default: rich")
    parser.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                        help=f"analyse files in N processes (0: one per CPU); default: one per CPU when "
                             f"{AUTO_MIN_ITEMS} or more files need analysing, else 1")
    parser.add_argument("--no-cache", action="store_true",
                        help=f"analyse every file again, neither reading nor writing {FOLDER}/")


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more processes, or 0 for one per CPU")
    return jobs or cpu_count()


def run(args: argparse.Namespace) -> int:
    paths: Sequence[str] = args.paths
    config, files = project_files(paths)
    if not files:
        print(f"torchport: no Python files to check in {' '.join(paths)}", file=sys.stderr)
    cache = None if args.no_cache else Cache.for_config(config)
    result = _check_with_progress(files, config, args.jobs, cache)
    get_format(args.format).write(result, sys.stdout)
    if result.errors:
        return INPUT_ERROR
    return FINDINGS if result.diagnostics else CLEAN


def _check_with_progress(files: list[Path], config: Config, jobs: int | None, cache: Cache | None) -> CheckResult:
    return with_progress("checking", files,
                         lambda on_file: check_files(files, config, on_file=on_file, jobs=jobs, cache=cache))
