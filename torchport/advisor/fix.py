"""`torchport fix PATH... [--diff] [--unsafe]`: apply the safe fixes of every finding.

Files and configuration are those of `torchport check` (torchport.advisor.checking): the same
files, the same enabled messages, the same `# pylint: disable` comments. Each edited file is parsed
again before it is written, and a file whose fixed text would not parse is left as it was.
`--diff` prints a unified diff and writes nothing; `--unsafe` also applies the proposals that have
edits (they change behaviour beyond the bug: read the diff). Findings left without an applied fix
are listed with their proposal.

Exit codes: 0 nothing left to fix; 1 findings remain (proposals only); 2 a usage or input error.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from torchport.advisor.checking import check_module
from torchport.advisor.cli import CommandError
from torchport.advisor.files import PathError, discover
from torchport.advisor.sources import SourceError, parse_text
from torchport.advisor.usages import module_name
from torchport.config import Config, ConfigError, load_config
from torchport.fixes import Outcome, fix_text
from torchport.fixes.edits import Source
from torchport.rules.finding import Finding

HELP = "apply the safe fix of every finding (--diff: only show them); list the findings left"
CLEAN, REMAINING, INPUT_ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files and folders to fix")
    parser.add_argument("--diff", action="store_true", help="print a unified diff instead of writing the files")
    parser.add_argument("--unsafe", action="store_true",
                        help="also apply the proposals that have edits (they change behaviour: review them)")


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(Path(args.paths[0]))
        files = discover(args.paths, config)
    except (ConfigError, PathError) as error:
        raise CommandError(str(error)) from None
    errors = remaining = 0
    for path in files:
        try:
            original = path.read_text(encoding="utf-8")
            outcome = fix_text(original, str(path), args.unsafe, _finder(path, config))
        except (OSError, UnicodeDecodeError, SourceError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            errors += 1
            continue
        if outcome.text != original:
            if args.diff:
                sys.stdout.writelines(difflib.unified_diff(
                    original.splitlines(keepends=True), outcome.text.splitlines(keepends=True),
                    f"a/{path.as_posix()}", f"b/{path.as_posix()}"))
            else:
                path.write_text(outcome.text, encoding="utf-8")
        remaining += _report(path, outcome, args.diff)
    if errors:
        return INPUT_ERROR
    return REMAINING if remaining else CLEAN


def _finder(path: Path, config: Config):  # noqa: ANN202 - a torchport.fixes.Finder
    def find(_: str | None, text: str) -> tuple[Source, list[Finding]]:
        module = parse_text(text, module_name(path), str(path))
        result = check_module(module, text, path, config)
        return Source(text, module), [d.finding for d in result.diagnostics]
    return find


def _report(path: Path, outcome: Outcome, diff: bool) -> int:
    """One line per fix applied (to stderr with --diff) and per finding left; the count left."""
    out = sys.stderr if diff else sys.stdout
    verb = "would fix" if diff else "fixed"
    for fix in outcome.applied:
        print(f"{path.as_posix()}:{fix.line}: {verb} {fix.symbol}: {fix.description}", file=out)
    for fix in outcome.remaining:
        kind = "proposal" if fix.edits else "no automatic fix"
        print(f"{path.as_posix()}:{fix.line}: left {fix.symbol} ({kind}): {fix.description}", file=out)
    return len(outcome.remaining)
