"""Project files astroid already holds (inside pylint) are not parsed again, unless the answer could change."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import astroid
import pytest
from astroid.builder import AstroidBuilder

from torchport.analysis.modules import project_class, project_definition
from torchport.analysis.parsing import PlainBuilder, binds_as_plain

Write = Callable[[dict[str, str]], dict[str, str]]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Write]:
    """Writes files whose names get a unique prefix (astroid's cache is the process's), dated an hour
    back as files that exist before a pylint run are, in a folder on sys.path as pylint puts it (so
    astroid resolves their imports); forgets astroid's trees of them afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    prefix = f"tp{uuid.uuid4().hex[:8]}_"
    written: list[str] = []

    def write(files: dict[str, str]) -> dict[str, str]:
        names = {}
        for stem, text in files.items():
            path = tmp_path / f"{prefix}{stem}.py"
            path.write_text(text.replace("PREFIX_", prefix))
            hour_ago = time.time_ns() - 3600 * 10**9
            os.utime(path, ns=(hour_ago, hour_ago))
            names[stem] = f"{prefix}{stem}"
            written.append(names[stem])
        return names

    yield write
    for name in written:
        astroid.MANAGER.astroid_cache.pop(name, None)


def _astroid_build(tmp_path: Path, name: str) -> astroid.nodes.Module:
    """The tree pylint has astroid build of a file it lints: transforms, instance attributes, star imports."""
    return AstroidBuilder(astroid.MANAGER).file_build(str(tmp_path / f"{name}.py"), name)


def _plain(tmp_path: Path, name: str) -> astroid.nodes.Module:
    return PlainBuilder().file_build(str(tmp_path / f"{name}.py"), name)


_BASE = (
    "def helper(x):\n    return x\n"
    "class Block:\n    def __init__(self):\n        self.width = 3\n"
)


def test_torchports_own_trees_stay_out_of_astroids_cache(tmp_path: Path, project: Write) -> None:
    """pylint asks astroid for the modules a file imports; had torchport's tree of one of them (no
    instance attributes) been in astroid's cache, pylint would report `no-member` on `Block().width`."""
    names = project({"base": _BASE, "model": "from PREFIX_base import helper\n"})
    os.utime(tmp_path / f"{names['base']}.py")  # edited now: torchport parses it itself
    model = _plain(tmp_path, names["model"])
    assert project_definition(f"{names['base']}.helper", model) is not None
    assert names["base"] not in astroid.MANAGER.astroid_cache
    built = astroid.MANAGER.ast_from_file(str(tmp_path / f"{names['base']}.py"), names["base"], source=True)
    assert "width" in built["Block"].instance_attrs


def test_a_tree_astroid_holds_is_used_and_an_edit_is_seen(tmp_path: Path, project: Write) -> None:
    names = project({"base": _BASE, "model": "from PREFIX_base import helper, Block\n"})
    held = _astroid_build(tmp_path, names["base"])
    model = _plain(tmp_path, names["model"])
    found = project_class(f"{names['base']}.Block", model)
    assert found is not None and found.root() is held  # instance attributes do not keep it from use

    # an editor's pylint server that keeps astroid's trees between runs: the old tree is still held
    (tmp_path / f"{names['base']}.py").write_text("def helper(x):\n    return x\nBlock = helper\n")
    assert astroid.MANAGER.astroid_cache[names["base"]] is held
    assert project_class(f"{names['base']}.Block", model) is None
    assert project_definition(f"{names['base']}.helper", model).root() is not held


def test_a_tree_of_another_file_with_the_module_name_is_not_used(tmp_path: Path, project: Write) -> None:
    names = project({"base": _BASE, "model": "from PREFIX_base import helper\n"})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / f"{names['base']}.py").write_text("def other(x):\n    return x\n")
    held = AstroidBuilder(astroid.MANAGER).file_build(str(elsewhere / f"{names['base']}.py"), names["base"])
    found = project_definition(f"{names['base']}.helper", _plain(tmp_path, names["model"]))
    assert found is not None and found.root() is not held


# What astroid's build binds beyond torchport's own parse; a tree with any of these is parsed again.
_DIFFERENT = {
    "star import after a definition": (
        {"base": "def helper(x):\n    return x\nfrom PREFIX_other import *\n",
         "other": "def helper(x):\n    return x + 1\n"},
        "helper",
    ),
    "dataclass (astroid makes up its __init__)": (
        {"base": "from dataclasses import dataclass\n@dataclass\nclass Block:\n    width: int = 3\n"},
        "Block",
    ),
    "class attribute set from outside the class": (
        {"base": "class Block:\n    pass\nBlock.width = 3\n"},
        "Block",
    ),
    "class attribute set in a classmethod": (
        {"base": "class Block:\n    @classmethod\n    def set(cls):\n        cls.width = 3\n"},
        "Block",
    ),
    "enum (astroid replaces its members)": (
        {"base": "import enum\nclass Block(enum.Enum):\n    A = 1\n    B = 2\n"},
        "Block",
    ),
    "module attribute set by another module": (
        {"base": "def helper(x):\n    return x\n",
         "patch": "import PREFIX_base\nPREFIX_base.helper = None\n"},
        "helper",
    ),
}


def _answer(name: str, model: astroid.nodes.Module) -> tuple[str, list[str]] | None:
    found = project_definition(name, model)
    return None if found is None else (type(found).__name__, sorted(getattr(found, "locals", {})))


@pytest.mark.parametrize("case", sorted(_DIFFERENT))
def test_a_tree_astroid_changed_is_not_used(case: str, tmp_path: Path, project: Write) -> None:
    files, attribute = _DIFFERENT[case]
    names = project({**files, "model": "import PREFIX_base\n"})
    model = _plain(tmp_path, names["model"])
    qualified = f"{names['base']}.{attribute}"
    expected = _answer(qualified, model)  # nothing held: torchport's own parse
    for stem in files:
        _astroid_build(tmp_path, names[stem])
    assert _answer(qualified, model) == expected


@pytest.mark.parametrize("folder", ["samples", "tests/advisor/zoo"])
def test_torchports_own_trees_bind_as_plain(folder: str) -> None:
    """The check that lets astroid's trees be used holds for the trees it stands for."""
    for path in sorted((ROOT / folder).glob("*.py")):
        assert binds_as_plain(PlainBuilder().file_build(str(path), path.stem)), path
