"""A fix for every message: text edits computed from the finding's node, applied to the source.

`FIXERS` maps a symbol to the function that builds its fix. `fix_text` runs the rules, applies the
safe fixes, and repeats until nothing changes (fixes whose edits overlap wait for the next round);
it never returns text that does not parse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torchport.advisor.sources import SourceError, parse_text
from torchport.fixes import keras, losses, shapes, structure
from torchport.fixes.edits import Edit, Fix, Source, apply_edits, overlaps
from torchport.rules import run_family
from torchport.rules.finding import Finding

Fixer = Callable[[Finding, Source], "Fix | None"]

FIXERS: dict[str, Fixer] = {**structure.FIXERS, **losses.FIXERS, **shapes.FIXERS, **keras.FIXERS}
FAMILIES = ("structure", "losses", "shapes", "keras")
_MAX_ROUNDS = 8


def fix_for(finding: Finding, source: Source) -> Fix:
    """The fix of one finding; a proposal without edits when none can be computed here."""
    fixer = FIXERS.get(finding.symbol)
    fix = None
    if fixer is not None:
        try:
            fix = fixer(finding, source)
        except Exception:  # noqa: BLE001 - a fixer bug must not stop the other fixes: propose only
            fix = None
    return fix or Fix(finding.symbol, finding.line, "no automatic fix: see the message", False)


def findings(path: str | None, text: str) -> tuple[Source, list[Finding]]:
    """The parsed source and its findings from every family (shapes needs `path`, the file on disk)."""
    module = parse_text(text, "fixed", path)
    found = [f for family in FAMILIES for f in run_family(family, module) if f.symbol != "torchport-analysis-error"]
    return Source(text, module), sorted(found, key=lambda f: (f.line, f.column, f.symbol))


def fixes(source: Source, found: list[Finding]) -> list[Fix]:
    return [fix_for(finding, source) for finding in found]


def select(all_fixes: list[Fix], unsafe: bool = False) -> list[Fix]:
    """The fixes to apply together: safe ones (proposals too with `unsafe`) whose edits do not overlap."""
    chosen: list[Fix] = []
    taken: list[Edit] = []
    for fix in all_fixes:
        if not fix.edits or not (fix.safe or unsafe):
            continue
        if any(overlaps(edit, taken) for edit in fix.edits):
            continue
        chosen.append(fix)
        taken.extend(e for e in fix.edits if e not in taken)
    return chosen


def parses(text: str, path: str | None = None) -> bool:
    try:
        parse_text(text, "fixed", path)
    except SourceError:
        return False
    return True


@dataclass
class Outcome:
    text: str  # the fixed text (the original when nothing applied)
    applied: list[Fix]  # every fix applied, over all rounds
    remaining: list[Fix]  # fixes of the findings left at the end (proposals, or fixes that did not apply)


Finder = Callable[[str | None, str], tuple[Source, list[Finding]]]


def fix_text(text: str, path: str | None = None, unsafe: bool = False, find: Finder = findings) -> Outcome:
    """Apply fixes round after round until no finding has one left. `find` parses a text and lists
    its findings (default: every family; the command passes its configured checker). The shapes
    family runs only when `path` names an existing file (it reads the project's settings there)."""
    applied: list[Fix] = []
    source, found = find(path, text)
    for _ in range(_MAX_ROUNDS):
        chosen = select(fixes(source, found), unsafe)
        if not chosen:
            break
        edits = sorted({e for fix in chosen for e in fix.edits})
        candidate = apply_edits(source.text, edits)
        if not parses(candidate, path):
            chosen = [fix for fix in chosen if parses(apply_edits(source.text, list(fix.edits)), path)]
            edits = sorted({e for fix in chosen for e in fix.edits})
            candidate = apply_edits(source.text, edits)
            if not chosen or not parses(candidate, path):
                break  # never produce a file that does not parse: stop with the last good text
        if candidate == source.text:
            break
        applied.extend(chosen)
        source, found = find(path, candidate)
    return Outcome(source.text, applied, fixes(source, found))
