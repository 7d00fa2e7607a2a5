"""Module recognition: torch bases, project bases in this and other files, Lightning; never torch's sources."""

from __future__ import annotations

import os
from pathlib import Path

import astroid
from astroid.builder import AstroidBuilder

from torchport.analysis.modules import is_module_class, project_class, project_definition
from torchport.analysis.parsing import PlainBuilder


def _classes(module: astroid.nodes.Module) -> dict[str, bool]:
    return {c.name: is_module_class(c) for c in module.nodes_of_class(astroid.nodes.ClassDef)}


def test_same_file_bases_and_non_modules() -> None:
    module = astroid.parse(
        """
        import torch.nn as nn
        from torch.nn import Sequential
        from lightning import LightningModule
        class Block(nn.Module): pass
        class Deeper(Block): pass
        class Seq(Sequential): pass
        class Lit(LightningModule): pass
        class HasForward:
            def forward(self, x): return x
        class FromHasForward(HasForward): pass
        class Param(nn.Parameter): pass
        class Loop(Loop): pass
        class Dynamic(make_base()): pass
        """
    )
    assert _classes(module) == {
        "Block": True, "Deeper": True, "Seq": True, "Lit": True, "HasForward": False,
        "FromHasForward": False, "Param": False, "Loop": False, "Dynamic": False,
    }


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _build(path: Path, name: str) -> astroid.nodes.Module:
    return AstroidBuilder(astroid.MANAGER).file_build(str(path), name)


def test_bases_in_other_files_of_a_package(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/layers/__init__.py": "",
        "pkg/layers/base.py": "from torch import nn\nclass Base(nn.Module): pass\nclass Plain: pass\n",
        "pkg/model.py": (
            "from .layers.base import Base, Plain\n"
            "from .layers import base\n"
            "import pkg.layers.base as b\n"
            "class A(Base): pass\nclass B(base.Base): pass\nclass C(b.Base): pass\nclass D(Plain): pass\n"
        ),
    })
    module = _build(tmp_path / "pkg" / "model.py", "pkg.model")
    assert _classes(module) == {"A": True, "B": True, "C": True, "D": False}


def test_script_style_neighbour_file(tmp_path: Path) -> None:
    _write(tmp_path, {
        "blocks.py": "import torch.nn as nn\nclass Block(nn.Module): pass\n",
        "train.py": "from blocks import Block\nclass Net(Block): pass\n",
    })
    assert _classes(_build(tmp_path / "train.py", "train")) == {"Net": True}


def test_cross_file_cycles_terminate(tmp_path: Path) -> None:
    _write(tmp_path, {"a.py": "from b import B\nclass A(B): pass\n", "b.py": "from a import A\nclass B(A): pass\n"})
    assert _classes(_build(tmp_path / "a.py", "a")) == {"A": False}


def test_torch_sources_are_never_parsed() -> None:
    # astroid's own transforms may parse torch while building a tree (its enum brain infers bases):
    # build without them, so that only torchport's work is measured
    module = AstroidBuilder(astroid.MANAGER, apply_transforms=False).string_build(
        "import torch\nfrom torch import nn\nclass Net(nn.Module): pass\nclass Sub(torch.nn.Linear): pass\n",
        modname="user_model",
    )
    cache = astroid.MANAGER.astroid_cache
    for name in [name for name in cache if name.split(".")[0] == "torch"]:
        del cache[name]  # so that a parse by earlier tests cannot hide one by ours
    assert _classes(module) == {"Net": True, "Sub": True}
    assert [name for name in cache if name.split(".")[0] == "torch"] == []


def test_star_imports_and_attributes_in_a_project_file_parse_no_torch(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base.py": (
            "from torch.nn import *\nimport torch.nn as nn\n"
            "class Base(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.fc = nn.Linear(2, 2)\n"
        ),
        "net.py": "from base import Base\nclass Net(Base): pass\n",
    })
    module = AstroidBuilder(astroid.MANAGER, apply_transforms=False).file_build(str(tmp_path / "net.py"), "net")
    cache = astroid.MANAGER.astroid_cache
    for name in [name for name in cache if name.split(".")[0] == "torch"]:
        del cache[name]
    assert _classes(module) == {"Net": True}
    assert [name for name in cache if name.split(".")[0] == "torch"] == []


