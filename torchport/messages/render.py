"""Render catalogue messages: one page layout, three outputs.

A message's page is its heading, its one-line description and the sections of `SECTIONS`. The same
layout is written as markdown (docs/rules.md, `torchport explain --markdown`), as rich renderables
(a terminal: prose through rich's markdown, examples syntax-highlighted) and as plain text (stdout
piped or redirected: nothing but text, code unwrapped so it can be copied).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from torchport.messages import FAMILIES
from torchport.messages.catalogue import Message

# (section title, Message attribute, whether it holds Python source) in page order
SECTIONS: tuple[tuple[str, str, bool], ...] = (
    ("What it finds", "what", False),
    ("Why it is wrong", "why", False),
    ("Failing example", "bad", True),
    ("Fixed code", "good", True),
)

# Heading words of each family in docs/rules.md; a family missing here is titled by its name.
FAMILY_TITLES: dict[str, str] = {
    "structure": "Structure: how a Module is built",
    "losses": "Losses: activations that do not match their loss",
    "keras": "Keras conventions: habits copied from Keras",
    "core": "torchport itself",
}

# rich style of each severity (Message.severity)
SEVERITY_STYLES: dict[str, str] = {
    "error": "bold red",
    "fatal": "bold magenta",
    "warning": "bold yellow",
    "refactor": "bold blue",
    "convention": "bold blue",
    "info": "bold green",
}

REGENERATE_COMMAND = "torchport explain --markdown > docs/rules.md"
_SYNTAX_THEME = "monokai"
_PLAIN_WIDTH = 79
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def ordered_messages() -> list[Message]:
    """Every message, family by family (torchport's own last), by id within a family."""
    return [message for _, messages in _ordered_families() for message in messages]


def shown_template(message: Message) -> str:
    """The message as pylint prints it, with `…` for each argument."""
    return message.template.replace("%s", "…")


# --- markdown -----------------------------------------------------------------------------------


def markdown_page(message: Message) -> str:
    """The message's page as markdown, a level-3 section whose anchor is the symbol."""
    lines = [
        f"### {message.symbol}",
        "",
        f"**{message.msgid}** · {message.severity} · {markdown_text(message.description)}",
        "",
        f"Message: {inline_code(shown_template(message))}",
        "",
    ]
    for title, attribute, is_code in SECTIONS:
        body = getattr(message, attribute).strip("\n")
        lines += [f"**{title}**", ""]
        lines += ["```python", body, "```"] if is_code else [body]
        lines.append("")
    return "\n".join(lines)


def markdown_index(messages: Iterable[Message]) -> str:
    """A markdown table of messages, each symbol linking to its page."""
    rows = ["| Id | Symbol | Severity | Description |", "|---|---|---|---|"]
    rows += [
        f"| {m.msgid} | [`{m.symbol}`](#{m.symbol}) | {m.severity} | {markdown_text(m.description)} |"
        for m in messages
    ]
    return "\n".join(rows) + "\n"


def rules_document() -> str:
    """The whole docs/rules.md: an index of every message, then the pages family by family."""
    parts = [
        f"<!-- Generated from torchport/messages by `{REGENERATE_COMMAND}`: do not edit by hand. -->",
        "",
        "# torchport's messages",
        "",
        "Every message torchport's pylint plugin can emit (`pylint --load-plugins=torchport.lint_rules`).",
        "`torchport explain SYMBOL` prints the same page in a terminal; disable a message with",
        "`# pylint: disable=SYMBOL` on its line or `--disable=SYMBOL`.",
        "",
        markdown_index(ordered_messages()),
    ]
    for family, messages in _ordered_families():
        parts += [f"## {_family_heading(family, messages)}", ""]
        parts += [markdown_page(message) for message in messages]
    return "\n".join(parts).rstrip("\n") + "\n"


def markdown_text(text: str) -> str:
    """Plain text (a description) on one markdown line: `__init__` must not turn bold."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def inline_code(text: str) -> str:
    """Inline markdown code that a backtick inside `text` cannot end early."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


# --- rich (terminal) ------------------------------------------------------------------------------


def rich_page(message: Message) -> RenderableType:
    """The message's page for a terminal: styled heading, prose, highlighted examples."""
    heading = Text.assemble(
        (message.msgid, "bold"),
        "  ",
        (message.symbol, "bold cyan"),
        "  ",
        (message.severity, SEVERITY_STYLES.get(message.severity, "bold")),
    )
    parts: list[RenderableType] = [
        heading,
        Text(message.description, style="italic"),
        Text.assemble(("Message: ", "dim"), shown_template(message)),
    ]
    for title, attribute, is_code in SECTIONS:
        body = getattr(message, attribute).strip("\n")
        content: RenderableType = (
            Syntax(body, "python", theme=_SYNTAX_THEME, background_color="default", word_wrap=True)
            if is_code
            else Markdown(body)
        )
        parts += [Text(""), Text(title, style="bold underline"), Padding(content, (0, 0, 0, 2))]
    return Group(*parts)


def rich_index(messages: Sequence[Message]) -> Table:
    """The list of messages as a terminal table."""
    table = Table(box=box.SIMPLE_HEAD, title="torchport messages", title_justify="left")
    table.add_column("Id", no_wrap=True)
    table.add_column("Symbol", style="cyan", no_wrap=True)
    table.add_column("Description")
    for message in messages:
        style = SEVERITY_STYLES.get(message.severity, "")
        table.add_row(Text(message.msgid, style=style), Text(message.symbol), Text(message.description))
    return table


# --- plain text ---------------------------------------------------------------------------------


def plain_page(message: Message) -> str:
    """The message's page as plain text: prose wrapped and indented, code indented but unwrapped."""
    lines = [
        f"{message.msgid}  {message.symbol}  ({message.severity})",
        message.description,
        f"Message: {shown_template(message)}",
    ]
    for title, attribute, is_code in SECTIONS:
        body = getattr(message, attribute).strip("\n")
        lines += ["", title]
        lines += [f"    {line}".rstrip() for line in body.splitlines()] if is_code else _wrapped(body, "  ")
    return "\n".join(lines) + "\n"


def plain_index(messages: Sequence[Message]) -> str:
    """The list of messages as aligned columns, one message a line (easy to grep)."""
    header = ("ID", "SYMBOL", "DESCRIPTION")
    rows = [header] + [(m.msgid, m.symbol, " ".join(m.description.split())) for m in messages]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return "".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}\n" for a, b, c in rows)


