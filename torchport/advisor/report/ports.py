"""The report's "Keras ports" part: a Keras model of the project beside its PyTorch port, as `torchport compare`
shows them (torchport.keras.compare).

A torch model class is paired with one Keras model at most; the first rule that pairs it wins:

1. `[tool.torchport.ports]` ("keras_file.py::name" = "torch_file.py::Class", relative to the pyproject.toml's
   folder), when either file is among the report's files;
2. its docstring says it was ported: `torchport port` writes "Ported from the Keras {style} model `{name}`
   ({file}:{line})."; the file is found relative to the class's file, then to the project root (the
   pyproject.toml's folder, else the current folder);
3. by name, only when unambiguous: the Keras model's name and the class name are equal once normalised (case,
   `_`, a trailing Model/Net/Keras/Torch/Port/Ported), and exactly one Keras model and one model class of the
   report have that name.

Keras models are read (torchport.keras.reader) from the report's files that import keras or tensorflow. A pair
that cannot be compared keeps its one-line reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from astroid import nodes

from torchport.advisor.cli import CommandError
from torchport.advisor.compare import read_keras, read_torch
from torchport.advisor.sources import SourceError
from torchport.advisor.summarize import SummaryError
from torchport.advisor.target import SEPARATOR, Target
from torchport.analysis.node_index import descendants
from torchport.config import Config, Port
from torchport.keras.compare import CompareError, Comparison, compare
from torchport.keras.model import KerasModel
from torchport.keras.reader import find_model, read_models, read_module

# how a pair was found -> what the report says
PAIRED_BY: dict[str, str] = {
    "configuration": "[tool.torchport.ports]",
    "docstring": "the port's docstring",
    "name": "their names",
}
KERAS_MODULES = frozenset({"keras", "tensorflow", "tf_keras"})  # an import of one of these marks a Keras file
NAME_AFFIXES = ("model", "net", "keras", "torch", "ported", "port")  # dropped from the end of a name, once
PORTED_FROM = re.compile(r"Ported from the Keras \w+ model `(?P<name>[^`]+)` \((?P<file>.+):\d+\)\.")


@dataclass
class PortSection:
    keras: str  # the Keras model: "file.py::name"
    torch: str  # the port: "file.py::Class"
    paired_by: str  # a key of PAIRED_BY
    comparison: Comparison | None  # None when the pair could not be compared (see `error`)
    error: str | None = None


@dataclass(frozen=True)
class TorchModel:
    """A model class of the report's files."""

    path: Path
    module: nodes.Module
    cls: nodes.ClassDef


@dataclass(frozen=True)
class KerasFile:
    path: Path
    models: tuple[KerasModel, ...]


def keras_file(path: Path, source: str, module: nodes.Module) -> KerasFile | None:
    """The Keras models of a report file, None unless it imports keras or tensorflow (checked on the text first)."""
    if "keras" not in source and "tensorflow" not in source:
        return None
    if not any(_imports_keras(node) for node in descendants(module, (nodes.Import, nodes.ImportFrom))):
        return None
    return KerasFile(path, tuple(read_module(module, str(path))))


def _imports_keras(node: nodes.Import | nodes.ImportFrom) -> bool:
    names = [node.modname] if isinstance(node, nodes.ImportFrom) else [name for name, _ in node.names]
    return any(name.partition(".")[0] in KERAS_MODULES for name in names if name)


def pair(torch_models: list[TorchModel], keras_files: list[KerasFile], report_files: list[Path],
         config: Config) -> list[PortSection]:
    """The report's pairs, compared: the configured ones first, then by docstring, then by name."""
    root = config.root or Path.cwd()
    taken: set[tuple[Path, str]] = set()  # (resolved file, class name) of the model classes already paired
    sections = []
    in_report = {path.resolve() for path in report_files}
    for port in config.ports:
        if {(root / port.keras_path).resolve(), (root / port.torch.path).resolve()} & in_report:
            sections.append(_configured(port, root, taken))
    read: dict[Path, KerasFile] = {file.path.resolve(): file for file in keras_files}
    for model in torch_models:
        if _key(model) not in taken:
            section = _from_docstring(model, root, read)
            if section is not None:
                taken.add(_key(model))
                sections.append(section)
    for keras, model in _by_name(torch_models, keras_files):
        if _key(model) not in taken:
            taken.add(_key(model))
            sections.append(_compared(keras, model, "name"))
    return sections


def _key(model: TorchModel) -> tuple[Path, str]:
    return model.path.resolve(), model.cls.name


