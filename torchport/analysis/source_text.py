"""A cheap pre-filter for rule families: does a module's source text mention any of some words?

A family whose calls all need a torch name skips a file whose text spells none of them. The text is
read once per module (weakly cached), however many families ask.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from astroid import nodes

_texts: weakref.WeakKeyDictionary[nodes.Module, str | None] = weakref.WeakKeyDictionary()


def _text(module: nodes.Module) -> str | None:
    if module not in _texts:
        try:
            with module.stream() as stream:
                _texts[module] = stream.read().decode("utf-8", errors="replace")
        except Exception:  # no source at hand (built from a string or an AST)
            _texts[module] = None
    return _texts[module]


def mentions_any(module: nodes.Module, words: Iterable[str]) -> bool:
    """Whether the module's source text holds any of `words`; True when its text cannot be read."""
    text = _text(module)
    return text is None or any(word in text for word in words)
