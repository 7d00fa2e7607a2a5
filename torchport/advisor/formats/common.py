"""What several output formats share."""

from __future__ import annotations

from importlib import metadata

# severity -> (SARIF level, GitHub annotation command)
LEVELS: dict[str, tuple[str, str]] = {
    "fatal": ("error", "error"),
    "error": ("error", "error"),
    "warning": ("warning", "warning"),
    "refactor": ("note", "notice"),
    "convention": ("note", "notice"),
    "info": ("note", "notice"),
}


def torchport_version() -> str:
    try:
        return metadata.version("torchport")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
