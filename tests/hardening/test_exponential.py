"""Regression tests: names re-bound in many branches, level after level, once made name resolution and
the structure rules follow exponentially many paths to the same values (12**6, about 3 million paths
here: 4 to 20 s of CPU each, before torchport.analysis.memo and the once-per-binding alias walk).
Each pattern must now give its answer, which needs every level followed, within a tight budget."""

from __future__ import annotations

import pytest
from astroid import nodes

from torchport.analysis import budget, names
from torchport.analysis.parsing import PlainBuilder
from torchport.rules import run_family

LEVELS, BRANCHES = 6, 12
BUDGET = "1"  # seconds of CPU per family: each pattern now needs milliseconds


def branches(name: str, first: str, indent: str) -> str:
    """`name0 = first`, then on each level `nameI = nameI-1` in each branch of an if/elif chain."""
    lines = [f"{indent}{name}0 = {first}"]
    for level in range(1, LEVELS + 1):
        for branch in range(BRANCHES):
            keyword = "if" if branch == 0 else "elif"
            lines += [f"{indent}{keyword} c == {branch}:", f"{indent}    {name}{level} = {name}{level - 1}"]
    return "\n".join(lines) + "\n"


def model(init: str, body: str, forward: str = "return x", prelude: str = "") -> nodes.Module:
    text = ("import torch\nfrom torch import nn\n\nc = 0\n" + prelude + "\n\nclass Net(nn.Module):\n"
            "    def __init__(self, c):\n" + init + body + "\n    def forward(self, x):\n        " + forward + "\n")
    return PlainBuilder().string_build(text, "exponential", "exponential.py")


PATTERNS = {
    # qualified_name: an alias through six levels of branches of a name nothing resolves
    "unresolved alias": (model("", "        super().__init__()\n", "return a6(4, 4)(x)",
                               branches("a", "make_layer()", "")), set()),
    # is_module_value: a layer assigned to self before super().__init__()
    "module value": (model(branches("w", "nn.Linear(4, 4)", "        "), "        self.fc = w6\n"
                           "        super().__init__()\n"), {"module-assigned-before-super-init"}),
    # _collection_type and _holds_lost_state: a plain list of layers
    "collection": (model(branches("v", "[nn.Linear(4, 4)]", "        "), "        super().__init__()\n"
                         "        self.layers = v6\n"), {"module-container-not-registered"}),
    # _is_sequence: a tensor built from a list
    "sequence": (model(branches("d", "[1.0, 2.0]", "        "), "        super().__init__()\n"
                       "        self.scale = torch.tensor(d6)\n"), {"tensor-attribute-not-registered"}),
    # is_stateful_value: a container of stateless layers is answered "no" only after every path
    "stateless container": (model(branches("s", "nn.ReLU()", "        "), "        super().__init__()\n"
                                  "        self.acts = [nn.Sequential(s6)]\n"), set()),
}


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_many_branches_on_many_levels_are_followed_in_linear_time(pattern: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    module, expected = PATTERNS[pattern]
    monkeypatch.setenv(budget.VARIABLE, BUDGET)
    assert {finding.symbol for finding in run_family("structure", module)} == expected


def test_an_alias_through_many_branches_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    module = model("", "        super().__init__()\n", "return a6(4, 4)(x)", branches("a", "nn.Linear", ""))
    use = next(node for node in module.nodes_of_class(nodes.Name) if node.name == "a6")
    with budget.within(float(BUDGET)):
        assert names.qualified_name(use) == "torch.nn.Linear"
    monkeypatch.setenv(budget.VARIABLE, BUDGET)
    assert {finding.symbol for finding in run_family("structure", module)} == {"layer-built-in-forward"}


def test_an_alias_too_deep_to_follow_stays_unknown() -> None:
    """The alias walk is bounded: past its depth a name is unknown, however it is reached."""
    prelude = "a0 = nn.Linear\n" + "".join(f"a{i} = a{i - 1}\n" for i in range(1, 12))
    module = model("", "        super().__init__()\n", "return a11(4, 4)(x)", prelude)
    use = next(node for node in module.nodes_of_class(nodes.Name) if node.name == "a11")
    assert names.qualified_name(use) is None
    assert run_family("structure", module) == []
