"""The command-line front of the rule engine: files -> parsed modules -> findings of every family.

    result = check_paths(["src/"])            # config from the nearest pyproject.toml
    for file in result.files:                 # FileResult: path, source, module, diagnostics
        for d in file.diagnostics:            # Diagnostic: finding + where pylint would report it
            print(d.path, d.line, d.symbol, d.message)
    result.errors                             # FileError: files that could not be read or parsed

The rules are `torchport.rules.run_family`, exactly as the pylint plugin runs them. `# pylint:`
comments are read by pylint's own code (a private PyLinter holding torchport's messages), so a
comment suppresses a finding in both fronts alike: `disable=` at the end of a line, on its own line
(to the end of the block), before any code (the whole module), `disable-next=`, ids or symbols,
`torchport` (the checker), `all` and `skip-file` (the whole file, as in pylint).
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from astroid import nodes
from pylint.lint import PyLinter
from pylint.message import Message as PylintMessage
from pylint.reporters import BaseReporter
from pylint.utils.file_state import FileState

from torchport import lint_rules
from torchport.advisor.files import discover
from torchport.advisor.sources import SourceError, parse_file
from torchport.advisor.usages import module_name
from torchport.config import Config, load_config
from torchport.messages import FAMILIES
from torchport.rules import RULES, Finding, run_family


@dataclass(frozen=True)
class Diagnostic:
    """A finding placed where pylint places it (its node's `position` for a class or function, else
    its first line); `line` is 1-based, `column` 0-based, as in pylint's output."""

    path: str  # `/`-separated
    finding: Finding
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    severity: str  # after [tool.torchport.severity]

    @property
    def symbol(self) -> str:
        return self.finding.symbol

    @property
    def msgid(self) -> str:
        return self.finding.message.msgid

    @property
    def message(self) -> str:
        return self.finding.text


@dataclass(frozen=True)
class FileResult:
    path: Path
    source: str
    module: nodes.Module
    diagnostics: tuple[Diagnostic, ...]  # in line order; suppressed and disabled findings left out
    skipped: bool = False  # `# pylint: skip-file` (or `disable=all`): no rule was run


@dataclass(frozen=True)
class FileError:
    """A file that could not be read or parsed; `message` is one line (without the path)."""

    path: Path
    message: str


@dataclass
class CheckResult:
    files: list[FileResult] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for file in self.files for d in file.diagnostics]


def check_paths(paths: Sequence[str], config: Config | None = None,
                on_file: Callable[[Path], None] | None = None) -> CheckResult:
    """Every rule over the Python files of `paths` (files and folders, see torchport.advisor.files).
    `config` defaults to the `[tool.torchport]` table that applies to the first path. Raises
    files.PathError for a path that does not exist and config.ConfigError for a bad table."""
    if config is None:
        config = load_config(Path(paths[0]) if paths else Path.cwd())
    return check_files(discover(paths, config), config, on_file)


def check_files(files: Sequence[Path], config: Config,
                on_file: Callable[[Path], None] | None = None) -> CheckResult:
    """Every rule over the given files; `on_file` is called after each (progress)."""
    result = CheckResult()
    for path in files:
        try:
            result.files.append(check_file(path, config))
        except SourceError as error:
            result.errors.append(FileError(path, str(error).removeprefix(f"{path}: ")))
        if on_file is not None:
            on_file(path)
    return result


def check_file(path: Path, config: Config) -> FileResult:
    """Every rule over one file; SourceError when it cannot be read or parsed."""
    module = parse_file(str(path), module_name(path))
    try:
        source = path.read_bytes().decode(module.file_encoding or "utf-8")
    except (OSError, UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"{path}: cannot read the file: {error}") from None
    return check_module(module, source, path, config)


def check_module(module: nodes.Module, source: str, path: Path, config: Config) -> FileResult:
    """Every enabled rule over an already parsed module (`source` is its text, for the pragmas)."""
    pragmas = _Pragmas(module, source)
    if pragmas.skip_file:
        return FileResult(path, source, module, (), skipped=True)
    diagnostics = []
    for family, messages in FAMILIES.items():
        if family not in RULES or not any(config.is_enabled(m.symbol) for m in messages):
            continue
        for finding in run_family(family, module):
            diagnostic = _diagnostic(path.as_posix(), finding, config)
            if config.is_enabled(finding.symbol) and pragmas.enabled(diagnostic.msgid, diagnostic.line):
                diagnostics.append(diagnostic)
    diagnostics.sort(key=lambda d: (d.line, d.column, d.msgid))
    return FileResult(path, source, module, tuple(diagnostics))


def _diagnostic(path: str, finding: Finding, config: Config) -> Diagnostic:
    """The location pylint's `add_message(node=...)` gives the finding."""
    node = finding.node
    position = getattr(node, "position", None)
    if position is not None:
        line, column, end_line, end_column = (position.lineno, position.col_offset,
                                              position.end_lineno, position.end_col_offset)
    else:
        line, column, end_line, end_column = node.fromlineno, node.col_offset, node.end_lineno, node.end_col_offset
    return Diagnostic(path, finding, line or 1, column or 0, end_line, end_column, config.severity_of(finding.symbol))


# ---------------------------------------------------------------------------- pylint pragmas

class _SilentReporter(BaseReporter):
    """Drops the messages pylint emits about the pragmas themselves (locally-disabled...)."""

    name = "torchport-silent"

    def handle_message(self, msg: PylintMessage) -> None:
        pass

    def _display(self, layout: object) -> None:
        pass


_linter: PyLinter | None = None


def _pragma_linter() -> PyLinter:
    """A PyLinter that knows torchport's messages, only to read `# pylint:` comments (built once)."""
    global _linter  # noqa: PLW0603 - one per process, built on first use
    if _linter is None:
        _linter = PyLinter(reporter=_SilentReporter())
        lint_rules.register(_linter)
    return _linter


class _Pragmas:
    """pylint's reading of one module's `# pylint:` comments."""

    def __init__(self, module: nodes.Module, source: str) -> None:
        linter = _pragma_linter()
        linter.set_current_module(module.name, module.file)
        linter.file_state = FileState(module.name, linter.msgs_store, module)
        linter._ignore_file = False  # noqa: SLF001 - pylint resets it per file the same way
        try:
            linter.process_tokens(list(tokenize.generate_tokens(io.StringIO(source).readline)))
        except (tokenize.TokenError, SyntaxError):
            pass  # astroid parsed the file, so this does not happen; without tokens there are no pragmas
        self.skip_file: bool = linter._ignore_file  # noqa: SLF001
        self._linter = linter
        self._state = linter.file_state

    def enabled(self, msgid: str, line: int) -> bool:
        self._linter.file_state = self._state
        return self._linter.is_message_enabled(msgid, line)
