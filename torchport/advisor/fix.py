"""`torchport fix PATH... [--diff] [--unsafe]`: apply the safe fixes of every finding.

Files and configuration are those of `torchport check` (torchport.advisor.checking): the same
files, the same enabled messages, the same `# pylint: disable` comments. Each edited file is parsed
again before it is written, and a file whose fixed text would not parse is left as it was.
`--diff` prints a unified diff and writes nothing; `--unsafe` also applies the proposals that have
edits (they change behaviour beyond the bug: read the diff). Findings left without an applied fix
are listed with their proposal.

A fixed file keeps its bytes outside the edits: its encoding (a BOM, a PEP 263 coding cookie, read
as Python reads them) and its line endings (CRLF, CR, LF or a mix: each kept line keeps its own, a new
line gets the file's most common one). A file that cannot be decoded is reported on one line.

Exit codes: 0 nothing left to fix; 1 findings remain (proposals only); 2 a usage or input error.
`--fixes-only` (the pre-commit hook) prints only the fixes applied and exits 0 unless a file could
not be read: pre-commit fails the hook when files changed, and the findings left are `check`'s job.
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from torchport.advisor.checking import check_module
from torchport.advisor.files import project_files
from torchport.advisor.sources import SourceError, parse_text
from torchport.advisor.usages import module_name
from torchport.config import Config
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
    parser.add_argument("--fixes-only", action="store_true",
                        help="only report the fixes applied, not the findings left, and exit 0 for them "
                             "(for pre-commit, which fails the hook when files change)")


def run(args: argparse.Namespace) -> int:
    config, files = project_files(args.paths)
    errors = remaining = 0
    for path in files:
        try:
            stored = StoredText.read(path)
            outcome = fix_text(stored.text, str(path), args.unsafe, _finder(path, config))
            fixed = stored.restored(outcome.text)
            if outcome.text != stored.text and not args.diff:
                path.write_bytes(fixed.encode(stored.encoding))
        except (OSError, SourceError, UnicodeError) as error:
            print(f"{path}: {' '.join(str(error).split())}", file=sys.stderr)
            errors += 1
            continue
        if outcome.text != stored.text and args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                _lines(stored.restored(stored.text)), _lines(fixed), f"a/{path.as_posix()}", f"b/{path.as_posix()}"))
        remaining += _report(path, outcome, args.diff, args.fixes_only)
    if errors:
        return INPUT_ERROR
    return REMAINING if remaining and not args.fixes_only else CLEAN


_NEWLINE = re.compile(r"(\r\n|\r|\n)")  # the line ends Python's tokenizer knows, nothing else


@dataclass(frozen=True)
class StoredText:
    """A file's text with "\n" line ends, and how the file stores it (to write it back the same way)."""

    text: str
    encoding: str  # as Python reads the file: its BOM ("utf-8-sig" writes it back) or coding cookie
    endings: tuple[str, ...]  # each line's end in the file; the last line's is ""

    @classmethod
    def read(cls, path: Path) -> StoredText:
        """SourceError (one line) when the file cannot be decoded as Python would decode it."""
        data = path.read_bytes()
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
            raw = data.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError) as error:
            raise SourceError(f"cannot read the file: {error}") from None
        parts = _NEWLINE.split(raw)
        return cls("\n".join(parts[0::2]), encoding, (*parts[1::2], ""))

    def restored(self, text: str) -> str:
        """`text` (a fixed version of this text) with this file's line ends."""
        if set(self.endings) <= {"\n", ""}:
            return text
        ends = [e for e in self.endings if e]
        if len(set(ends)) == 1:
            return text.replace("\n", ends[0])
        usual = Counter(ends).most_common(1)[0][0]
        old, new = self.text.split("\n"), text.split("\n")
        endings = [usual] * len(new)
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "replace"):
                for k in range(min(i2 - i1, j2 - j1)):
                    endings[j1 + k] = self.endings[i1 + k] or usual
        endings[-1] = ""
        return "".join(line + end for line, end in zip(new, endings))


def _lines(text: str) -> list[str]:
    parts = _NEWLINE.split(text)
    return [line + end for line, end in zip(parts[0::2], [*parts[1::2], ""]) if line + end]


def _finder(path: Path, config: Config):  # noqa: ANN202 - a torchport.fixes.Finder
    def find(_: str | None, text: str) -> tuple[Source, list[Finding]]:
        module = parse_text(text, module_name(path), str(path))
        result = check_module(module, text, path, config)
        return Source(text, module), [d.finding for d in result.diagnostics]
    return find


def _report(path: Path, outcome: Outcome, diff: bool, fixes_only: bool = False) -> int:
    """One line per fix applied (to stderr with --diff) and per finding left (unless `fixes_only`);
    the count left."""
    out = sys.stderr if diff else sys.stdout
    verb = "would fix" if diff else "fixed"
    for fix in outcome.applied:
        print(f"{path.as_posix()}:{fix.line}: {verb} {fix.symbol}: {fix.description}", file=out)
    for fix in () if fixes_only else outcome.remaining:
        kind = "proposal" if fix.edits else "no automatic fix"
        print(f"{path.as_posix()}:{fix.line}: left {fix.symbol} ({kind}): {fix.description}", file=out)
    return len(outcome.remaining)
