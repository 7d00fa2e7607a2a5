"""Simulate an environment without torch in a process that has it installed.

Python imports of torch fail, and astroid cannot find torch's sources, exactly as where torch is not
installed (pre-commit's isolated environments, editors' linters).
"""

from __future__ import annotations

import importlib.abc
import sys

from astroid import manager
from astroid.exceptions import AstroidImportError

HIDDEN = ("torch", "torchvision", "torchaudio")


def _is_hidden(name: str) -> bool:
    return name.split(".", 1)[0] in HIDDEN


class _TorchBlocker(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if _is_hidden(fullname):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def hide_torch() -> None:
    for name in [n for n in sys.modules if _is_hidden(n)]:
        del sys.modules[name]
    sys.meta_path.insert(0, _TorchBlocker())
    original = manager.AstroidManager.ast_from_module_name

    def ast_from_module_name(self, modname, *args, **kwargs):  # type: ignore[no-untyped-def]
        if modname and _is_hidden(modname):
            raise AstroidImportError(f"No module named {modname!r} (hidden by the test run)")
        return original(self, modname, *args, **kwargs)

    manager.AstroidManager.ast_from_module_name = ast_from_module_name  # type: ignore[method-assign]
