"""`torchport explain [SYMBOL]`: a message's page, or the list of every message.

In a terminal the page is rich text with highlighted examples; piped or redirected it is plain text.
`--markdown` prints markdown instead: the page, or without SYMBOL the whole docs/rules.md.
"""

from __future__ import annotations

import argparse
import difflib
import sys

from rich.console import Console

from torchport.advisor.cli import CommandError
from torchport.messages import CATALOGUE, REPORT_NOTES, Message
from torchport.messages import render

HELP = "explain a message: what it finds, why it is wrong, a failing example and the fixed code"
_SUGGESTIONS = 3
_PAGES = {**CATALOGUE, **REPORT_NOTES}  # every message, and the report's notes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "message",
        nargs="?",
        metavar="SYMBOL",
        help="a message's symbol (module-super-init-missing) or id (E7101); without it, list every message",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help=f"print markdown; without SYMBOL, the whole rules document ({render.REGENERATE_COMMAND})",
    )


def run(args: argparse.Namespace) -> int:
    message = find_message(args.message) if args.message is not None else None
    if args.markdown:
        sys.stdout.write(render.markdown_page(message) if message else render.rules_document())
        return 0
    console = Console()
    if not console.is_terminal:
        messages = render.ordered_messages()
        sys.stdout.write(render.plain_page(message) if message else render.plain_index(messages))
    elif message:
        console.print(render.rich_page(message))
    else:
        console.print(render.rich_index(render.ordered_messages()))
    return 0


def find_message(query: str) -> Message:
    """The message whose symbol or id (any case) is `query`; else a CommandError naming the closest."""
    wanted = query.strip()
    by_id = {message.msgid.upper(): message for message in _PAGES.values()}
    found = _PAGES.get(wanted.lower()) or by_id.get(wanted.upper())
    if found is not None:
        return found
    closest = closest_symbols(wanted)
    hint = f"did you mean {', '.join(closest)}?" if closest else "`torchport explain` lists every message"
    raise CommandError(f"unknown message {query!r}; {hint}")


def closest_symbols(query: str) -> list[str]:
    """Symbols that contain `query`, then the most similar ones (difflib), best first."""
    lowered = query.lower()
    symbols = sorted(_PAGES)
    containing = [symbol for symbol in symbols if lowered and lowered in symbol]
    similar = difflib.get_close_matches(lowered, symbols, n=_SUGGESTIONS, cutoff=0.6)
    return list(dict.fromkeys(containing + similar))[:_SUGGESTIONS]