def test_torch_stack_package_parses_its_own_modules_only(tmp_path: Path) -> None:
    _write(tmp_path, {
        "torchvision/__init__.py": "",
        "torchvision/models/__init__.py": "",
        "torchvision/models/vgg.py": "from torch import nn\nclass VGG(nn.Module): pass\n",
        "torchvision/models/targets.py": "from .vgg import VGG\nclass Vgg11(VGG): pass\n",
        "app/__init__.py": "",
        "app/model.py": "from torchvision.models.vgg import VGG\nclass Mine(VGG): pass\n",
    })
    own = _build(tmp_path / "torchvision" / "models" / "targets.py", "torchvision.models.targets")
    other = _build(tmp_path / "app" / "model.py", "app.model")
    assert _classes(own) == {"Vgg11": True}  # torchvision's own sources: its modules are the project
    assert _classes(other) == {"Mine": False}  # a user project: torchvision is never parsed


def _definition(module: astroid.nodes.Module, qualified: str) -> str | None:
    found = project_definition(qualified, module)
    return None if found is None else f"{type(found).__name__} {found.root().name}.{found.name}"


def test_project_definitions_in_other_files_and_re_exports(tmp_path: Path) -> None:
    _write(tmp_path, {
        "pkg/__init__.py": "from .utils import helper as exported\nfrom .nothing import missing\n",
        "pkg/utils.py": (
            "import torch.nn as nn\n"
            "def helper(m):\n    return m\n"
            "class Block(nn.Module): pass\n"
            "value = 3\n"
            "try:\n    from fast import guarded\nexcept ImportError:\n    def guarded(): pass\n"
            "def redefined(): pass\nredefined = 4\n"
        ),
        "pkg/model.py": "from pkg import utils\n",
    })
    module = _build(tmp_path / "pkg" / "model.py", "pkg.model")
    assert _definition(module, "pkg.utils.helper") == "FunctionDef pkg.utils.helper"
    assert _definition(module, "pkg.utils.Block") == "ClassDef pkg.utils.Block"
    assert _definition(module, "pkg.exported") == "FunctionDef pkg.utils.helper"  # through __init__.py
    # not a def, defined only on one path of a try, rebound after its def, or not in the project at all
    for name in ("pkg.utils.value", "pkg.utils.guarded", "pkg.utils.redefined", "pkg.missing", "os.path.join",
                 "pkg.utils.absent"):
        assert _definition(module, name) is None, name
    assert project_class("pkg.utils.Block", module) is project_definition("pkg.utils.Block", module)


def test_re_export_cycles_terminate(tmp_path: Path) -> None:
    _write(tmp_path, {"a.py": "from b import f\n", "b.py": "from a import f\n"})
    assert _definition(_build(tmp_path / "a.py", "a"), "b.f") is None


def test_torch_stack_functions_of_another_project_are_never_parsed(tmp_path: Path) -> None:
    _write(tmp_path, {
        "torchvision/__init__.py": "",
        "torchvision/utils.py": "def _log_api_usage_once(obj):\n    pass\n",
        "torchvision/models.py": "from torchvision.utils import _log_api_usage_once\n",
        "app/__init__.py": "",
        "app/model.py": "from torchvision.utils import _log_api_usage_once\n",
    })
    own = _build(tmp_path / "torchvision" / "models.py", "torchvision.models")
    other = _build(tmp_path / "app" / "model.py", "app.model")
    assert _definition(own, "torchvision.utils._log_api_usage_once") == "FunctionDef torchvision.utils._log_api_usage_once"
    assert _definition(other, "torchvision.utils._log_api_usage_once") is None



def test_an_edited_project_file_is_read_again_in_the_same_process(tmp_path: Path) -> None:
    """A long-lived process (an editor's pylint server) analyses a file, the user edits the file of its
    base class, and the next analysis (a fresh tree of the unchanged file) sees the edit: the parse cache
    is keyed on the file's modification time and its size, either of which tells an edit."""
    module_base = "import torch.nn as nn\nclass Base(nn.Module): pass\n"
    plain_base = module_base.replace("nn.Module", "object   ")  # the same size
    base = tmp_path / "base.py"
    _write(tmp_path, {"base.py": module_base, "net.py": "from base import Base\nclass Net(Base): pass\n"})
    assert _classes(_plain(tmp_path / "net.py")) == {"Net": True}

    base.write_text(plain_base)
    edited = os.stat(base).st_mtime_ns + 1_000_000
    os.utime(base, ns=(edited, edited))  # a later time, the same size
    assert _classes(_plain(tmp_path / "net.py")) == {"Net": False}

    base.write_text(module_base.replace(" pass", "\n    pass"))
    os.utime(base, ns=(edited, edited))  # the same time, another size
    assert _classes(_plain(tmp_path / "net.py")) == {"Net": True}


def _plain(path: Path) -> astroid.nodes.Module:
    """A fresh tree of the file, built as torchport builds project files (torch is never parsed)."""
    return PlainBuilder().file_build(str(path), path.stem)
