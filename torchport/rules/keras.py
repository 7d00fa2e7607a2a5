"""Rules of the Keras-conventions family (74xx): Keras habits copied into PyTorch code.

All rules start from the module's calls, found in one walk of the tree (`keras_conventions.calls`,
names resolved only for the calls a rule asks about); the rules live in
`torchport.rules.keras_conventions`.
"""

from __future__ import annotations

from collections.abc import Iterator

from astroid import nodes

from torchport.analysis.source_text import mentions_any
from torchport.rules.finding import Finding
from torchport.rules.keras_conventions import constructions, dropout, recurrent, training
from torchport.rules.keras_conventions.calls import module_calls

# Every rule needs a torch name (which only an import spelling "torch" can bring into a file) or a
# backward() call; a file whose text holds neither is not walked.
_TRIGGERS = ("torch", "backward")


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the Keras-conventions family in one module."""
    if not mentions_any(module, _TRIGGERS):
        return
    calls = module_calls(module)
    yield from constructions.check(calls)
    yield from dropout.check(calls)
    yield from recurrent.check(calls)
    yield from training.check(calls)
