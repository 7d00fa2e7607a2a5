"""The verdict of the differential test on hand-made summaries: it must fail on every kind of wrong claim,
so a green fuzzing run means something."""

from __future__ import annotations

import copy
from typing import Any

import pytest

pytest.importorskip("torch")  # the oracle's records

from tests.fuzz.differential import CAUGHT, EXACT, FAILED, UNKNOWN, UNRESOLVED, judge  # noqa: E402
from tests.fuzz.oracle import Outcome  # noqa: E402
from tests.fuzz.strategies import Example  # noqa: E402
from tests.support.torch_oracle import Layer, OracleResult  # noqa: E402

EXAMPLE = Example("", "Net", ((2, 4),), ("float32",), "cli", planted="linear-in-features-mismatch", planted_line=9)
RAN = Outcome(OracleResult(
    output=(2, 3),
    layers={"": Layer("Net", ((2, 3),), 0, True), "fc": Layer("torch.nn.modules.linear.Linear", ((2, 3),), 15, False)},
    total_params=15, trainable_params=15,
))
RAISED = Outcome(None, RuntimeError("mat1 and mat2 shapes cannot be multiplied (2x4 and 5x3)"))
SUMMARY: dict[str, Any] = {"input": [[2, 4]], "output": [2, 3],
                           "layers": [{"name": "fc", "type": "Linear", "output": [2, 3], "params": 15}],
                           "total_params": 15, "findings": [], "notes": []}
ERROR = {"line": 9, "symbol": "linear-in-features-mismatch", "where": "fc (Linear)", "kind": "error",
         "message": "in_features should be 4"}


def summary(**changes: Any) -> dict[str, Any]:
    edited = copy.deepcopy(SUMMARY)
    edited.update(changes)
    return edited


def test_a_summary_equal_to_torch_is_exact() -> None:
    assert judge(EXAMPLE, RAN, summary()).kind == EXACT


@pytest.mark.parametrize("wrong", [
    {"output": [2, 4]},
    {"layers": [{"name": "fc", "type": "Linear", "output": [2, 4], "params": 15}]},
    {"layers": [{"name": "fc", "type": "Linear", "output": [2, 3], "params": 12}]},
    {"layers": [{"name": "fc2", "type": "Linear", "output": [2, 3], "params": 15}]},
    {"total_params": 16},
    {"findings": [ERROR]},
    {"notes": ["line 4: internal error: KeyError"]},
], ids=["output", "layer-shape", "layer-params", "unknown-layer", "total", "error-on-running-model", "crash"])
def test_every_wrong_claim_on_a_running_model_fails(wrong: dict[str, Any]) -> None:
    assert judge(EXAMPLE, RAN, summary(**wrong)).kind == FAILED


def test_the_pylint_plugin_must_be_silent_on_a_running_model() -> None:
    assert judge(EXAMPLE, RAN, summary(), [("linear-in-features-mismatch", 9)]).kind == FAILED
    assert judge(EXAMPLE, RAN, summary(), [("torchport-analysis-error", 1)]).kind == FAILED


def test_symbolic_dims_and_unknown_values_and_counts_are_unresolved_not_wrong() -> None:
    assert judge(EXAMPLE, RAN, summary(output=[2, "K"])).kind == UNRESOLVED
    assert judge(EXAMPLE, RAN, summary(output="?")).kind == UNRESOLVED
    assert judge(EXAMPLE, RAN, summary(total_params=None)).kind == UNRESOLVED
    assert judge(EXAMPLE, RAN, summary(layers=[{"name": "fc", "type": "Linear", "output": "?", "params": None}])).kind \
        == UNRESOLVED


def test_without_input_shapes_an_assumed_rank_is_not_compared_but_errors_still_count() -> None:
    blind = Example("", "Net", ((2, 6, 4),), ("float32",), "none")
    assumed = summary(input=[["N", 4]], output=["N", 3])

    assert judge(blind, RAN, assumed).kind == UNRESOLVED
    assert judge(blind, RAN, {**assumed, "findings": [ERROR]}).kind == FAILED


def test_torch_errors_need_the_planted_message_at_its_line_or_an_admitted_unknown() -> None:
    assert judge(EXAMPLE, RAISED, summary(findings=[ERROR])).kind == CAUGHT
    assert judge(EXAMPLE, RAISED, summary(findings=[{**ERROR, "line": 12}])).kind == FAILED
    assert judge(EXAMPLE, RAISED, summary(findings=[{**ERROR, "symbol": "conv-in-channels-mismatch"}])).kind == FAILED
    assert judge(EXAMPLE, RAISED, summary(notes=["line 7: cannot follow foo()"])).kind == UNKNOWN
    assert judge(EXAMPLE, RAISED, summary()).kind == FAILED  # silent and sure of itself
    configured = Example("", "Net", ((2, 4),), ("float32",), "pyproject", planted=EXAMPLE.planted, planted_line=9)
    assert judge(configured, RAISED, summary(findings=[ERROR]), [("linear-in-features-mismatch", 9)]).kind == CAUGHT
    assert judge(configured, RAISED, summary(findings=[ERROR]), [("norm-num-features-mismatch", 3)]).kind == FAILED
    consequence = [("linear-in-features-mismatch", 9), ("norm-num-features-mismatch", 11)]
    assert judge(configured, RAISED, summary(findings=[ERROR]), consequence).kind == CAUGHT


def test_a_view_that_silently_changes_the_batch_is_caught_only_by_its_own_message() -> None:
    """torch runs a batch of 1 through `x.view(-1, 32)` on (1, 8, 8) and returns 2 rows: view-flatten-mismatch
    at the planted line says exactly that; another message, or none while the batch changed, is judged as
    on any running model."""
    planted = Example("", "Net", ((1, 4),), ("float32",), "cli", planted="view-flatten-mismatch", planted_line=9)
    two_rows = Outcome(OracleResult(output=(2, 3), layers=RAN.result.layers, total_params=15, trainable_params=15))
    view = {**ERROR, "symbol": "view-flatten-mismatch", "where": "torch.Tensor.view"}

    assert judge(planted, two_rows, summary(findings=[view]), [("view-flatten-mismatch", 9)]).kind == CAUGHT
    assert judge(planted, two_rows, summary(findings=[{**view, "line": 12}])).kind == FAILED
    assert judge(planted, two_rows, summary(findings=[ERROR])).kind == FAILED
    one_row = Outcome(OracleResult(output=(1, 3), layers=RAN.result.layers, total_params=15, trainable_params=15))
    assert judge(planted, one_row, summary(findings=[view])).kind == FAILED  # the batch kept: a false error


def test_a_view_torch_rejects_for_strides_is_unknown_when_torchport_is_not_sure() -> None:
    """torchport tracks strides only where it is sure: silent on such a view is unknown, its message is
    caught, and that message on a model torch runs is a false error."""
    planted = Example("", "Net", ((2, 4),), ("float32",), "cli", planted="view-of-non-contiguous", planted_line=9)
    rejected = Outcome(None, RuntimeError("view size is not compatible with input tensor's size and stride (at "
                                          "least one dimension spans across two contiguous subspaces)."))
    strides = {**ERROR, "symbol": "view-of-non-contiguous", "where": "torch.Tensor.view"}

    assert judge(planted, rejected, summary()).kind == UNKNOWN
    assert judge(planted, rejected, summary(findings=[strides])).kind == CAUGHT
    assert judge(planted, RAN, summary(findings=[strides])).kind == FAILED
    assert judge(EXAMPLE, RAISED, summary()).kind == FAILED  # any other error still needs a message or an unknown
