"""Module recognition: torch bases, project bases in this and other files, Lightning; never torch's sources."""

from __future__ import annotations

from pathlib import Path

import astroid
from astroid.builder import AstroidBuilder

from torchport.analysis.modules import is_module_class


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
