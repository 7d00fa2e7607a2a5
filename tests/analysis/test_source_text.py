"""The families' text pre-filter: words in the file's text, read once per module."""

from __future__ import annotations

from pathlib import Path

import astroid
from astroid.builder import AstroidBuilder

from torchport.analysis import source_text
from torchport.analysis.source_text import mentions_any


def test_words_are_looked_up_in_the_file_text_read_once(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text("import torch\nloss = criterion(out, y)\n")
    module = AstroidBuilder(astroid.MANAGER).file_build(str(path), "train")
    assert mentions_any(module, ["CrossEntropyLoss", "criterion"])
    path.write_text("")  # a second question must not read the file again
    assert not mentions_any(module, ["backward"])
    assert mentions_any(module, ["torch"])


def test_a_module_built_from_a_string_is_filtered_by_that_string() -> None:
    module = astroid.parse("x = 1", module_name="snippet")
    assert not mentions_any(module, ["backward"])
    assert mentions_any(module, ["x = "])


def test_a_module_without_source_text_is_always_analysed() -> None:
    module = astroid.parse("x = 1", module_name="snippet")
    module.file, module.file_bytes = None, None  # as for a tree built from a Python AST
    assert mentions_any(module, ["backward"])
    assert source_text._texts[module] is None
