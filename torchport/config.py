"""The `[tool.torchport]` table of pyproject.toml: which rules run, their severity, excluded files.

    [tool.torchport]
    disable = ["softmax-without-dim", "E7101"]   # symbols, message ids or family names
    enable = ["losses"]                          # when given, only these run (then `disable` applies)
    exclude = ["legacy/*", "*_pb2.py"]           # globs, relative to the pyproject.toml's folder

    [tool.torchport.severity]
    softmax-without-dim = "warning"              # error, warning, refactor, convention or info

    [tool.torchport.input-shapes]                # read by `torchport summary` (torchport.advisor.inputs)
    Net = [64, 1, 28, 28]

    [tool.torchport.ports]                       # Keras models and their ports, for `torchport report`
    "keras/cnn.py::model" = "torch/cnn.py::ConvNet"   # files relative to the pyproject.toml's folder

The file is the nearest pyproject.toml above the first analysed path. An unknown key or a malformed
value is a `ConfigError` whose one-line message names the key, says what is allowed and suggests the
closest known name.
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torchport.advisor.target import SEPARATOR, Target, TargetError, parse_target
from torchport.messages import CATALOGUE, FAMILIES
from torchport.messages.keras import REPORT_NOTES

SEVERITIES = ("error", "warning", "refactor", "convention", "info")
TABLE = "[tool.torchport]"
_KEYS = ("enable", "disable", "severity", "exclude", "input-shapes", "ports")
# the notes only `torchport report` shows (keras-batchnorm-epsilon): enabled and disabled by name like a rule
NOTES = frozenset(m.symbol for m in REPORT_NOTES)


class ConfigError(ValueError):
    """A malformed `[tool.torchport]` table; the message is one line."""


@dataclass(frozen=True)
class Port:
    """An entry of `[tool.torchport.ports]`: a Keras model and its PyTorch port (paths as written, relative to
    the pyproject.toml's folder)."""

    keras_path: str
    keras_name: str | None  # None: the file's only Keras model
    torch: Target  # the file, the nn.Module class (None: the file's only model) and its arguments


@dataclass(frozen=True)
class Config:
    enabled: frozenset[str] = field(default_factory=lambda: frozenset(CATALOGUE) | NOTES)  # symbols that run
    severity: Mapping[str, str] = field(default_factory=dict)  # symbol -> overriding severity
    exclude: tuple[str, ...] = ()  # globs relative to `root`
    input_shapes: Mapping[str, Any] = field(default_factory=dict)  # validated as a table only
    ports: tuple[Port, ...] = ()
    root: Path | None = None  # the folder of the pyproject.toml (None: no file)
    source: Path | None = None  # the pyproject.toml read

    def is_enabled(self, symbol: str) -> bool:
        return symbol in self.enabled

    def severity_of(self, symbol: str) -> str:
        return self.severity.get(symbol) or CATALOGUE[symbol].severity

    def is_excluded(self, path: Path) -> bool:
        """Whether a file or folder matches an `exclude` glob: the glob is matched against its path
        relative to `root` and against each of its parent folders (so `legacy` excludes everything
        below it; `*` also matches `/`)."""
        if not self.exclude or self.root is None:
            return False
        try:
            relative = path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        parts = relative.parts
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(fnmatch.fnmatchcase(c, glob.rstrip("/")) for c in candidates for glob in self.exclude)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in `start`'s folder (or `start` itself if a folder) or above."""
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    for candidate in (directory, *directory.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def load_config(start: Path) -> Config:
    """The configuration that applies to `start` (defaults when no pyproject.toml is found)."""
    pyproject = find_pyproject(start)
    return Config() if pyproject is None else read_config(pyproject)


def read_config(pyproject: Path) -> Config:
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{pyproject}: cannot read it: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject}: not valid TOML: {error}") from None
    table = document.get("tool", {}).get("torchport", {}) if isinstance(document.get("tool"), dict) else {}
    return parse_table(table, pyproject)


def parse_table(table: Any, pyproject: Path | None = None) -> Config:
    """A Config from the contents of `[tool.torchport]`."""
    where = f"{pyproject}: " if pyproject else ""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}{TABLE} must be a table")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}{TABLE}: unknown key {key!r}{_suggest(key, _KEYS)}; "
                              f"allowed keys: {', '.join(_KEYS)}")
    enable = _rule_list(table, "enable", where)
    disable = _rule_list(table, "disable", where)
    enabled = frozenset(CATALOGUE) | NOTES if enable is None else enable
    return Config(
        enabled=enabled - (disable or frozenset()),
        severity=_severity(table.get("severity", {}), where),
        exclude=_globs(table.get("exclude", []), where),
        input_shapes=_input_shapes(table.get("input-shapes", {}), where),
        ports=_ports(table.get("ports", {}), where),
        root=pyproject.parent if pyproject else None,
        source=pyproject,
    )


