"""Spell a torch name at a place of the file with the file's own imports, adding one when none fits."""

from __future__ import annotations

from astroid import nodes

from torchport.analysis.names import qualified_name
from torchport.fixes.edits import Edit, Source

# canonical module -> (the usual alias, the import statement that binds it)
_IMPORTS: dict[str, tuple[str, str]] = {
    "torch": ("torch", "import torch"),
    "torch.nn": ("nn", "from torch import nn"),
    "torch.nn.functional": ("F", "import torch.nn.functional as F"),
}


def _names_at(name: str, where: nodes.NodeNG) -> str | None:
    """What `name` would refer to if written at `where` (lexical lookup only)."""
    probe = nodes.Name(name=name, lineno=where.lineno, col_offset=0, parent=where,
                       end_lineno=where.lineno, end_col_offset=0)
    return qualified_name(probe)


def _bound(name: str, where: nodes.NodeNG) -> bool:
    try:
        return bool(where.scope().lookup(name)[1])
    except Exception:  # astroid lookup on unusual trees: treat the name as taken
        return True


def spell(source: Source, module_name: str, where: nodes.NodeNG) -> tuple[str, list[Edit]]:
    """How to write the module `module_name` at `where`: an existing alias of it or of a parent
    package (`nn.functional`, `torch.nn.functional`), else the usual alias and the import to add."""
    aliases: list[tuple[str, str]] = []  # (bound name, the module it stands for)
    for name, bindings in source.module.locals.items():
        if any(isinstance(b, (nodes.Import, nodes.ImportFrom)) for b in bindings):
            resolved = _names_at(name, where)
            if resolved:
                aliases.append((name, resolved))
    for name, resolved in sorted(aliases, key=lambda pair: -len(pair[1])):
        if module_name == resolved or module_name.startswith(resolved + "."):
            return name + module_name[len(resolved):], []
    alias, statement = _IMPORTS[module_name]
    if _bound(alias, where):
        return "", []  # the usual alias means something else here: no safe spelling
    return alias, [add_import(source, statement)]


def add_import(source: Source, statement: str) -> Edit:
    """An edit adding an import line after the file's last top-level import (or its docstring)."""
    body = source.module.body
    imports = [s for s in body if isinstance(s, (nodes.Import, nodes.ImportFrom))]
    leading = [s for s in imports if all(not isinstance(b, (nodes.ClassDef, nodes.FunctionDef))
                                          for b in body[: body.index(s)])]
    if leading:
        at = source.line_start(leading[-1].end_lineno + 1)
    elif source.module.doc_node is not None:
        at = source.line_start(source.module.doc_node.end_lineno + 1)
    else:
        at = 0
    prefix = "" if at == 0 or source.text[:at].endswith("\n") else "\n"
    return Edit(at, at, f"{prefix}{statement}\n")
