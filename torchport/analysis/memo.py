"""Recursive queries that follow local names, answered once per node and depth within one outermost call.

Such a query (`is_module_value(x)`: is every value `x` may hold a Module?) recurses into the values
of each binding of a name. Names bound in several branches, level after level (`if a: v2 = v1` /
`elif b: v2 = v1` ...), reach the same values along exponentially many paths: six levels of twelve
branches took 4 to 20 s of CPU. Memoised by (node, depth) for the duration of the outermost call,
each value is explored at most once per depth, and the answers are exactly those of the plain
recursion (whose depth bound also ends cycles).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from astroid import nodes

from torchport.analysis.budget import tick

Answer = TypeVar("Answer")
Query = Callable[[nodes.NodeNG, int], Answer]


def per_query(query: Query[Answer]) -> Callable[..., Answer]:
    """Decorate `query(node, depth=0)`; its recursive calls share the outermost call's answers."""
    answers: dict[tuple[nodes.NodeNG, int], Answer] | None = None

    @functools.wraps(query)
    def memoised(node: nodes.NodeNG, depth: int = 0) -> Answer:
        nonlocal answers
        outermost = answers is None
        if answers is None:
            answers = {}
        key = (node, depth)
        try:
            if key not in answers:
                tick()
                answers[key] = query(node, depth)
            return answers[key]
        finally:
            if outermost:
                answers = None

    return memoised
