"""Every message's rule page examples: torchport flags `bad` with exactly its message and passes `good`."""

from __future__ import annotations

import pytest

from tests.support.examples import family_symbols
from torchport.messages import FAMILIES, Message

EXAMPLES = [(family, m) for family in ("structure", "losses", "keras") for m in FAMILIES[family]]


@pytest.mark.parametrize(("family", "message"), EXAMPLES, ids=[m.symbol for _, m in EXAMPLES])
def test_torchport_flags_bad_with_exactly_its_message_and_passes_good(family: str, message: Message) -> None:
    found = family_symbols(family, message.bad)
    assert found and set(found) == {message.symbol}
    assert family_symbols(family, message.good) == []


@pytest.mark.parametrize(("family", "message"), EXAMPLES, ids=[m.symbol for _, m in EXAMPLES])
def test_every_example_is_a_complete_script(family: str, message: Message) -> None:
    for source in (message.bad, message.good):
        compile(source, "<example>", "exec")
        assert "import torch" in source
