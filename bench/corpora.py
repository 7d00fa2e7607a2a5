"""The code the benchmarks run on: the installed `timm` package, torch's own `torch/nn`, or any path.

Locating a package uses `importlib.util.find_spec`, which finds its folder without importing it
(importing timm would import torch). Nothing is ever installed from here: a missing package is an
error that states the command to run.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Corpus:
    name: str
    package: str  # top-level package that holds the corpus
    subdir: str  # folder inside the package ("" for the whole package)
    install: str  # how to get the package without letting pip resolve a newer torch


CORPORA: dict[str, Corpus] = {
    corpus.name: corpus
    for corpus in (
        Corpus("timm", "timm", "", "-m pip install --no-deps timm"),
        Corpus("torch-nn", "torch", "nn", "-m pip install torch==2.13.0"),
    )
}


class MissingCorpus(Exception):
    """The corpus' package is not installed in this Python."""


def corpus_root(name_or_path: str) -> Path:
    """Folder (or file) of a named corpus, or the given path itself."""
    corpus = CORPORA.get(name_or_path)
    if corpus is None:
        path = Path(name_or_path)
        if not path.exists():
            raise MissingCorpus(f"{name_or_path}: neither a corpus name ({', '.join(CORPORA)}) nor an existing path")
        return path.resolve()
    spec = importlib.util.find_spec(corpus.package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingCorpus(
            f"the {corpus.name} corpus needs the `{corpus.package}` package, which {sys.executable} does not have.\n"
            f"Install it with:  {sys.executable} {corpus.install}"
        )
    return Path(next(iter(spec.submodule_search_locations)), corpus.subdir).resolve()


def python_files(root: Path) -> list[Path]:
    """Every .py file under `root` (or `root` itself), sorted, skipping hidden folders."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.py") if not any(part.startswith(".") for part in p.relative_to(root).parts))
