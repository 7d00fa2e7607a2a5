"""The notes only the report shows: what a person porting from Keras should know about a line that is not
wrong. Their pages are catalogue-style messages (`torchport.messages.keras.REPORT_NOTES`, `torchport explain`);
no rule family emits them, so `torchport check` and the pylint plugin never report them.

keras-batchnorm-epsilon (I7408): a batch norm whose `eps` is Keras's default, 1e-3 (torch's is 1e-5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from astroid import nodes

from torchport.analysis.source_text import mentions_any
from torchport.fixes.edits import Source
from torchport.messages import Message
from torchport.messages.keras import REPORT_NOTES
from torchport.rules.keras_conventions.calls import Calls, module_calls
from torchport.rules.keras_conventions.common import argument, constant, is_number, shown

NOTE_CONTEXT = 1  # lines of code shown above and below a note

KERAS_EPSILON = 1e-3  # keras.layers.BatchNormalization(epsilon=1e-3)
# torch's batch norms -> the position of `eps` among their positional arguments (tests check torch's signatures)
BATCHNORM_EPS: dict[str, int] = {
    **{f"torch.nn.BatchNorm{n}d": 1 for n in (1, 2, 3)},
    **{f"torch.nn.LazyBatchNorm{n}d": 0 for n in (1, 2, 3)},
    "torch.nn.SyncBatchNorm": 1,
    "torch.nn.functional.batch_norm": 7,
}


@dataclass
class Note:
    message: Message
    line: int
    column: int  # 0-based
    text: str
    node: nodes.NodeNG = field(repr=False, compare=False)
    why_at: int | None = None  # the line of an earlier note of the same kind in the file, whose explanation applies

    @property
    def symbol(self) -> str:
        return self.message.symbol

    @property
    def excerpt(self) -> tuple[int, int]:
        """The first and last line of the code shown (the last may lie beyond the file's end)."""
        return max(1, self.line - NOTE_CONTEXT), self.line + NOTE_CONTEXT


Found = Iterator[tuple[nodes.Call, tuple[object, ...]]]  # the calls a note is about, with its template's arguments


def _keras_epsilon(calls: Calls, source: Source) -> Found:
    for call, name in calls.named(BATCHNORM_EPS):
        given = argument(call, "eps", BATCHNORM_EPS[name])
        value = constant(given)
        if is_number(value) and value == KERAS_EPSILON and isinstance(given, nodes.NodeNG):
            written = " ".join(source.text[source.start(given):source.end(given)].split())  # `1e-3`, not `0.001`
            yield call, (shown(name), written or given.as_string())


# note symbol -> what finds its calls
FINDERS: dict[str, Callable[[Calls, Source], Found]] = {
    "keras-batchnorm-epsilon": _keras_epsilon,
}
MESSAGES: dict[str, Message] = {message.symbol: message for message in REPORT_NOTES}
_TRIGGERS = ("torch",)  # every note is about a torch call, which only an import spelling "torch" brings in


def find_notes(source: Source, enabled: Callable[[str], bool]) -> list[Note]:
    """The notes of a parsed file whose symbol is `enabled`, in source order."""
    wanted = [symbol for symbol in FINDERS if enabled(symbol)]
    if not wanted or not mentions_any(source.module, _TRIGGERS):
        return []
    calls = module_calls(source.module)
    found = [Note(MESSAGES[symbol], call.fromlineno or 1, call.col_offset or 0, MESSAGES[symbol].template % args,
                  call)
             for symbol in wanted for call, args in FINDERS[symbol](calls, source)]
    return sorted(found, key=lambda note: (note.line, note.column))
