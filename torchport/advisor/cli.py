"""The `torchport` command: a thin dispatcher over one module per subcommand.

A command is a module of `torchport.advisor` named in `COMMANDS` (the one registration line) that
provides `HELP` (one line), `add_arguments(parser)` and `run(args) -> int`. Commands are imported
only when the command line is built, so this module stays free of their dependencies.

Exit codes: what the command returns (0 when all is well); 2 for usage and input errors
(`CommandError`, argparse's own) and for internal errors, which print one line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import Protocol, cast

# subcommand name == module name under torchport.advisor
COMMANDS: tuple[str, ...] = ("explain", "summary", "check", "fix", "report", "port", "compare")

USAGE_ERROR = 2


class CommandError(Exception):
    """A usage or input error: its text is printed as one line and torchport exits with 2."""


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        exit_code = args.command_module.run(args)
        sys.stdout.flush()
        return exit_code
    except CommandError as error:
        print(f"torchport: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print("torchport: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`torchport explain | head`): silence the final flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:  # noqa: BLE001 - a command-line tool reports, it does not dump a traceback
        print(f"torchport: internal error: {type(error).__name__}: {error} (please report it)", file=sys.stderr)
        return USAGE_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torchport",
        description="Static linter and migration advisor for PyTorch models ported from Keras.",
    )
    parser.add_argument("--version", action="version", version=f"torchport {_version()}")
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = cast(Command, importlib.import_module(f"torchport.advisor.{name}"))
        command = subcommands.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(command_module=module)
    return parser


def _version() -> str:
    try:
        return metadata.version("torchport")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "(not installed)"

