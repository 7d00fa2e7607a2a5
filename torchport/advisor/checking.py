"""The command-line front of the rule engine: files -> parsed modules -> findings of every family.

    result = check_paths(["src/"])            # config from the nearest pyproject.toml
    for file in result.files:                 # FileResult: path, diagnostics (and source, module)
        for d in file.diagnostics:            # Diagnostic: a finding where pylint would report it
            print(d.path, d.line, d.symbol, d.message)
    result.errors                             # FileError: files that could not be read or parsed

`check_files` can analyse files in worker processes (`jobs`, torchport.advisor.parallel) and reuse
the results of unchanged files (`cache`, torchport.advisor.cache); either way the result is the
one a serial run gives, in the same order. Results that crossed a process or came from the cache
are plain data: their FileResult has no source or module and their Diagnostics no finding.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from astroid import nodes
from pylint.lint import PyLinter
from pylint.message import Message as PylintMessage
from pylint.reporters import BaseReporter
from pylint.utils.file_state import FileState

from torchport import lint_rules
from torchport.advisor import dependencies, parallel
from torchport.advisor.files import discover
from torchport.advisor.sources import SourceError, parse_file
from torchport.advisor.usages import module_name
from torchport.config import Config, load_config
from torchport.messages import CATALOGUE, FAMILIES, Message
from torchport.rules import RULES, Finding, run_family

if TYPE_CHECKING:
    from torchport.advisor.cache import Cache


@dataclass(frozen=True)
class Diagnostic:
    """A finding placed where pylint places it (its node's `position` for a class or function, else
    its first line); `line` is 1-based, `column` 0-based, as in pylint's output."""

    path: str  # `/`-separated
    symbol: str
    message: str  # the finding's text
    line: int
    column: int
    end_line: int | None
    end_column: int | None
    severity: str  # after [tool.torchport.severity]
    finding: Finding | None = field(default=None, compare=False, repr=False)  # None once plain data

    @property
    def definition(self) -> Message:
        """The catalogue's entry of the message."""
        return CATALOGUE[self.symbol]

    @property
    def msgid(self) -> str:
        return CATALOGUE[self.symbol].msgid

    def plain(self) -> Diagnostic:
        return replace(self, finding=None)


@dataclass(frozen=True)
class FileResult:
    path: Path
    diagnostics: tuple[Diagnostic, ...]  # in line order; suppressed and disabled findings left out
    skipped: bool = False  # `# pylint: skip-file` (or `disable=all`): no rule was run
    source: str | None = field(default=None, compare=False, repr=False)  # None once plain data
    module: nodes.Module | None = field(default=None, compare=False, repr=False)

    def plain(self) -> FileResult:
        """The result without the syntax tree and the source, as it crosses processes and the cache."""
        return FileResult(self.path, tuple(d.plain() for d in self.diagnostics), self.skipped)


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


# one file's result and the files its analysis depended on (None: not recorded)
Analysed = tuple[FileResult | FileError, dict[str, str | None] | None]


def check_paths(paths: Sequence[str], config: Config | None = None,
                on_file: Callable[[Path], None] | None = None) -> CheckResult:
    """Every rule over the Python files of `paths` (files and folders, see torchport.advisor.files).
    `config` defaults to the `[tool.torchport]` table that applies to the first path. Raises
    files.PathError for a path that does not exist and config.ConfigError for a bad table."""
    if config is None:
        config = load_config(Path(paths[0]) if paths else Path.cwd())
    return check_files(discover(paths, config), config, on_file)


def check_files(files: Sequence[Path], config: Config, on_file: Callable[[Path], None] | None = None,
                jobs: int | None = 1, cache: Cache | None = None) -> CheckResult:
    """Every rule over the given files, in their order; `on_file` is called after each (progress).
    `jobs` > 1 analyses them in that many worker processes (None: parallel.auto_jobs of the files the
    cache does not answer for); `cache` answers for unchanged files and keeps the new results. A file
    torchport crashes on is a FileError naming the crash."""
    outcomes: dict[int, FileResult | FileError] = {}
    for index, path in enumerate(files):
        hit = cache.get(path) if cache is not None else None
        if hit is not None:
            outcomes[index] = hit
            if on_file is not None:
                on_file(path)
    missing = [index for index in range(len(files)) if index not in outcomes]
    processes = parallel.auto_jobs(len(missing)) if jobs is None else jobs
    if processes > 1:
        missing.sort(key=lambda index: -_size(files[index]))  # largest first: no long file left for the end

    def done(position: int, analysed: Analysed) -> None:
        path, (outcome, looked_up) = files[missing[position]], analysed
        outcomes[missing[position]] = outcome
        if cache is not None and looked_up is not None:
            cache.put(path, outcome, looked_up)  # as it comes: an interrupted run keeps what it did
        if on_file is not None:
            on_file(path)

    parallel.map_ordered(analyse_file, [files[index] for index in missing], processes, _crashed, done,
                         setup=_set_up_worker, setup_args=(config, cache is not None))
    result = CheckResult()
    for index in range(len(files)):
        outcome = outcomes[index]
        (result.errors if isinstance(outcome, FileError) else result.files).append(outcome)
    return result


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# the worker's settings (set by _set_up_worker, in every process that analyses files)
_worker_config: Config = Config()
_worker_records = False


def _set_up_worker(config: Config, record: bool) -> None:
    global _worker_config, _worker_records  # noqa: PLW0603 - one configuration per worker process
    _worker_config, _worker_records = config, record
    if record:
        dependencies.start_recording()


def analyse_file(path: Path) -> Analysed:
    """One file with the worker's settings, as plain data, with the files its analysis depended on
    (path -> content hash, None for a file looked for and absent) when recording; internal errors
    become a FileError rather than escaping."""
    try:
        outcome: FileResult | FileError = check_file(path, _worker_config).plain()
    except SourceError as error:
        outcome = FileError(path, str(error).removeprefix(f"{path}: "))
    except Exception as error:  # noqa: BLE001 - one file's crash is reported for that file
        return _crashed(path, f"{type(error).__name__}: {error}")
    return outcome, dependencies.of(path) if _worker_records else None


def _crashed(path: Path, reason: str) -> Analysed:
    return FileError(path, " ".join(f"torchport crashed on this file: {reason} (please report it)".split())), None


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
        return FileResult(path, (), skipped=True, source=source, module=module)
    diagnostics = []
    for family, messages in FAMILIES.items():
        if family not in RULES or not any(config.is_enabled(m.symbol) for m in messages):
            continue
        for finding in run_family(family, module):
            diagnostic = _diagnostic(path.as_posix(), finding, config)
            if config.is_enabled(finding.symbol) and pragmas.enabled(diagnostic.msgid, diagnostic.line):
                diagnostics.append(diagnostic)
    diagnostics.sort(key=lambda d: (d.line, d.column, d.msgid))
    return FileResult(path, tuple(diagnostics), source=source, module=module)


def _diagnostic(path: str, finding: Finding, config: Config) -> Diagnostic:
    """The location pylint's `add_message(node=...)` gives the finding."""
    node = finding.node
    position = getattr(node, "position", None)
    if position is not None:
        line, column, end_line, end_column = (position.lineno, position.col_offset,
                                              position.end_lineno, position.end_col_offset)
    else:
        line, column, end_line, end_column = node.fromlineno, node.col_offset, node.end_lineno, node.end_col_offset
    return Diagnostic(path, finding.symbol, finding.text, line or 1, column or 0, end_line, end_column,
                      config.severity_of(finding.symbol), finding)


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
