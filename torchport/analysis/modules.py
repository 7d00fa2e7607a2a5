"""Recognise `torch.nn.Module` subclasses statically.

A class is a Module when one of its bases resolves to a torch Module class (`nn.Module`, any
`nn.<Layer>`, Lightning's `LightningModule`), or to a class of the project that is itself a Module:
in the same file or in another file of the project, which astroid parses (never imports). Files
outside the analysed project (site-packages, torch itself) are never parsed, so the answer does not
depend on what is installed. A class that merely has a `forward` method is not a Module.

Inside pylint, which builds every file it lints before checking any, astroid usually holds the tree of
a project file already: that tree is used, instead of a second parse, when it is of that very file and
module name, built after this process started from a file unchanged since, and it binds what
torchport's own parse would bind (`parsing.binds_as_plain`). A tree is never built through astroid here
(that would parse torch).
"""

from __future__ import annotations

import functools
import os
import stat
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import astroid
from astroid import nodes

from torchport.analysis.names import qualified_name
from torchport.analysis.parsing import PlainBuilder, binds_as_plain

# Public torch classes that are not Modules although they live in `torch.nn`.
_NOT_MODULES = frozenset(
    {"torch.nn.Parameter", "torch.nn.UninitializedParameter", "torch.nn.Buffer", "torch.nn.UninitializedBuffer"}
)
_OTHER_MODULE_BASES = frozenset({"lightning.LightningModule", "torch.jit.ScriptModule"})
_MAX_BASE_DEPTH = 16
# Top-level packages never parsed even when they look local: the torch stack itself.
_NEVER_PARSED = frozenset({"torch", "torchvision", "torchaudio", "lightning", "pytorch_lightning", "lightning_fabric"})

_cache: weakref.WeakKeyDictionary[nodes.ClassDef, bool] = weakref.WeakKeyDictionary()
# A file last modified before this instant (less 2 s for file systems' coarse clocks) is older than any
# tree astroid builds from now on; the trees it holds already are of unknown age.
_STARTED_NS = time.time_ns() - 2_000_000_000
_HELD_BEFORE: weakref.WeakSet[nodes.Module] = weakref.WeakSet(astroid.MANAGER.astroid_cache.values())
# astroid's trees judged once each: (the real path of their file, whether they bind as torchport's own)
_held: weakref.WeakKeyDictionary[nodes.Module, tuple[str | None, bool]] = weakref.WeakKeyDictionary()
# Called on every project-module lookup (memoised or not) with the file looking and the files it may
# read, present or not: torchport.advisor.cache records which files an analysis depends on.
LOOKUP_OBSERVERS: list[Callable[[str, list[Path]], None]] = []


def is_torch_module_name(qualified: str | None) -> bool:
    """Whether a canonical name is a torch Module class (`torch.nn.Module`, `torch.nn.Linear`, ...)."""
    if qualified is None:
        return False
    if qualified in _OTHER_MODULE_BASES:
        return True
    prefix, _, last = qualified.rpartition(".")
    return prefix == "torch.nn" and last[:1].isupper() and qualified not in _NOT_MODULES


def is_module_class(cls: nodes.ClassDef) -> bool:
    """Whether `cls` derives, directly or through project classes, from a torch Module."""
    cached = _cache.get(cls)
    if cached is None:
        cached = _derives_from_module(cls, set(), 0)
        _cache[cls] = cached
    return cached


def project_class(qualified: str, context: nodes.NodeNG) -> nodes.ClassDef | None:
    """The ClassDef a qualified name denotes, when it is defined in the analysed project (also through
    a package's re-export, or when the class is not the name's last binding)."""
    definition = project_definition(qualified, context)
    if isinstance(definition, nodes.ClassDef):
        return definition
    module_name, _, class_name = qualified.rpartition(".")
    root = context.root()
    if module_name in ("", root.name):
        found = root.locals.get(class_name, [])
    else:
        module = _load_project_module(module_name, root)
        found = module.locals.get(class_name, []) if module else []
    classes = [node for node in found if isinstance(node, nodes.ClassDef)]
    return classes[-1] if classes else None


def project_definition(qualified: str, context: nodes.NodeNG) -> nodes.ClassDef | nodes.FunctionDef | None:
    """The class or function a qualified name denotes, when the analysed project defines it (see
    `project_binding`)."""
    binding = project_binding(qualified, context)
    return binding if isinstance(binding, (nodes.ClassDef, nodes.FunctionDef)) else None


def project_binding(qualified: str, context: nodes.NodeNG) -> nodes.NodeNG | None:
    """The definition a qualified name denotes in the analysed project: a ClassDef, a FunctionDef or the
    AssignName of a module-level assignment (`CFGS = {...}`).

    The name's last binding in its module must be a top-level statement (so it is the one Python runs
    last), or a top-level `from ... import` of one (a package's `__init__.py` re-exporting it), which is
    followed; a binding under `if` or `try`, or by any other statement, is not.
    """
    for _ in range(_MAX_BASE_DEPTH):
        module_name, _, name = qualified.rpartition(".")
        root = context.root()
        module = root if module_name in ("", root.name) else _load_project_module(module_name, root)
        found = module.locals.get(name, []) if module is not None else []
        if not found or found[-1].statement().parent is not module:
            return None
        last = found[-1]
        if isinstance(last, (nodes.ClassDef, nodes.FunctionDef, nodes.AssignName)):
            return last
        source = _imported_name(last, name) if isinstance(last, nodes.ImportFrom) else None
        if source is None:
            return None
        qualified, context = source, last
    return None


