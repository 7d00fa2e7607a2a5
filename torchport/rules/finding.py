"""A finding: one message at one place of the analysed code, independent of any front end."""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from torchport.messages import CATALOGUE, Message


@dataclass(frozen=True)
class Finding:
    symbol: str
    node: nodes.NodeNG  # where the message points; pylint places it on this node's first line
    args: tuple[object, ...] = ()

    @property
    def message(self) -> Message:
        return CATALOGUE[self.symbol]

    @property
    def text(self) -> str:
        template = self.message.template
        return template % self.args if self.args else template

    @property
    def line(self) -> int:
        return self.node.fromlineno or 1

    @property
    def column(self) -> int:
        return self.node.col_offset or 0
