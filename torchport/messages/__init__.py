"""The one message catalogue: every message torchport can emit, keyed by symbol."""

from __future__ import annotations

from torchport.messages import core, keras, losses, shapes, structure
from torchport.messages.catalogue import Message

# family name -> its messages; a family is one checker in the pylint plugin
FAMILIES: dict[str, tuple[Message, ...]] = {
    "core": core.MESSAGES,
    "structure": structure.MESSAGES,
    "losses": losses.MESSAGES,
    "shapes": shapes.MESSAGES,
    "keras": keras.MESSAGES,
}

CATALOGUE: dict[str, Message] = {m.symbol: m for family in FAMILIES.values() for m in family}
# the notes only `torchport report` shows: no rule emits them and pylint does not know them; `torchport explain`
# prints their pages
REPORT_NOTES: dict[str, Message] = {m.symbol: m for m in keras.REPORT_NOTES}


def pylint_msgs(family: str) -> dict[str, tuple[str, str, str]]:
    """The `msgs` table of the family's pylint checker."""
    return {m.msgid: (m.template, m.symbol, m.description) for m in FAMILIES[family]}


__all__ = ["CATALOGUE", "FAMILIES", "REPORT_NOTES", "Message", "pylint_msgs"]
