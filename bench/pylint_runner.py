"""Run pylint, or a bare astroid parse, in this process, optionally with torch hidden.

    python bench/pylint_runner.py [--hide-torch] [--plugin-time FILE] pylint ARGS...
    python bench/pylint_runner.py [--hide-torch] parse FILES...
    python bench/pylint_runner.py census OUT.json FILES...
    python bench/pylint_runner.py ast-parse FILES...
    python bench/pylint_runner.py torchport ARGS...

The benchmarks start every measured run through this script in a fresh process, so all runs share
the same process settings and nothing is cached between them. `--hide-torch` makes torch
unimportable for Python and unfindable for astroid (tests/support/hide_torch.py), as in a venv
without torch. `--plugin-time FILE` writes the time spent importing the plugin and inside
torchport's rule families (`run_family`, project files it parses included) to FILE as JSON; it sees
only this process, so it is meaningful with `-j 1` alone. `census` counts the nn.Module classes torchport recognises.
`ast-parse` is the floor of all floors: Python's own parser on each file. `torchport` runs the
`torchport` command (`torchport check ...`) in this process, so a `--commit` export is what runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Python puts this script's folder first on sys.path; the measured tools must not see bench/'s modules.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]


def _hide_torch() -> None:
    """tests/support/hide_torch.py, loaded by path: putting the checkout on sys.path would shadow
    a torchport exported from another commit."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_hide_torch", REPO / "tests" / "support" / "hide_torch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.hide_torch()


def _time_plugin(out: Path) -> None:
    """Time the plugin's import and every call into the rule engine; write the totals at exit.

    CPU seconds (this process' time.process_time) grow with a busy machine like the whole run's CPU
    time does, so their share of the run stays meaningful where wall-clock differences do not.
    """
    import atexit

    cpu_start = time.process_time()
    import torchport.lint_rules as plugin

    spent = {"import_cpu": time.process_time() - cpu_start, "cpu": 0.0, "seconds": 0.0, "calls": 0}
    inner = plugin.run_family

    def timed(family, module):  # type: ignore[no-untyped-def]
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return inner(family, module)
        finally:
            spent["seconds"] += time.perf_counter() - wall
            spent["cpu"] += time.process_time() - cpu
            spent["calls"] += 1

    plugin.run_family = timed  # type: ignore[assignment]
    atexit.register(lambda: out.write_text(json.dumps(spent)))


def _module_name(file: str) -> str:
    """The dotted name pylint gives the file (relative imports resolve against it)."""
    from astroid.modutils import modpath_from_file

    try:
        return ".".join(modpath_from_file(file))
    except ImportError:
        return Path(file).stem


def _parse(files: list[str]) -> int:
    """Build each file's astroid tree as pylint does (transforms applied), nothing more."""
    import astroid

    failures = 0
    for file in files:
        try:
            astroid.MANAGER.ast_from_file(file, _module_name(file), source=True)
        except Exception as error:  # noqa: BLE001 - counted and reported, like pylint's astroid-error
            failures += 1
            print(f"{file}: {type(error).__name__}: {error}", file=sys.stderr)
    return 1 if failures else 0


def _ast_parse(files: list[str]) -> int:
    """Python's own `ast.parse` of each file, nothing more."""
    import ast

    failures = 0
    for file in files:
        try:
            ast.parse(Path(file).read_bytes(), file)
        except (SyntaxError, ValueError) as error:
            failures += 1
            print(f"{file}: {type(error).__name__}: {error}", file=sys.stderr)
    return 1 if failures else 0


def _census(out: Path, files: list[str]) -> int:
    """What torchport's analysis sees in the files: the nn.Module classes and those with a forward.
    Trees are built without astroid's transforms, as torchport builds the project files it reads."""
    from astroid import MANAGER
    from astroid.builder import AstroidBuilder

    from torchport.analysis.model import find_method, module_classes

    counts = {"files": 0, "unparsable": 0, "module_classes": 0, "with_forward": 0}
    builder = AstroidBuilder(MANAGER, apply_transforms=False)
    for file in files:
        counts["files"] += 1
        try:
            tree = builder.file_build(file, _module_name(file))
            classes = module_classes(tree)
        except Exception:  # noqa: BLE001 - pylint reports the file itself (syntax-error)
            counts["unparsable"] += 1
            continue
        counts["module_classes"] += len(classes)
        counts["with_forward"] += sum(1 for cls in classes if find_method(cls, "forward") is not None)
    out.write_text(json.dumps(counts))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hide-torch", action="store_true")
    parser.add_argument("--plugin-time", type=Path)
    parser.add_argument("tool", choices=("pylint", "parse", "census", "ast-parse", "torchport"))
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.hide_torch:
        _hide_torch()
    if options.tool == "parse":
        return _parse(options.args)
    if options.tool == "census":
        return _census(Path(options.args[0]), options.args[1:])
    if options.tool == "ast-parse":
        return _ast_parse(options.args)
    if options.tool == "torchport":
        from torchport.advisor.cli import main as torchport_main

        return torchport_main(options.args)
    if options.plugin_time:
        _time_plugin(options.plugin_time)
    from pylint.lint import Run

    run = Run(options.args, exit=False)
    return run.linter.msg_status


if __name__ == "__main__":
    sys.exit(main())
