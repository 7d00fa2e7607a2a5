"""`torchport compare KERAS_FILE[::name] TORCH_FILE[::Class]`: a Keras model beside its PyTorch port.

Both are read, never run: the Keras model by `torchport.keras.reader`, the port by the shape
interpreter on the Keras input shape translated to torch's layout. Aligned layer by layer, each
difference marked with its kind (`torchport.keras.compare_kinds`).

Exit codes: 0 when the models are equivalent up to the framework conventions (only info notes), 1 when
they differ, 2 for usage and input errors (a missing file, a file with several models and no `::name`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from astroid import nodes
from rich.console import Console

from torchport.advisor.cli import CommandError
from torchport.advisor.sources import SourceError, parse_file
from torchport.advisor.summarize import SummaryError, select_models
from torchport.advisor.target import SEPARATOR, Target, TargetError, parse_target
from torchport.advisor.usages import module_name
from torchport.keras.compare import CompareError, compare
from torchport.keras.compare_render import render_rich, to_json
from torchport.keras.model import KerasModel
from torchport.keras.reader import find_model, read_models

HELP = "compare a Keras model with its PyTorch port, layer by layer, and mark every difference"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("keras", metavar="KERAS_FILE[::name]",
                        help="the Keras model: `::name` is its variable, function or class, needed when the file "
                             "defines several")
    parser.add_argument("torch", metavar="TORCH_FILE[::Class[(args)]]",
                        help="the port: `::Class` picks the nn.Module class, `::Class(arg=value, ...)` gives its "
                             "constructor arguments as Python literals")
    parser.add_argument("--format", choices=("rich", "json"), default="rich", help="output format (default: rich)")


def run(args: argparse.Namespace) -> int:
    keras_path, _, keras_name = args.keras.partition(SEPARATOR)
    keras = read_keras(keras_path, keras_name or None)
    try:
        target = parse_target(args.torch)
    except TargetError as error:
        raise CommandError(str(error)) from None
    path, module, cls = read_torch(target)
    try:
        comparison = compare(keras, path, module, cls, target)
    except (SourceError, SummaryError, CompareError) as error:
        raise CommandError(str(error)) from None
    if args.format == "json":
        sys.stdout.write(to_json(comparison) + "\n")
    else:
        render_rich(comparison, Console())
    return 0 if comparison.equivalent else 1


def read_keras(path_text: str, name: str | None) -> KerasModel:
    """The Keras model `name` of a file, or its only one; CommandError (one line) otherwise."""
    try:
        return find_model(read_models(existing_file(path_text)), name)
    except ValueError as error:  # find_model: no model, several models, no such name
        raise CommandError(f"{path_text}: {error}") from None
    except SourceError as error:
        raise CommandError(str(error)) from None


def read_torch(target: Target) -> tuple[Path, nodes.Module, nodes.ClassDef]:
    """The file, its syntax tree and the nn.Module class the target names (or the file's only model);
    CommandError (one line) otherwise."""
    path = existing_file(target.path)
    try:
        module = parse_file(str(path), module_name(path))
        classes = select_models(module, target.class_name)
    except (SourceError, SummaryError) as error:
        raise CommandError(str(error)) from None
    if len(classes) > 1:
        names = ", ".join(cls.name for cls in classes)
        raise CommandError(f"{target.path}: several models, name one with {target.path}::Class: {names}")
    return path, module, classes[0]


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise CommandError(f"{text}: {'not a file' if path.exists() else 'no such file'}")
    return path
