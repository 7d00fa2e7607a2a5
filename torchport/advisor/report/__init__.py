"""`torchport report PATH...`: the migration report a person reads.

Per file, each model (as `torchport summary` finds them) with its summary table, its findings and its notes,
then the findings outside any model; each finding with the code around it, why it is wrong (the message's
explanation) and its fix as a diff, marked safe (`torchport fix` applies it) or a proposal. Then the Keras
models of the project beside their ports, as `torchport compare` shows them. Then a project summary: files
and models, findings by rule and severity, notes, Keras ports, fixes available, where input shapes came from
and what could not be inferred.

The findings are those of `torchport check` (same files, `[tool.torchport]`, `# pylint: disable=`).
`--format markdown` writes the same report for GitHub job summaries and PR comments, `--format html` one
self-contained page. `--verify` runs the shape fixes in torch (torchport.advisor.verify): the only case
where the user's code runs, and the report's header says so.

Exit codes, as `check`: 0 no findings; 1 findings; 2 a usage or input error (a path that does not exist,
a bad configuration, a file that could not be read or parsed).

    gather.py     the data: files, models, findings, fixes
    notes.py      the notes only the report shows (keras-batchnorm-epsilon)
    ports.py      Keras models paired with their ports, and compared
    verifying.py  --verify: the shape fixes run in torch
    totals.py     the project summary's counts
    terminal.py   rich renderables (terminal; html exports them)
    markdown.py   markdown
    html.py       html
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from io import StringIO
from pathlib import Path

from rich.console import Console

from torchport.advisor.cli import CommandError
from torchport.advisor.files import project_files
from torchport.advisor.progress import PROGRESS_MIN_FILES, with_progress
from torchport.advisor.report import terminal
from torchport.advisor.report import gather
from torchport.advisor.report.gather import Report
from torchport.advisor.report.html import to_html
from torchport.advisor.report.markdown import to_markdown
from torchport.config import Config

HELP = "the migration report: each model's summary and findings with code, why and the fix as a diff"

CLEAN, FINDINGS, INPUT_ERROR = 0, 1, 2
VERIFY_TIMEOUT = 60.0  # seconds for the child process that runs one model's fixes
TEXT_WIDTH = 100  # columns of the rich format written to a file


def _text(report: Report) -> str:
    """The terminal report as plain text."""
    buffer = StringIO()
    terminal.write(report, Console(file=buffer, width=TEXT_WIDTH, color_system=None))
    return buffer.getvalue()


# --format name -> the report as text (rich goes straight to the terminal when there is no --output)
FORMATS: dict[str, Callable[[Report], str]] = {"rich": _text, "markdown": to_markdown, "html": to_html}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files and folders to report on (default: the current folder)")
    parser.add_argument("--format", choices=tuple(FORMATS), default="rich",
                        help="rich (terminal), markdown (GitHub job summaries, PR comments) or html "
                             "(one self-contained page); default: rich")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (default: stdout)")
    parser.add_argument("--verify", action="store_true",
                        help="run each shape fix in torch on the meta device (this imports your model files, "
                             "so it runs your code) and mark it verified or show torch's error")


def run(args: argparse.Namespace) -> int:
    paths: Sequence[str] = args.paths
    config, files = project_files(paths)
    if not files:
        print(f"torchport: no Python files to report on in {' '.join(paths)}", file=sys.stderr)
    report = _gather_with_progress(paths, files, config)
    if args.verify:
        # imported only when asked: it is the one path towards running the user's code
        from torchport.advisor.report.verifying import verify_report  # noqa: PLC0415

        verify_report(report, VERIFY_TIMEOUT)
    if args.format == "rich" and args.output is None:
        terminal.write(report, Console())
    else:
        _write(FORMATS[args.format](report), args.output)
    if report.errors:
        return INPUT_ERROR
    return FINDINGS if report.items else CLEAN


def _gather_with_progress(paths: Sequence[str], files: list[Path], config: Config) -> Report:
    return with_progress("analysing", files, lambda on_file: gather.gather(paths, files, config, on_file=on_file),
                         min_files=PROGRESS_MIN_FILES)


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"{output}: cannot write the report: {error.strerror or error}") from None