# ---------------------------------------------------------------------------------- 1. configuration

def _configured(port: Port, root: Path, taken: set[tuple[Path, str]]) -> PortSection:
    keras_label = port.keras_path + (f"{SEPARATOR}{port.keras_name}" if port.keras_name else "")
    torch_label = port.torch.path + (f"{SEPARATOR}{port.torch.class_name}" if port.torch.class_name else "")
    section = PortSection(keras_label, torch_label, "configuration", None)
    target = Target(str(shown(root / port.torch.path)), port.torch.class_name, port.torch.args, port.torch.kwargs,
                    port.torch.has_call)
    try:
        keras = read_keras(str(shown(root / port.keras_path)), port.keras_name)
        path, module, cls = read_torch(target)
    except CommandError as error:
        section.error = str(error)
        return section
    taken.add((path.resolve(), cls.name))
    section.comparison, section.error = _comparison(keras, TorchModel(path, module, cls), target)
    return section


def shown(path: Path) -> Path:
    """A path as the report shows it: relative to the current folder when it lies below it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


# ---------------------------------------------------------------------------------- 2. docstring

def _from_docstring(model: TorchModel, root: Path, read: dict[Path, KerasFile]) -> PortSection | None:
    doc = model.cls.doc_node.value if model.cls.doc_node is not None else None
    found = PORTED_FROM.search(" ".join(doc.split())) if isinstance(doc, str) else None
    if found is None:
        return None
    name, written = found["name"], found["file"]
    section = PortSection(f"{written}{SEPARATOR}{name}", _torch_label(model), "docstring", None)
    path = _resolve(written, model.path.parent, root)
    if path is None:
        section.error = f"{written}: no such file (the docstring of {model.cls.name} says it was ported from it)"
        return section
    try:
        models = list(read[path.resolve()].models) if path.resolve() in read else read_models(path)
        keras = find_model(models, name)
    except SourceError as error:
        section.error = str(error)
        return section
    except ValueError as error:  # find_model: no such name
        section.error = f"{path.as_posix()}: {error}"
        return section
    section.keras = f"{keras.file}{SEPARATOR}{keras.name}"
    section.comparison, section.error = _comparison(keras, model, _target(model))
    return section


def _resolve(written: str, folder: Path, root: Path) -> Path | None:
    """The file the docstring names, relative to the current folder when it lies below it."""
    candidates = [Path(written)] if Path(written).is_absolute() else [folder / written, root / written]
    found = next((path for path in candidates if path.is_file()), None)
    return shown(found) if found is not None else None


# ---------------------------------------------------------------------------------- 3. names

def normalised(name: str) -> str:
    """A model's name for pairing: lower case, without `_`, without one trailing affix (NAME_AFFIXES) unless
    nothing else is left."""
    key = name.lower().replace("_", "")
    affix = next((affix for affix in NAME_AFFIXES if key.endswith(affix) and key != affix), "")
    return key[: len(key) - len(affix)]


def _by_name(torch_models: list[TorchModel], keras_files: list[KerasFile]) -> Iterator[tuple[KerasModel, TorchModel]]:
    keras_models = [model for file in keras_files for model in file.models]
    keras_names = Counter(normalised(model.name) for model in keras_models)
    torch_names = Counter(normalised(model.cls.name) for model in torch_models)
    by_name = {normalised(model.cls.name): model for model in torch_models}
    for keras in keras_models:
        key = normalised(keras.name)
        if keras_names[key] == 1 and torch_names[key] == 1:
            yield keras, by_name[key]


# ---------------------------------------------------------------------------------- comparing

def _compared(keras: KerasModel, model: TorchModel, paired_by: str) -> PortSection:
    comparison, error = _comparison(keras, model, _target(model))
    return PortSection(f"{keras.file}{SEPARATOR}{keras.name}", _torch_label(model), paired_by, comparison, error)


def _comparison(keras: KerasModel, model: TorchModel, target: Target) -> tuple[Comparison | None, str | None]:
    try:
        return compare(keras, model.path, model.module, model.cls, target), None
    except (CompareError, SummaryError, SourceError) as error:
        return None, str(error)
    except Exception as error:  # noqa: BLE001 - one pair torchport cannot follow must not stop the report
        return None, f"internal error in torchport: {type(error).__name__}: {error} (please report it)"


def _target(model: TorchModel) -> Target:
    return Target(str(model.path), model.cls.name)


def _torch_label(model: TorchModel) -> str:
    return f"{model.path.as_posix()}{SEPARATOR}{model.cls.name}"
