"""Run pylint with torchport's plugin in this (child) process, as a test harness.

    python -m tests.hardening.pylint_child [--hide-torch] [--family-times FILE] PYLINT_ARGS...

`--hide-torch` makes torch unimportable and unparsable (tests/support/hide_torch.py), as in a venv
without torch. `--family-times FILE` writes, as JSON, the CPU seconds torchport's plugin spent in each
rule family (`run_family`) over the whole run. pylint is run through its real entry, `Run(..., exit=False)`;
the exit code is pylint's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path


def _time_families(out: Path) -> None:
    import atexit

    import torchport.lint_rules as plugin

    inner = plugin.run_family
    spent: dict[str, float] = defaultdict(float)

    def timed(family, module):  # type: ignore[no-untyped-def]
        start = time.process_time()
        try:
            return inner(family, module)
        finally:
            spent[family] += time.process_time() - start

    plugin.run_family = timed  # type: ignore[assignment]
    atexit.register(lambda: out.write_text(json.dumps(spent)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument("--hide-torch", action="store_true")
    parser.add_argument("--family-times", type=Path)
    args, pylint_args = parser.parse_known_args(argv)
    if args.hide_torch:
        from tests.support.hide_torch import hide_torch

        hide_torch()
    if args.family_times:
        _time_families(args.family_times)
    from pylint.lint import Run

    run = Run(pylint_args, exit=False)
    return int(run.linter.msg_status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
