"""`torchport port KERAS_FILE[::name]`: write the PyTorch nn.Module for a Keras model read from source.

The code goes to stdout (or `--output FILE`); what could not be translated goes to stderr, one line
each, and is marked `TODO(torchport)` in the code. Nothing is imported or run.
"""

from __future__ import annotations

import argparse
import keyword
import sys
from pathlib import Path

from torchport.advisor.cli import CommandError
from torchport.advisor.sources import SourceError
from torchport.advisor.target import TargetError, parse_target
from torchport.keras.port import port
from torchport.keras.reader import find_model, read_models

HELP = "write the PyTorch nn.Module for a Keras model: layers, sizes, data flow, logits out"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", metavar="KERAS_FILE[::name]",
        help="the file defining the Keras model; `::name` picks one (the variable, function or class defining it)",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the module to FILE (default: stdout)")
    parser.add_argument("--class-name", metavar="NAME", help="the torch class's name (default: from the model's)")


def run(args: argparse.Namespace) -> int:
    try:
        target = parse_target(args.target)
        if target.has_call:
            raise CommandError(f"{args.target}: write KERAS_FILE::name, without arguments")
        path = Path(target.path)
        if not path.is_file():
            raise CommandError(f"{target.path}: {'not a file' if path.exists() else 'no such file'}")
        model = find_model(read_models(path), target.class_name)
    except (TargetError, SourceError) as error:
        raise CommandError(str(error)) from None
    except ValueError as error:  # find_model: none, several, or no such name
        raise CommandError(f"{target.path}: {error}") from None
    if args.class_name is not None and (not args.class_name.isidentifier() or keyword.iskeyword(args.class_name)):
        raise CommandError(f"--class-name {args.class_name!r} is not a Python identifier")
    if args.output is not None and Path(args.output).resolve() == path.resolve():
        raise CommandError(f"--output {args.output} is the Keras file itself: write the port to another file")
    ported = port(model, args.class_name)
    if args.output is None:
        sys.stdout.write(ported.source)
    else:
        try:
            Path(args.output).write_text(ported.source, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{args.output}: cannot write: {error.strerror or error}") from None
    for note in (*model.notes, *ported.notes):
        print(f"torchport: note: {note}", file=sys.stderr)
    return 0
