"""The code the benchmarks run on: timm, torch (its `torch/nn` or all of it), transformers, torchvision's
sources, or any path.

Locating a package uses `importlib.util.find_spec`, which finds its folder without importing it
(importing timm would import torch). Nothing is ever installed from here: a missing package is an
error that states the command to run. torchvision has no CPU build to install beside torch 2.13.0,
so its corpus is the wheel's sources unzipped under bench/.corpus/ by bench/torchvision_models.py.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Corpus:
    name: str
    package: str  # top-level package that holds the corpus ("" when `folder` is given)
    subdir: str  # folder inside the package ("" for the whole package)
    install: str  # how to get the package without letting pip resolve a newer torch
    folder: Path | None = None  # a corpus that is a folder, not an installed package


CORPORA: dict[str, Corpus] = {
    corpus.name: corpus
    for corpus in (
        Corpus("timm", "timm", "", "-m pip install --no-deps timm"),
        Corpus("torch-nn", "torch", "nn", "-m pip install torch==2.13.0"),
        Corpus("torch", "torch", "", "-m pip install torch==2.13.0"),
        Corpus("transformers", "transformers", "", "-m pip install --no-deps transformers==5.24.0"),
        Corpus("torchvision", "", "", "bench/torchvision_models.py  (downloads and unzips the wheel, once)",
               Path(__file__).resolve().parent / ".corpus" / "torchvision-0.29.1" / "torchvision"),
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
    if corpus.folder is not None:
        if not corpus.folder.is_dir():
            raise MissingCorpus(f"the {corpus.name} corpus is not at {corpus.folder}.\nGet it with:  {sys.executable} {corpus.install}")
        return corpus.folder
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
