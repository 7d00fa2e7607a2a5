"""The nodes of each class in a module, found in one walk of its tree.

astroid's `node.nodes_of_class(klass)` walks the node's whole subtree again on every call (a recursive
generator, one frame per node). The rules ask it dozens of times per module, of the module, of each class
and method, of each statement, and together those walks cost about a sixth of torchport's time on timm.
`descendants(node, klass, skip_klass)` answers the same question from an index built once per module: its
nodes numbered in pre-order (the order `nodes_of_class` yields them), the end of each node's subtree, and
the numbers of the nodes of each class. A subtree is then a range of numbers, and the nodes of a class in
it are a slice found by bisection.

The index is kept on the root Module (like `names.per_node` answers), so it lives and dies with its tree:
a file edited and parsed again is a new Module with a new index. A tree must not change once indexed.
torchport never changes one: its rules and the advisor only read trees, and fixes edit source text, which
is parsed again into a new tree. A node added after indexing is not in the index and is answered by
astroid's own walk.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Any, TypeVar

from astroid import nodes

from torchport.analysis.names import per_node

Node = TypeVar("Node", bound=nodes.NodeNG)
Classes = Any  # what isinstance accepts: a class, a tuple of them (nested), a union
_DONE = object()


class NodeIndex:
    """A tree's nodes in pre-order: where each subtree ends, and the nodes of each class in order."""

    def __init__(self, root: nodes.NodeNG) -> None:
        order: list[nodes.NodeNG] = [root]
        ends = [0]
        stack: list[tuple[int, Iterator[nodes.NodeNG]]] = [(0, root.get_children())]
        while stack:
            number, children = stack[-1]
            child = next(children, _DONE)
            if child is _DONE:
                ends[number] = len(order)
                stack.pop()
                continue
            stack.append((len(order), child.get_children()))
            order.append(child)
            ends.append(0)
        self._ends = ends
        self._number = {node: number for number, node in enumerate(order)}
        by_type: dict[type, list[int]] = {}
        for number, node in enumerate(order):
            by_type.setdefault(type(node), []).append(number)
        self._order = order
        self._by_type = by_type
        self._of_class: dict[Classes, tuple[list[int], list[nodes.NodeNG]]] = {}

    def number(self, node: nodes.NodeNG) -> int | None:
        """The node's pre-order number; None for a node that is not in the tree."""
        return self._number.get(node)

    def of_class(self, klass: Classes) -> tuple[list[int], list[nodes.NodeNG]]:
        """The numbers and the nodes that are instances of `klass`, in pre-order (memoised per `klass`)."""
        found = self._of_class.get(klass)
        if found is None:
            numbers = sorted(n for kind, kept in self._by_type.items() if issubclass(kind, klass) for n in kept)
            found = self._of_class[klass] = (numbers, [self._order[n] for n in numbers])
        return found

    def descendants(self, number: int, klass: Classes, skip_klass: Classes | None) -> list[nodes.NodeNG]:
        """`nodes_of_class(klass, skip_klass)` of the node numbered `number`."""
        numbers, found = self.of_class(klass)
        end = self._ends[number]
        if skip_klass is None:
            return found[bisect_left(numbers, number):bisect_left(numbers, end)]
        skipped, _ = self.of_class(skip_klass)
        result: list[nodes.NodeNG] = []
        start = number
        # The node itself is never skipped; a skipped descendant's subtree is left out whole.
        for skip in skipped[bisect_left(skipped, number + 1):bisect_left(skipped, end)]:
            if skip < start:
                continue  # inside a subtree already left out
            result += found[bisect_left(numbers, start):bisect_left(numbers, skip)]
            start = self._ends[skip]
        result += found[bisect_left(numbers, start):bisect_left(numbers, end)]
        return result


@per_node
def node_index(module: nodes.Module) -> NodeIndex:
    """The module's index, built on first use and kept on the module."""
    return NodeIndex(module)


def descendants(node: nodes.NodeNG, klass: type[Node] | tuple[type[Node], ...],
                skip_klass: Classes | None = None) -> list[Node]:
    """Exactly `list(node.nodes_of_class(klass, skip_klass))`: the node itself if it is an instance of
    `klass`, then the nodes of its subtree that are, in source (pre-order) order, leaving out the whole
    subtree of every descendant that is an instance of `skip_klass`."""
    root = node
    while root.parent is not None:  # node.root() without its assertion that the root is a Module
        root = root.parent
    index = node_index(root) if isinstance(root, nodes.Module) else None
    number = index.number(node) if index is not None else None
    if index is None or number is None:
        return list(node.nodes_of_class(klass, skip_klass))
    return index.descendants(number, klass, skip_klass)  # type: ignore[return-value]
