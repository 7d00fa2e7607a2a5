"""Proven fixes: torchport.advisor.verify builds a model before and after a fix with torch on the meta
device, in a child process, and says whether the fixed model runs on the inferred input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.advisor.zoo.manifest import ZOO_DIR
from torchport.advisor.verify import BATCH, SIZES, input_plan, torch_available, verify_fix

needs_torch = pytest.mark.skipif(not torch_available(), reason="verifying runs torch (absent or hidden)")

MNIST = ZOO_DIR / "broken" / "mnist_in_features.py"


def test_symbolic_dims_become_the_batch_and_the_size_ladder() -> None:
    plan = input_plan([["N", 1, "H", "W"]], [None], {})

    assert not isinstance(plan, str)
    assert plan.candidates[0].shapes == [[BATCH, 1, SIZES[0], SIZES[0]]]
    assert plan.candidates[0].described == "N=2, H=W=32"
    assert [c.shapes[0][2] for c in plan.candidates[:len(SIZES)]] == list(SIZES)


def test_an_unknown_input_is_not_run() -> None:
    assert input_plan(["?"], [None], {}) == "no concrete input shape: input 1 is ? (give --input-shape)"


@needs_torch
def test_the_right_number_verifies_and_a_wrong_one_fails_with_torchs_message() -> None:
    before = MNIST.read_text()
    right = verify_fix(MNIST, before, before.replace("64 * 14 * 14", "9216"), "KerasMnistCNN", "",
                       [["N", 1, 28, 28]], [None])
    assert right.status == "verified", right.detail
    assert right.detail.startswith("after: runs on input (2, 1, 28, 28) (N=2), output (2, 10); before: fails: ")