def _imported_name(node: nodes.ImportFrom, name: str) -> str | None:
    """The qualified name `from module import x as name` binds to `name`."""
    for imported, alias in node.names:
        if (alias or imported) == name and imported != "*":
            try:
                module = node.root().relative_to_absolute_name(node.modname, node.level) if node.level \
                    else node.modname
            except Exception:  # a relative import above the top-level package
                return None
            return f"{module}.{imported}"
    return None


def _derives_from_module(cls: nodes.ClassDef, seen: set[int], depth: int) -> bool:
    if id(cls) in seen or depth > _MAX_BASE_DEPTH:
        return False
    seen.add(id(cls))
    for base in cls.bases:
        name = qualified_name(base)
        if name is None:
            continue
        if is_torch_module_name(name):
            return True
        base_cls = project_class(name, base)
        if base_cls is not None and base_cls is not cls:
            cached = _cache.get(base_cls)
            if cached is None:
                cached = _derives_from_module(base_cls, seen, depth + 1)
            if cached:
                return True
    return False


def _load_project_module(module_name: str, context: nodes.Module) -> nodes.Module | None:
    """Parse a module of the same project as `context`; None for anything outside it."""
    parts = module_name.split(".")
    if not context.file:
        return None
    if parts[0] in _NEVER_PARSED and parts[0] != _own_package(context.file):
        return None  # the torch stack is parsed only when it is the analysed project itself
    candidates = list(_candidate_files(module_name, context.file))
    for observe in LOOKUP_OBSERVERS:
        observe(context.file, candidates)
    for location in candidates:
        version = _version(location)
        if version is not None:
            held = _held_tree(str(location), module_name, version)
            return held if held is not None else _parse_project_file(str(location), module_name, version)
    return None


def _version(location: Path) -> tuple[int, int] | None:
    """(modification time in ns, size) of a regular file, None when there is none: one stat, as
    `Path.is_file` makes."""
    try:
        status = os.stat(location)
    except (OSError, ValueError):
        return None
    return (status.st_mtime_ns, status.st_size) if stat.S_ISREG(status.st_mode) else None


def _held_tree(path: str, module_name: str, version: tuple[int, int]) -> nodes.Module | None:
    """The tree astroid holds for the project file, when it is the one torchport's own parse would give
    (see the module's docstring); None otherwise. astroid's trees of a file are never compared with its
    contents, so one built before the file's last edit is told by time: the file must be older than
    this process and the tree younger. A tree is judged once, when first asked for: a `Class.x = ...`
    in a file astroid builds after that is not seen (pylint builds the files it lints before checking
    any; such a line changes pylint's tree of the analysed file alike)."""
    tree = astroid.MANAGER.astroid_cache.get(module_name)
    if tree is None or version[0] >= _STARTED_NS or tree in _HELD_BEFORE:
        return None
    judged = _held.get(tree)
    if judged is None:
        judged = _held[tree] = (os.path.realpath(tree.file) if tree.file else None, binds_as_plain(tree))
    return tree if judged == (path, True) else None


@functools.lru_cache(maxsize=256)
def _parse_project_file(path: str, module_name: str, version: tuple[int, int]) -> nodes.Module | None:
    """The syntax tree of a project file, built without ever parsing torch. Memoised per `version` of the
    file (`_version`), so a process that lives on (an editor's pylint server) parses a file again once it
    is edited; the stale tree ages out of the cache."""
    try:
        return PlainBuilder().file_build(path, module_name)
    except Exception:  # unreadable or unparsable file: its classes are simply unknown
        return None


@functools.lru_cache(maxsize=4096)
def _candidate_files(module_name: str, file: str) -> tuple[Path, ...]:
    """Where a project module may live: below the folder holding the file's top-level package,
    or beside the file itself (script-style projects). An installed package sees only itself.
    Memoised: the interpreter asks for the same modules from the same files thousands of times, and
    resolving a path costs a system call per folder."""
    parts = module_name.split(".")
    directory, import_root = _place(file)
    roots = [directory] if import_root == directory else [import_root, directory]
    if import_root.name in ("site-packages", "dist-packages") and parts[0] != _own_package(file):
        return ()
    candidates: list[Path] = []
    for root in roots:
        base = root.joinpath(*parts)
        candidates += [base.with_suffix(".py"), base / "__init__.py"]
    return tuple(candidates)


@functools.lru_cache(maxsize=1024)
def _place(file: str) -> tuple[Path, Path]:
    """The file's folder (symbolic links resolved) and the import root above it (see `_import_root`)."""
    directory = Path(file).resolve().parent
    return directory, _import_root(directory)


def _import_root(directory: Path) -> Path:
    """The folder holding the top-level package that `directory` belongs to (itself outside packages)."""
    root = directory
    while (root / "__init__.py").exists() and root.parent != root:
        root = root.parent
    return root


@functools.lru_cache(maxsize=1024)
def _own_package(file: str) -> str | None:
    """The top-level package the file belongs to; None for a file outside any package."""
    directory, root = _place(file)
    return directory.relative_to(root).parts[0] if root != directory else None
