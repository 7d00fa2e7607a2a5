"""The rule engine: each family turns an astroid module into findings, with no front-end code.

The pylint plugin (`torchport.lint_rules`) and the command line are two fronts on `run_family`.

Each family gets a time budget on each module (torchport.analysis.budget: 5 s of CPU time, or the
environment variable `TORCHPORT_TIME_BUDGET`). A family that uses it up is stopped and reports only
a `torchport-budget-exceeded` note on that module: its findings there are unknown, never partial.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from astroid import nodes

from torchport.analysis import budget
from torchport.rules import keras, losses, shapes, structure
from torchport.rules.finding import Finding

Rule = Callable[[nodes.Module], Iterable[Finding]]

# family name (as in torchport.messages.FAMILIES) -> the function that checks a module
RULES: dict[str, Rule] = {
    "structure": structure.check,
    "losses": losses.check,
    "shapes": shapes.check,
    "keras": keras.check,
}


def run_family(family: str, module: nodes.Module) -> list[Finding]:
    """All findings of one family on a module. An internal error never escapes: it becomes a
    `torchport-analysis-error` finding, so a bug in torchport cannot crash pylint; a family past its
    time budget gives a `torchport-budget-exceeded` note instead of its findings."""
    seconds = budget.configured()
    try:
        with budget.within(seconds), _collection_paused():
            return list(RULES[family](module))
    except budget.BudgetExceeded:
        return [Finding("torchport-budget-exceeded", module, (family, f"{seconds:g}"))]
    except RecursionError:
        return [Finding("torchport-analysis-error", module, (f"{family} rules: recursion too deep",))]
    except Exception as error:  # noqa: BLE001 - the contract is: report, never crash the host
        return [Finding("torchport-analysis-error", module, (f"{family} rules: {type(error).__name__}: {error}",))]


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a family runs, and resumed as it was.

    The rules allocate many short-lived objects (the shape interpreter's states), and every few thousand
    allocations the collector runs; its full collections scan the host's whole heap, which in pylint holds
    every astroid tree of the project. On timm that cost more than the rules themselves: 2.1 s of the
    plugin's 7.8 s, and 2.2 s more in pylint's own code (bench/README.md). Memory is reclaimed as before:
    most objects by reference counting at once, cycles by the host's next collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


__all__ = ["Finding", "RULES", "run_family"]
