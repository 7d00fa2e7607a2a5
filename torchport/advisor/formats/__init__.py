"""Output formats of `torchport check`: one module per format, each with `write(result, out)`.

Every format lists both the findings and the files that could not be read or parsed.
"""

from __future__ import annotations

import importlib
from typing import Protocol, TextIO, cast

from torchport.advisor.checking import CheckResult

# --format name == module name in this package
FORMATS: tuple[str, ...] = ("rich", "json", "sarif", "github")


class Format(Protocol):
    def write(self, result: CheckResult, out: TextIO) -> None: ...


def get_format(name: str) -> Format:
    return cast(Format, importlib.import_module(f"{__name__}.{name}"))
