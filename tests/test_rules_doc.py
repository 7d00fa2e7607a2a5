"""docs/rules.md is the catalogue rendered, and every catalogue entry is a complete rule page."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from torchport.advisor import cli
from torchport.messages import CATALOGUE, FAMILIES, Message, render

RULES_DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
MESSAGES = [message for family in FAMILIES.values() for message in family]
IDS = [message.symbol for message in MESSAGES]
KEBAB_CASE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
RULE_ID = re.compile(r"^[CRWEI]7[1-4](?!00)\d\d$")  # 71xx..74xx; 7100 is torchport's own F7100


def test_rules_doc_is_up_to_date() -> None:
    assert RULES_DOC.is_file(), f"docs/rules.md is missing; generate it with: {render.REGENERATE_COMMAND}"
    assert RULES_DOC.read_text(encoding="utf-8") == render.rules_document(), (
        f"docs/rules.md is out of date with torchport/messages; regenerate it with: {render.REGENERATE_COMMAND}"
    )


def test_regenerate_command_prints_the_rules_document(capsys: pytest.CaptureFixture[str]) -> None:
    argv = render.REGENERATE_COMMAND.split(">")[0].split()
    assert argv[0] == "torchport"
    assert cli.main(argv[1:]) == 0
    assert capsys.readouterr().out == render.rules_document()


def test_rules_doc_has_every_message_once_in_the_index_and_as_a_page() -> None:
    document = render.rules_document()
    for message in MESSAGES:
        assert document.count(f"\n### {message.symbol}\n") == 1
        assert document.count(f"[`{message.symbol}`](#{message.symbol})") == 1


def test_markdown_page_shows_examples_as_python_blocks_and_escapes_plain_text() -> None:
    message = Message("W7299", "demo-message", "t %s `x`", "calls __init__ | b", "what", "why", "x = 1\n", "y = 2\n")
    page = render.markdown_page(message)
    assert "### demo-message\n" in page and "**W7299** · warning · calls \\_\\_init\\_\\_ \\| b" in page
    assert "```python\nx = 1\n```" in page and "```python\ny = 2\n```" in page
    assert "Message: `` t … `x` ``" in page
    row = "| W7299 | [`demo-message`](#demo-message) | warning | calls \\_\\_init\\_\\_ \\| b |"
    assert row in render.markdown_index([message])


# --- the catalogue --------------------------------------------------------------------------------


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_message_has_a_complete_page(message: Message) -> None:
    for field in ("template", "description", "what", "why", "bad", "good"):
        assert getattr(message, field).strip(), f"{message.symbol}: empty {field}"
    assert "\n" not in message.description.strip(), f"{message.symbol}: the description must be one line"


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_message_examples_parse_as_python(message: Message) -> None:
    for field in ("bad", "good"):
        try:
            ast.parse(getattr(message, field))
        except SyntaxError as error:
            pytest.fail(f"{message.symbol}: `{field}` is not valid Python: {error}")


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_message_symbol_and_id_follow_the_conventions(message: Message) -> None:
    assert KEBAB_CASE.match(message.symbol), f"{message.symbol!r} is not kebab-case"
    if message.symbol == "torchport-analysis-error":
        assert message.msgid == "F7100"
    else:
        assert RULE_ID.match(message.msgid), f"{message.symbol}: {message.msgid} is not in 71xx-74xx"


@pytest.mark.parametrize("family", [family for family in FAMILIES if family != "core"])
def test_a_family_keeps_to_one_block_of_ids(family: str) -> None:
    blocks = {message.family_id for message in FAMILIES[family]}
    assert len(blocks) <= 1, f"family {family} spreads over the blocks {sorted(blocks)}"


def test_ids_and_symbols_are_unique() -> None:
    numbers = Counter(message.msgid[1:] for message in MESSAGES)  # pylint forbids E7101 beside W7101
    symbols = Counter(message.symbol for message in MESSAGES)
    assert [n for n, count in numbers.items() if count > 1] == []
    assert [s for s, count in symbols.items() if count > 1] == []
    assert len(CATALOGUE) == len(MESSAGES)
