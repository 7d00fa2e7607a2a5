"""`torchport explain` and the command-line dispatcher, as a user runs them."""

from __future__ import annotations

import importlib
import io
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from rich.console import Console

from torchport.advisor import cli, explain
from torchport.messages import CATALOGUE, Message, render

TORCHPORT = Path(sys.executable).with_name("torchport")  # the console script installed beside this Python
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MESSAGES = sorted(CATALOGUE.values(), key=lambda m: m.msgid)
IDS = [m.symbol for m in MESSAGES]

DEMO = Message(
    msgid="E7199",
    symbol="demo-message",
    template="demo %s",
    description="A demo | with a pipe and [bold]brackets[/bold].",
    what="A `Module` that does something.",
    why="First paragraph, long enough to be wrapped by the plain renderer " * 3 + "\n\n- a list item\n- another",
    bad="class Model(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(4, 2)  # " + "x" * 90,
    good="class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n",
)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout is not a terminal, whatever the environment running the tests says."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout behaves as a colour terminal (rich honours FORCE_COLOR)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


# --- the listing ----------------------------------------------------------------------------------


def test_explain_without_symbol_lists_every_message_one_per_line(plain: None, capsys) -> None:
    code, out, err = run_cli(capsys, "explain")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "SYMBOL", "DESCRIPTION"]
    assert len(lines) == len(CATALOGUE) + 1
    for message in CATALOGUE.values():
        row = next(line for line in lines if line.startswith(message.msgid + " "))
        assert row.split()[1] == message.symbol
        assert row.endswith(" ".join(message.description.split()))
    assert not ANSI.search(out)


def test_listing_in_a_terminal_is_a_styled_table(terminal: None, capsys) -> None:
    code, out, _ = run_cli(capsys, "explain")
    assert code == 0
    assert ANSI.search(out)
    text = ANSI.sub("", out)
    assert "Symbol" in text and "Description" in text
    for message in CATALOGUE.values():
        assert message.msgid in text and message.symbol in text


# --- one message's page ---------------------------------------------------------------------------


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_page_gives_id_severity_explanation_and_both_examples_verbatim(message: Message, plain: None, capsys) -> None:
    code, out, err = run_cli(capsys, "explain", message.symbol)
    assert code == 0 and err == ""
    assert not ANSI.search(out)
    first = out.splitlines()[0]
    assert first.split() == [message.msgid, message.symbol, f"({message.severity})"]
    flat = " ".join(out.split())
    for section in ("What it finds", "Why it is wrong", "Failing example", "Fixed code"):
        assert section in out
    assert " ".join(message.what.split()) in flat
    assert " ".join(message.why.replace("\n\n", " ").split()) in flat
    code_lines = out.splitlines()
    for example in (message.bad, message.good):
        for line in example.strip("\n").splitlines():
            assert f"    {line}".rstrip() in code_lines  # code is never wrapped: it can be copied


@pytest.mark.parametrize("query", ["F7100", "f7100", " torchport-analysis-error ", "TORCHPORT-ANALYSIS-ERROR"])
def test_message_id_and_symbol_in_any_case_find_the_same_page(query: str, plain: None, capsys) -> None:
    _, expected, _ = run_cli(capsys, "explain", "torchport-analysis-error")
    code, out, _ = run_cli(capsys, "explain", query)
    assert code == 0 and out == expected


def test_page_in_a_terminal_highlights_the_examples(terminal: None, capsys) -> None:
    code, out, _ = run_cli(capsys, "explain", "torchport-analysis-error")
    assert code == 0
    text = ANSI.sub("", out)
    assert "F7100" in text and "fatal" in text and "Failing example" in text
    comment = CATALOGUE["torchport-analysis-error"].bad
    assert re.search(r"\x1b\[[0-9;]*m" + re.escape(comment), out), "the example is not syntax-highlighted"


