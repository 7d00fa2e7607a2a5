"""E7402: functional dropout in a Module method that does not follow model.train()/model.eval()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from torchport.analysis.modules import is_module_class
from torchport.rules.finding import Finding
from torchport.rules.keras_conventions.calls import Calls
from torchport.rules.keras_conventions.common import ABSENT, argument, enclosing_method, shown


class Dropout(NamedTuple):
    training_default: bool  # the function's default for `training`
    layer: str  # the Module that follows model.train()/eval() instead


_F = "torch.nn.functional."
DROPOUT_FUNCTIONS: dict[str, Dropout] = {
    _F + "dropout": Dropout(True, "nn.Dropout"),
    _F + "dropout1d": Dropout(True, "nn.Dropout1d"),
    _F + "dropout2d": Dropout(True, "nn.Dropout2d"),
    _F + "dropout3d": Dropout(True, "nn.Dropout3d"),
    _F + "alpha_dropout": Dropout(False, "nn.AlphaDropout"),
    _F + "feature_alpha_dropout": Dropout(False, "nn.FeatureAlphaDropout"),
}
TRAINING_POSITION = 2  # input, p, training
_CONSEQUENCES = {
    True: "it defaults to training=True, so it keeps dropping activations after model.eval()",
    False: "it defaults to training=False, so it never drops anything, not even in training",
}


def check(calls: Calls) -> Iterator[Finding]:
    """Findings of E7402 among the calls of a module."""
    for call, name in calls.named(DROPOUT_FUNCTIONS):
        if argument(call, "training", TRAINING_POSITION) is not ABSENT:
            continue
        method = enclosing_method(call)
        if method is None or not is_module_class(method.parent):
            continue
        spec = DROPOUT_FUNCTIONS[name]
        layer = f"an {spec.layer}(...) layer built in __init__"
        yield Finding("dropout-always-active", call,
                      (shown(name), method.name, _CONSEQUENCES[spec.training_default], layer))
