"""torchport's own trees of project files and astroid's trees (pylint's)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import astroid
import pytest

from torchport.analysis.modules import project_definition
from torchport.analysis.parsing import PlainBuilder

Write = Callable[[dict[str, str]], dict[str, str]]


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