def _wrapped(prose: str, indent: str) -> list[str]:
    """Prose wrapped paragraph by paragraph; lines starting a list item (`- `) stay their own."""
    lines: list[str] = []
    for paragraph in prose.split("\n\n"):
        items: list[str] = []
        for line in paragraph.splitlines():
            if line.lstrip().startswith(("- ", "* ")) or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        if lines:
            lines.append("")
        for item in items:
            hanging = indent + "  " if item.startswith(("- ", "* ")) else indent
            lines += textwrap.wrap(item, _PLAIN_WIDTH, initial_indent=indent, subsequent_indent=hanging) or [""]
    return lines


# --- families -----------------------------------------------------------------------------------


def _ordered_families() -> list[tuple[str, list[Message]]]:
    """Families that have messages, in catalogue order with torchport's own (`core`) last."""
    order = sorted(FAMILIES, key=lambda family: family == "core")
    return [
        (family, sorted(FAMILIES[family], key=lambda m: (m.msgid[1:], m.msgid)))
        for family in order
        if FAMILIES[family]
    ]


def _family_heading(family: str, messages: Sequence[Message]) -> str:
    title = FAMILY_TITLES.get(family, family.capitalize())
    blocks = sorted({f"{m.family_id}xx" for m in messages})
    return f"{title} ({', '.join(blocks)})" if family != "core" else title
