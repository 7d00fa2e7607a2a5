"""`descendants` answers exactly what astroid's `nodes_of_class` walk answers, from every node of real files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import astroid
import pytest
from astroid import nodes

from torchport.analysis.node_index import descendants, node_index
from torchport.analysis.parsing import PlainBuilder

ROOT = Path(__file__).resolve().parents[2]


def _timm_file() -> list[Path]:
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(next(iter(spec.submodule_search_locations))) / "layers" / "mlp.py"]


FILES = [
    ROOT / "samples" / "cifar_resnet_subclass.py",
    ROOT / "samples" / "functional_api_blocks.py",
    ROOT / "samples" / "imdb_lstm.py",
    ROOT / "torchport" / "rules" / "structure.py",  # classes, nested functions, lambdas, comprehensions
    *_timm_file(),
]

_SCOPES = (nodes.FunctionDef, nodes.ClassDef, nodes.Lambda)
QUERIES = [  # (klass, skip_klass) as torchport's rules ask them, and harder ones
    (nodes.Call, None),
    ((nodes.Name, nodes.Attribute), None),
    ((nodes.AssignAttr, nodes.Call), _SCOPES),
    (nodes.Call, nodes.ClassDef),
    (nodes.Lambda, None),  # FunctionDef and AsyncFunctionDef are Lambdas: subclasses match
    (nodes.NodeNG, None),  # every node
    (nodes.Call, nodes.Call),  # a call's own subtree is walked; nested calls are left out whole
    (nodes.NodeNG, nodes.NodeNG),  # only the starting node itself
    (nodes.Name | nodes.Const, (nodes.Subscript, (nodes.Attribute,))),  # a union; nested tuples
]


@pytest.fixture(scope="module", params=FILES, ids=lambda path: path.name)
def tree(request: pytest.FixtureRequest) -> nodes.Module:
    return PlainBuilder().file_build(str(request.param), "example")


@pytest.mark.parametrize(("klass", "skip_klass"), QUERIES, ids=range(len(QUERIES)))
def test_every_node_answers_as_nodes_of_class(tree: nodes.Module, klass: type, skip_klass: type | None) -> None:
    every = list(tree.nodes_of_class(nodes.NodeNG))
    assert len(every) > 100
    for node in every:
        expected = list(node.nodes_of_class(klass, skip_klass))
        got = descendants(node, klass, skip_klass)
        assert len(got) == len(expected) and all(a is b for a, b in zip(got, expected, strict=True)), \
            f"{type(node).__name__} at line {node.lineno}"


def test_pylint_trees_with_transforms_answer_the_same() -> None:
    module = astroid.parse("import collections\nP = collections.namedtuple('P', 'x y')\n"
                           "class C:\n    def f(self):\n        return [lambda: P(1, 2) for _ in self.g()]\n")
    for node in module.nodes_of_class(nodes.NodeNG):
        assert descendants(node, (nodes.Call, nodes.Name)) == list(node.nodes_of_class((nodes.Call, nodes.Name)))


def test_a_parsed_again_module_has_its_own_index() -> None:
    first = astroid.parse("f(1)\n")
    assert [c.as_string() for c in descendants(first, nodes.Call)] == ["f(1)"]
    edited = astroid.parse("f(1)\ng(h(2))\n")
    assert [c.as_string() for c in descendants(edited, nodes.Call)] == ["f(1)", "g(h(2))", "h(2)"]
    assert node_index(first) is not node_index(edited)
    assert node_index(edited) is node_index(edited)  # built once


def test_a_node_outside_any_module_is_walked_by_astroid() -> None:
    call = astroid.extract_node("f(g(1))")
    detached = nodes.Const(1, lineno=1, col_offset=0, parent=None, end_lineno=1, end_col_offset=1)
    assert descendants(detached, nodes.Const) == [detached]
    unknown = nodes.Call(lineno=1, col_offset=0, parent=call.root(), end_lineno=1, end_col_offset=1)
    unknown.postinit(func=call.func, args=[], keywords=[])  # attached after the module was indexed
    node_index(call.root())
    assert descendants(unknown, nodes.Call) == [unknown]


def test_a_tree_deeper_than_the_recursion_limit() -> None:
    module = astroid.parse("x = " + " + ".join(["a"] * 400) + "\n")
    expected = list(module.nodes_of_class(nodes.Name))
    limit, depth, frame = sys.getrecursionlimit(), 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + 100)  # astroid's recursive walk needs a frame per level; the index needs none
    try:
        got = descendants(module, nodes.Name)
    finally:
        sys.setrecursionlimit(limit)
    assert got == expected and len(got) == 400
