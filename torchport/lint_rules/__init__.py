"""torchport's pylint plugin: `pylint --load-plugins=torchport.lint_rules`.

One checker per rule family, all named `torchport` so that `--enable=torchport` / `--disable=torchport`
switch every torchport message at once. The checkers only translate findings into pylint messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from astroid import nodes
from pylint.checkers import BaseChecker

from torchport.messages import pylint_msgs
from torchport.rules import run_family

if TYPE_CHECKING:
    from pylint.lint import PyLinter


class _FamilyChecker(BaseChecker):
    name = "torchport"
    family: ClassVar[str]

    def visit_module(self, node: nodes.Module) -> None:
        for finding in run_family(self.family, node):
            self.add_message(finding.symbol, node=finding.node, args=finding.args or None)


class CoreChecker(BaseChecker):
    """Owns the messages about torchport itself; the family checkers emit them."""

    name = "torchport"
    msgs = pylint_msgs("core")


class StructureChecker(_FamilyChecker):
    """71xx: how a Module is built (super().__init__, submodule registration, layers in forward)."""

    family = "structure"
    msgs = pylint_msgs("structure")


class LossChecker(_FamilyChecker):
    """72xx: activations that do not match the loss they feed."""

    family = "losses"
    msgs = pylint_msgs("losses")


class ShapeChecker(_FamilyChecker):
    """73xx: layer arguments and operations whose tensor shapes cannot fit (static shape inference)."""

    family = "shapes"
    msgs = pylint_msgs("shapes")


class KerasConventionsChecker(_FamilyChecker):
    """74xx: Keras conventions copied into PyTorch (momentum, dropout, batch_first, arguments, loops)."""

    family = "keras"
    msgs = pylint_msgs("keras")


def register(linter: PyLinter) -> None:
    for checker in (CoreChecker, StructureChecker, LossChecker, ShapeChecker, KerasConventionsChecker):
        linter.register_checker(checker(linter))