def test_rich_page_colours_python_keywords_and_keeps_every_code_line() -> None:
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, color_system="256", width=100).print(render.rich_page(DEMO))
    out = buffer.getvalue()
    assert re.search(r"\x1b\[[0-9;]*mclass\x1b\[0m", out), "`class` is not highlighted"
    text = ANSI.sub("", out)
    assert "super().__init__()" in text and "E7199" in text and "error" in text
    assert "`" not in text.split("What it finds")[1].split("Why it is wrong")[0], "prose is rendered as markdown"


def test_rich_index_prints_descriptions_literally_not_as_markup() -> None:
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=True, width=200).print(render.rich_index([DEMO]))
    assert "[bold]brackets[/bold]" in ANSI.sub("", buffer.getvalue())


def test_plain_page_wraps_prose_keeps_list_items_and_never_wraps_code() -> None:
    lines = render.plain_page(DEMO).splitlines()
    prose = lines[lines.index("Why it is wrong") + 1 : lines.index("Failing example")]
    assert len(prose) > 3 and all(len(line) <= 79 for line in prose)
    assert "  - a list item" in prose and "  - another" in prose
    bad_lines = lines[lines.index("Failing example") + 1 : lines.index("Fixed code")]
    assert bad_lines == [f"    {line}" for line in DEMO.bad.splitlines()] + [""]


def test_markdown_page_of_one_message(capsys) -> None:
    code, out, _ = run_cli(capsys, "explain", "--markdown", "F7100")
    assert code == 0
    assert out == render.markdown_page(CATALOGUE["torchport-analysis-error"])


# --- errors ---------------------------------------------------------------------------------------


def test_unknown_symbol_exits_2_with_one_line_naming_the_closest(capsys) -> None:
    code, out, err = run_cli(capsys, "explain", "torchport-analysis-eror")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown message 'torchport-analysis-eror'" in err
    assert "did you mean torchport-analysis-error?" in err


def test_unknown_symbol_with_nothing_close_points_to_the_listing(capsys) -> None:
    code, _, err = run_cli(capsys, "explain", "qqqq")
    assert code == 2 and err.count("\n") == 1
    assert "`torchport explain` lists every message" in err


def test_part_of_a_symbol_suggests_the_symbols_containing_it() -> None:
    assert explain.closest_symbols("analysis") == ["torchport-analysis-error"]


def test_internal_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, plain: None, capsys) -> None:
    def broken(_messages):  # type: ignore[no-untyped-def]
        raise ValueError("boom")

    monkeypatch.setattr(render, "plain_index", broken)
    code, _, err = run_cli(capsys, "explain")
    assert code == 2
    assert err == "torchport: internal error: ValueError: boom (please report it)\n"


# --- the installed console script -----------------------------------------------------------------


def test_console_script_version() -> None:
    result = subprocess.run([TORCHPORT, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"torchport {metadata.version('torchport')}"


def test_console_script_errors_never_print_a_traceback() -> None:
    for argv in (["explain", "no-such-message"], ["no-such-command"], []):
        result = subprocess.run([TORCHPORT, *argv], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, argv
        assert "Traceback" not in result.stderr and result.stderr.strip(), argv


def test_console_script_survives_a_closed_pipe() -> None:
    process = subprocess.Popen([TORCHPORT, "explain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader leaves before torchport writes, as `torchport explain | head -0`
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_every_registered_command_is_a_module_with_help_arguments_and_run() -> None:
    help_text = cli.build_parser().format_help()
    for name in cli.COMMANDS:
        module = importlib.import_module(f"torchport.advisor.{name}")
        assert module.HELP and callable(module.add_arguments) and callable(module.run)
        assert name in help_text


def test_the_report_notes_have_a_page_but_no_place_in_the_listing(plain: None, capsys) -> None:
    code, out, _ = run_cli(capsys, "explain", "i7408")
    assert code == 0
    assert out.startswith("I7408  keras-batchnorm-epsilon  (info)\n")
    assert "Keras's `BatchNormalization` adds `epsilon=1e-3`" in " ".join(out.split())
    _, listing, _ = run_cli(capsys, "explain")
    assert "I7408" not in listing  # the listing is pylint's messages
