"""Small syntax helpers shared by the fix families."""

from __future__ import annotations

from astroid import nodes

from torchport.fixes.edits import Edit, Fix
from torchport.rules.finding import Finding


def statement_in(node: nodes.NodeNG, function: nodes.FunctionDef) -> nodes.NodeNG | None:
    """The statement of `function`'s own body that contains `node`."""
    current = node
    while current is not None and current.parent is not function:
        current = current.parent
    return current if current is not None and current in function.body else None


def enclosing_function(node: nodes.NodeNG) -> nodes.FunctionDef | None:
    scope = node.scope()
    return scope if isinstance(scope, nodes.FunctionDef) else None


def is_constant(node: nodes.NodeNG) -> bool:
    """A literal, or arithmetic and tuples of literals."""
    if isinstance(node, nodes.Const):
        return True
    if isinstance(node, nodes.UnaryOp):
        return is_constant(node.operand)
    if isinstance(node, nodes.BinOp):
        return is_constant(node.left) and is_constant(node.right)
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return all(is_constant(e) for e in node.elts)
    return False


def is_base_init_call(statement: nodes.NodeNG) -> bool:
    """`super().__init__(...)` (or `super(Cls, self).__init__(...)`) as an expression statement."""
    if not isinstance(statement, nodes.Expr) or not isinstance(statement.value, nodes.Call):
        return False
    func = statement.value.func
    return (isinstance(func, nodes.Attribute) and func.attrname == "__init__"
            and isinstance(func.expr, nodes.Call) and isinstance(func.expr.func, nodes.Name)
            and func.expr.func.name == "super")


def keyword(call: nodes.Call, name: str) -> nodes.Keyword | None:
    return next((k for k in call.keywords or [] if k.arg == name), None)


def argument(call: nodes.Call, position: int, name: str) -> nodes.NodeNG | None:
    """The argument given at `position` or as `name=`."""
    if len(call.args) > position and not any(isinstance(a, nodes.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    found = keyword(call, name)
    return found.value if found is not None else None


def plain_call(call: nodes.Call) -> bool:
    """No `*args` or `**kwargs`, so every argument is visible."""
    return not any(isinstance(a, nodes.Starred) for a in call.args) and all(
        k.arg is not None for k in call.keywords or [])


def make_fix(finding: Finding, description: str, edits: list[Edit] | None, safe: bool = True) -> Fix:
    """A fix for a finding; one without edits is a proposal only (the message's advice applies)."""
    return Fix(finding.symbol, finding.line, description, safe and bool(edits), tuple(edits or ()))
