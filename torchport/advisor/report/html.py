"""The report as one self-contained HTML file: the terminal report (torchport.advisor.report.terminal)
recorded by rich and exported with its colours, at a fixed width, with the styles inline."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.terminal_theme import MONOKAI

from torchport.advisor.report import terminal
from torchport.advisor.report.gather import Report

WIDTH = 110  # columns: wider than a terminal, narrow enough for a laptop's browser window

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>torchport migration report</title>
<style>
body {{ color: {foreground}; background-color: {background}; margin: 2em; }}
pre {{ font-family: Menlo, 'DejaVu Sans Mono', consolas, 'Courier New', monospace; font-size: 14px;
       line-height: 1.3; }}
{stylesheet}
</style>
</head>
<body>
<pre><code>{code}</code></pre>
</body>
</html>
"""


def to_html(report: Report) -> str:
    console = Console(file=StringIO(), width=WIDTH, record=True, force_terminal=True, color_system="truecolor")
    terminal.write(report, console)
    return console.export_html(theme=MONOKAI, code_format=TEMPLATE, inline_styles=True)
