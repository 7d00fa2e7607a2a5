"""Model extraction: the Module classes of a file and the methods their `forward` reaches."""

from __future__ import annotations

from astroid import nodes

from torchport.analysis.budget import tick
from torchport.analysis.modules import is_module_class, project_class
from torchport.analysis.names import qualified_name
from torchport.analysis.node_index import descendants

_MAX_BASES = 16  # bound on a class and its project bases (cyclic or absurd hierarchies)


def module_classes(module: nodes.Module) -> list[nodes.ClassDef]:
    """Every `nn.Module` subclass defined in the file, nested ones included, in source order."""
    return [cls for cls in descendants(module, nodes.ClassDef) if is_module_class(cls)]


def class_and_bases(cls: nodes.ClassDef) -> list[nodes.ClassDef]:
    """The class and its readable base classes (project classes and classes of the same file, never torch's
    own elsewhere), nearest first."""
    found: list[nodes.ClassDef] = []
    pending = [cls]
    while pending and len(found) < _MAX_BASES:
        current = pending.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        for base in current.bases:
            base_cls = _readable_base(base)
            if base_cls is not None:
                pending.append(base_cls)
    return found


def _readable_base(base: nodes.NodeNG) -> nodes.ClassDef | None:
    """The class a base expression names when its body can be read: a project class, or a class of the same
    file (in torch's own sources, whose classes are named torch.*; torch's classes elsewhere are not read)."""
    name = qualified_name(base)
    if not name:
        return None
    if not name.startswith("torch."):
        return project_class(name, base)
    if isinstance(base, nodes.Name):
        defined = [d for d in base.root().locals.get(base.name, []) if isinstance(d, nodes.ClassDef)]
        return defined[-1] if defined else None
    return None


def find_method(cls: nodes.ClassDef, name: str) -> nodes.FunctionDef | None:
    """The method `name` as `cls` sees it: its own, else the nearest project base class's."""
    for current in class_and_bases(cls):
        found = [n for n in current.locals.get(name, []) if isinstance(n, nodes.FunctionDef)]
        if found:
            return found[-1]
    return None


def is_self(node: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
    """Whether `node` is the method's first parameter (`self`)."""
    args = method.args.posonlyargs + method.args.args
    return isinstance(node, nodes.Name) and bool(args) and node.name == args[0].name


def self_method_calls(method: nodes.FunctionDef) -> list[str]:
    """Names of the methods called as `self.<name>(...)` in a method body."""
    names = []
    for call in descendants(method, nodes.Call):
        func = call.func
        if isinstance(func, nodes.Attribute) and is_self(func.expr, method):
            names.append(func.attrname)
    return names


def reachable_methods(cls: nodes.ClassDef, entry: str = "forward") -> list[nodes.FunctionDef]:
    """`entry` and every method of the class it reaches through `self.<method>(...)` calls."""
    start = find_method(cls, entry)
    if start is None:
        return []
    reached: list[nodes.FunctionDef] = []
    pending = [start]
    while pending:
        tick()
        method = pending.pop()
        if any(method is r for r in reached):
            continue
        reached.append(method)
        for name in self_method_calls(method):
            callee = find_method(cls, name)
            if callee is not None:
                pending.append(callee)
    return reached
