"""`torchport summary FILE[::Class[(args)]]`: a Keras / torchinfo-style summary of a model, by reading it.

Each layer with its qualified name (as `named_modules()` spells it), output shape and parameter count,
the totals, and where the input shapes and constructor arguments came from. Symbolic dims print as
expressions (`N`, `H//2`). Nothing is imported or run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from torchport.advisor.cli import CommandError
from torchport.advisor.inputs import InputError, parse_shape
from torchport.advisor.sources import SourceError, parse_file
from torchport.advisor.summarize import SummaryError, select_models, summarize
from torchport.advisor.summary_render import render_rich, to_json
from torchport.advisor.target import TargetError, parse_target
from torchport.advisor.usages import module_name

HELP = "summarise a model's layers, output shapes and parameter counts without running it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", metavar="FILE[::Class[(args)]]",
        help="the model file; `::Class` picks one model, `::Class(arg=value, ...)` gives constructor arguments "
             "as Python literals (else an instantiation seen in the project, else the defaults)",
    )
    parser.add_argument(
        "--input-shape", action="append", default=[], metavar="SHAPE",
        help="an input shape such as 64,1,28,28 or N,1,H,W; repeat once per tensor argument of forward, in order",
    )
    parser.add_argument("--format", choices=("rich", "json"), default="rich", help="output format (default: rich)")


def run(args: argparse.Namespace) -> int:
    try:
        target = parse_target(args.target)
        shapes = [parse_shape(text) for text in args.input_shape]
        path = Path(target.path)
        if not path.is_file():
            raise CommandError(f"{target.path}: {'not a file' if path.exists() else 'no such file'}")
        module = parse_file(str(path), module_name(path))
        summaries = [summarize(path, module, cls, target, shapes) for cls in select_models(module, target.class_name)]
    except (TargetError, InputError, SourceError, SummaryError) as error:
        raise CommandError(str(error)) from None
    if args.format == "json":
        sys.stdout.write(to_json(summaries) + "\n")
    else:
        render_rich(summaries, Console())
    return 0