def resolve_rules(names: Iterable[str]) -> frozenset[str]:
    """The symbols that rule names denote (symbol, message id or family name); KeyError(name) for an
    unknown one."""
    symbols: set[str] = set()
    for name in names:
        if name in CATALOGUE or name in NOTES:
            symbols.add(name)
        elif name.upper() in _BY_ID:
            symbols.add(_BY_ID[name.upper()])
        elif name in FAMILIES:
            symbols.update(m.symbol for m in FAMILIES[name])
        else:
            raise KeyError(name)
    return frozenset(symbols)


# ------------------------------------------------------------------------------------ values

_BY_ID = {m.msgid: m.symbol for m in (*CATALOGUE.values(), *REPORT_NOTES)}
_RULE_NAMES = (*CATALOGUE, *NOTES, *_BY_ID, *FAMILIES)


def _rule_list(table: dict[str, Any], key: str, where: str) -> frozenset[str] | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}{TABLE} {key}: must be a list of rule names (symbols such as "
                          f"\"softmax-without-dim\", ids such as \"E7101\", or families: {', '.join(FAMILIES)})")
    try:
        return resolve_rules(value)
    except KeyError as error:
        name = error.args[0]
        raise ConfigError(f"{where}{TABLE} {key}: unknown rule {name!r}{_suggest(name, _RULE_NAMES)}; "
                          f"`torchport explain` lists the rules") from None


def _severity(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{TABLE} severity: must be a table of rule = \"severity\"")
    severities: dict[str, str] = {}
    for name, level in value.items():
        try:
            symbols = resolve_rules([name])
        except KeyError:
            raise ConfigError(f"{where}[tool.torchport.severity]: unknown rule {name!r}"
                              f"{_suggest(name, _RULE_NAMES)}; `torchport explain` lists the rules") from None
        if symbols <= NOTES:
            raise ConfigError(f"{where}[tool.torchport.severity] {name}: a note of the report has no severity; "
                              f"disable it to turn it off")
        if level not in SEVERITIES:
            raise ConfigError(f"{where}[tool.torchport.severity] {name}: {level!r} is not a severity"
                              f"{_suggest(str(level), SEVERITIES)}; allowed: {', '.join(SEVERITIES)}")
        severities.update(dict.fromkeys(symbols, level))
    return severities


def _globs(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}{TABLE} exclude: must be a list of glob strings, e.g. [\"legacy/*\", \"*_pb2.py\"]")
    return tuple(value)


def _input_shapes(value: Any, where: str) -> dict[str, Any]:
    """Only the table's form is checked here; `torchport summary` parses each shape when it uses it."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}[tool.torchport.input-shapes] must be a table of Class = shape")
    for key, shape in value.items():
        if not isinstance(shape, (str, list)):
            raise ConfigError(f"{where}[tool.torchport.input-shapes] {key!r}: write a shape such as "
                              f"[64, 1, 28, 28] or \"N,1,28,28\", or a list of them")
    return value


_PORTS = "[tool.torchport.ports]"
_PORT_FORM = '"keras_file.py::name" = "torch_file.py::Class"'


def _ports(value: Any, where: str) -> tuple[Port, ...]:
    """Each entry's form only; the files are read when the report compares them."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{_PORTS} must be a table of {_PORT_FORM}")
    ports = []
    for key, port in value.items():
        path, separator, name = key.partition(SEPARATOR)
        if not path.strip() or (separator and not name.strip()):
            raise ConfigError(f"{where}{_PORTS} {key!r}: write the Keras model as \"keras_file.py::name\" "
                              f"(::name may be left out when the file has one model)")
        if not isinstance(port, str):
            raise ConfigError(f"{where}{_PORTS} {key!r}: write its port as a string, \"torch_file.py::Class\"")
        try:
            target = parse_target(port)
        except TargetError as error:
            raise ConfigError(f"{where}{_PORTS} {key!r}: {error}") from None
        ports.append(Port(path.strip(), name.strip() or None, target))
    return tuple(ports)


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""

