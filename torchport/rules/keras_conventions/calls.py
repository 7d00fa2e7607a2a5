"""The calls of a module, found in one walk of its tree, their callees' names resolved only when a
rule asks for them.

Resolving a name costs an astroid scope lookup, and most calls of a model file (`self.conv(x)`,
`x.view(...)`) are never asked about. A call can resolve to `torch.nn.LSTM` only if its callee is
spelled `...LSTM` or with a local alias of that name (`from torch.nn import LSTM as Recurrent`,
`Recurrent = nn.LSTM`), so the rules ask by canonical name and only calls spelled that way are
resolved.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator

from astroid import nodes

from torchport.analysis.dataflow import last_name
from torchport.analysis.names import call_name
from torchport.analysis.node_index import descendants

_MAX_ALIAS_DEPTH = 4


class Calls:
    """Every call of a module in source order; callee names on demand (`name`, `named`, `spelled`)."""

    def __init__(self, module: nodes.Module) -> None:
        self.module = module
        self.calls: list[nodes.Call] = []
        self._by_last: dict[str, list[nodes.Call]] = defaultdict(list)
        self._aliases: dict[str, set[str]] = defaultdict(set)  # local name -> last names it may stand for
        self._names: dict[nodes.Call, str | None] = {}
        for node in descendants(module, (nodes.Call, nodes.ImportFrom, nodes.Assign)):
            if isinstance(node, nodes.Call):
                self.calls.append(node)
                self._by_last[last_name(node.func) or ""].append(node)
            elif isinstance(node, nodes.ImportFrom):
                for imported, alias in node.names:
                    if alias:
                        self._aliases[alias].add(imported)
            elif len(node.targets) == 1 and isinstance(node.targets[0], nodes.AssignName):
                spelled = last_name(node.value)
                if spelled is not None:
                    self._aliases[node.targets[0].name].add(spelled)

    def name(self, call: nodes.Call) -> str | None:
        """The canonical name of a call's callee (memoised)."""
        if call not in self._names:
            self._names[call] = call_name(call)
        return self._names[call]

    def named(self, qualified: Iterable[str]) -> Iterator[tuple[nodes.Call, str]]:
        """The calls of the module whose callee is one of the canonical names, with that name, in
        source order."""
        wanted = set(qualified)
        spellings = self._spellings({name.rpartition(".")[2] for name in wanted})
        candidates = sorted((call for s in spellings for call in self._by_last.get(s, ())),
                            key=lambda call: (call.fromlineno or 0, call.col_offset or 0))
        for call in candidates:
            name = self.name(call)
            if name in wanted:
                yield call, name

    def spelled(self, last: str) -> list[nodes.Call]:
        """The calls whose callee is spelled `...<last>` (`x.backward()`, `torch.autograd.backward(...)`)."""
        return self._by_last.get(last, [])

    def _spellings(self, lasts: set[str]) -> set[str]:
        """The last names, and the local aliases that may stand for them."""
        found = set(lasts)
        for _ in range(_MAX_ALIAS_DEPTH):
            more = {alias for alias, targets in self._aliases.items() if targets & found} - found
            if not more:
                break
            found |= more
        return found




_cache: weakref.WeakKeyDictionary[nodes.Module, Calls] = weakref.WeakKeyDictionary()


def module_calls(module: nodes.Module) -> Calls:
    """The module's call table, built once."""
    cached = _cache.get(module)
    if cached is None:
        cached = _cache[module] = Calls(module)
    return cached
