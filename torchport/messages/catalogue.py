"""The message catalogue's record type. Each family's messages live in their own module of this
package, declared as data; `torchport.messages` gathers them into the one catalogue."""

from __future__ import annotations

from dataclasses import dataclass

_CATEGORIES = {"E": "error", "W": "warning", "R": "refactor", "C": "convention", "I": "info", "F": "fatal"}


@dataclass(frozen=True)
class Message:
    """One message: pylint's id, symbol and text, plus the rule page `torchport explain` prints."""

    msgid: str  # pylint id in torchport's block, e.g. "E7101"
    symbol: str  # kebab-case, e.g. "module-super-init-missing"
    template: str  # the one-line message; `%s` placeholders take the finding's arguments
    description: str  # one sentence, shown by `pylint --list-msgs`
    what: str  # what it finds
    why: str  # why it is wrong
    bad: str  # failing example (source code)
    good: str  # the fixed code

    @property
    def severity(self) -> str:
        return _CATEGORIES[self.msgid[0]]

    @property
    def family_id(self) -> str:
        return self.msgid[1:3]
