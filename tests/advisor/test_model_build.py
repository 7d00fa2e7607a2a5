"""A model built once and traced several times (`ModelBuild`) gives exactly the traces a fresh build
per trace gives: forward runs on a copy of the built state, so what one trace changes (attributes set
in forward, a child replaced, a lazy layer's parameters, constants of the module) never reaches the next.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import asdict
from typing import Any

from torchport.advisor.dims import UNKNOWN
from torchport.advisor.interpreter import ModelBuild, Trace, trace_model
from torchport.advisor.state import Budget
from torchport.advisor.sources import parse_text
from torchport.advisor.summary_model import layer_rows, nesting, notes, param_count
from torchport.advisor.values import TensorValue

_ids = itertools.count()

SOURCE = """
import torch
import torch.nn as nn

SIZES = [8, 4]


class Head(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.fc = nn.Linear(i, o)
        self.calls = 0

    def forward(self, x):
        self.calls = self.calls + 1
        return self.fc(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Linear(16, 16)
        self.pair = nn.ModuleList([self.shared, self.shared])
        self.lazy = nn.LazyLinear(SIZES[0])
        self.head = Head(SIZES[0], SIZES[1])
        self.seen = []

    def forward(self, x):
        self.seen.append(x)
        for layer in self.pair:
            x = layer(x)
        x = self.lazy(x)
        if self.training:
            self.head = Head(SIZES[0], 2)
        SIZES.append(len(self.seen))
        return self.head(x)
"""


def _model(source: str = SOURCE, name: str = "Net") -> Any:
    module = parse_text(textwrap.dedent(source), f"model_build_case_{next(_ids)}")
    return next(c for c in module.body if getattr(c, "name", None) == name)


def _seen(trace: Trace) -> dict[str, Any]:
    """What a user sees of a trace: every layer row, the output, the parameter counts, the notes."""
    return {
        "rows": [asdict(row) for row in layer_rows(trace)],
        "output": nesting(trace.output),
        "params": param_count(trace.root) if trace.root is not None else None,
        "notes": notes(trace),
        "calls": len(trace.module_calls),
        "ops": len(trace.op_calls),
    }


RUNS = [
    ([TensorValue(UNKNOWN)], False),
    ([TensorValue((2, 16))], None),
    ([TensorValue((3, 16))], True),
    ([TensorValue((2, 16))], None),
]


def test_each_trace_of_one_build_equals_a_fresh_build_and_trace() -> None:
    cls = _model()
    model = ModelBuild(cls, [], {})
    for inputs, training in RUNS:
        assert _seen(model.trace(inputs, training)) == _seen(trace_model(cls, [], {}, inputs, training=training))


def test_the_build_alone_is_not_changed_by_later_traces() -> None:
    cls = _model()
    model = ModelBuild(cls, [], {})
    built = _seen(model.trace(None))
    for inputs, training in RUNS:
        model.trace(inputs, training)
    assert _seen(model.trace(None)) == built == _seen(trace_model(cls, [], {}, None))


def test_the_last_trace_runs_on_the_built_state_and_still_matches() -> None:
    cls = _model()
    model = ModelBuild(cls, [], {})
    first = _seen(model.trace([TensorValue(UNKNOWN)], False))
    last = _seen(model.trace([TensorValue((2, 16))], None, last=True))
    assert first == _seen(trace_model(cls, [], {}, [TensorValue(UNKNOWN)], training=False))
    assert last == _seen(trace_model(cls, [], {}, [TensorValue((2, 16))], training=None))


def test_shared_submodules_stay_shared_in_a_copy() -> None:
    trace = ModelBuild(_model(), [], {}).trace([TensorValue((2, 16))], False)
    modules = dict(trace.root.named_modules())
    assert "pair.0" not in modules  # the ModuleList holds `shared` itself: named once, counted once
    assert trace.root.children["pair"].children["0"] is trace.root.children["shared"]


def test_a_build_that_stops_stops_every_trace_the_same_way() -> None:
    source = """
import torch.nn as nn

def grow(n):
    return grow(n + 1) + grow(n + 2)

class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, grow(0))

    def forward(self, x):
        return self.fc(x)
"""
    cls = _model(source, "Deep")
    model = ModelBuild(cls, [], {}, Budget(max_steps=2000))
    inputs = [TensorValue((2, 4))]
    traced = model.trace(inputs, False)
    fresh = trace_model(cls, [], {}, inputs, Budget(max_steps=2000), training=False)
    assert traced.stopped == fresh.stopped == "stopped: more than 2000 evaluation steps"
    assert _seen(traced) == _seen(fresh)


MODE_FREE = """
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 4)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        return self.drop(self.fc(x))
"""


def test_a_forward_that_never_reads_training_is_run_once_for_both_modes() -> None:
    """The plugin probes in eval mode and then checks in either mode on the same unknown inputs: when forward
    never reads `module.training`, both are the same run, so the second is the first's trace."""
    cls = _model(MODE_FREE)
    model = ModelBuild(cls, [], {})
    probe = model.trace([TensorValue(UNKNOWN)], training=False)
    checked = model.trace([TensorValue(UNKNOWN)], training=None, last=True)

    assert checked is probe
    assert _seen(checked) == _seen(trace_model(cls, [], {}, [TensorValue(UNKNOWN)], training=None))


def test_a_forward_that_reads_training_is_run_again_in_the_other_mode() -> None:
    cls = _model()
    model = ModelBuild(cls, [], {})
    probe = model.trace([TensorValue(UNKNOWN)], training=False)
    checked = model.trace([TensorValue(UNKNOWN)], training=None, last=True)

    assert checked is not probe
    assert _seen(checked) == _seen(trace_model(cls, [], {}, [TensorValue(UNKNOWN)], training=None))
    assert _seen(checked) != _seen(probe)  # the training branch replaces the head: the modes differ
