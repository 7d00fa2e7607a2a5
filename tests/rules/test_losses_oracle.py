"""The losses family (72xx) against real torch.

For every message, torch shows that the catalogue's `bad` example misbehaves (a loss that cannot
approach 0, a loss that is not a likelihood, an error, a deprecation warning) while its `good`
example does not, and torchport flags `bad` with exactly that message and is silent on `good`.
The rule tables are checked too: every name they hold exists in torch and does what the table says.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from typing import Any

import pytest

from tests.support.examples import family_symbols, resolve
from torchport.messages import CATALOGUE, FAMILIES, Message
from torchport.rules import losses

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Failed to initialize NumPy": torch needs no numpy here
    torch = pytest.importorskip("torch")

F = torch.nn.functional
MESSAGES = FAMILIES["losses"]


def symbols(source: str) -> list[str]:
    return family_symbols("losses", source)


def run(source: str) -> tuple[dict[str, Any], list[warnings.WarningMessage]]:
    """Execute an example as a script; its globals and the warnings it raised."""
    namespace: dict[str, Any] = {"__name__": "__example__"}
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        exec(compile(source, "<example>", "exec"), namespace)  # noqa: S102 - our own catalogue examples
    return namespace, [w for w in caught if "NumPy" not in str(w.message)]


# ---- each message's examples -------------------------------------------------------------------------


@pytest.mark.parametrize("message", MESSAGES, ids=[m.symbol for m in MESSAGES])
def test_torchport_flags_bad_with_exactly_its_message_and_passes_good(message: Message) -> None:
    assert symbols(message.bad) == [message.symbol]
    assert symbols(message.good) == []


def test_softmax_before_cross_entropy_cannot_fit_a_separable_batch() -> None:
    message = CATALOGUE["softmax-before-cross-entropy"]
    bad, _ = run(message.bad)
    good, _ = run(message.good)
    # CrossEntropyLoss on probabilities p is -log(e^p_y / sum e^p): at best p is one-hot, which
    # leaves log(1 + (C - 1) / e) for C = 3 classes however long training runs
    floor = math.log(1 + 2 / math.e)
    assert bad["loss"].item() >= floor - 1e-6
    assert good["loss"].item() < 0.05
    assert torch.allclose(good["probabilities"].sum(dim=1), torch.ones(3))


def test_softmax_before_cross_entropy_shrinks_the_gradient_of_the_logits() -> None:
    target = torch.tensor([1])
    logits = torch.tensor([[8.0, 0.0, 0.0]], requires_grad=True)  # confidently wrong
    F.cross_entropy(logits, target).backward()
    right = logits.grad.norm().item()
    logits.grad = None
    F.cross_entropy(F.softmax(logits, dim=1), target).backward()
    through_softmax = logits.grad.norm().item()
    assert right > 1.0 and through_softmax < right / 100


def test_sigmoid_before_bce_with_logits_cannot_fit_a_separable_batch() -> None:
    message = CATALOGUE["sigmoid-before-bce-with-logits"]
    bad, _ = run(message.bad)
    good, _ = run(message.good)
    floor = math.log(1 + math.exp(-1))  # -log(sigmoid(p)) for p < 1
    assert bad["loss"].item() >= floor - 1e-6
    assert good["loss"].item() < 0.05


def test_nll_loss_on_probabilities_is_not_the_negative_log_likelihood() -> None:
    message = CATALOGUE["nll-loss-without-log-softmax"]
    bad, _ = run(message.bad)
    good, _ = run(message.good)
    for example in (bad, good):
        example["true_nll"] = F.cross_entropy(example["model"][0](example["x"]), example["y"])
    assert bad["loss"].item() < 0  # a negative "negative log-likelihood"
    assert not torch.allclose(bad["loss"], bad["true_nll"])
    assert torch.allclose(good["loss"], good["true_nll"])


def test_bce_loss_on_logits_raises_and_bce_with_logits_is_the_right_loss() -> None:
    message = CATALOGUE["bce-loss-without-sigmoid"]
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        run(message.bad)
    good, _ = run(message.good)
    logits = good["model"](good["x"])
    assert torch.allclose(good["loss"], F.binary_cross_entropy(torch.sigmoid(logits), good["y"]))


def test_softmax_without_dim_warns_and_normalises_the_wrong_dimension() -> None:
    message = CATALOGUE["softmax-without-dim"]
    bad, bad_warnings = run(message.bad)
    good, good_warnings = run(message.good)
    assert any("Implicit dimension choice" in str(w.message) for w in bad_warnings)
    assert not torch.allclose(bad["probabilities"].sum(dim=-1), torch.ones(4, 5))
    assert good_warnings == []
    assert torch.allclose(good["probabilities"].sum(dim=-1), torch.ones(4, 5))


# ---- the rule tables -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(losses.DIM_REQUIRED))
def test_dim_required_table_matches_what_torch_does_without_dim(name: str) -> None:
    position, consequence = losses.DIM_REQUIRED[name]
    target = resolve(name)
    scores = torch.randn(2, 3, 4)

    def call_without_dim() -> Any:
        return target()(scores) if position == 0 else target(scores)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if "TypeError" in consequence:
            with pytest.raises(TypeError):
                call_without_dim()
            return
        output = call_without_dim()
    assert any("Implicit dimension choice" in str(w.message) for w in caught)
    # 3-D input: the implicit choice is dim 0, the batch
    reference = resolve(name)(dim=0)(scores) if position == 0 else resolve(name)(scores, dim=0)
    assert torch.allclose(output, reference)


def _kind_of(output: torch.Tensor, dim: int = 1) -> losses.Kind | None:
    """The Kind torch's output actually has (None: plain real numbers)."""
    if ((output >= 0) & (output <= 1)).all() and torch.allclose(output.sum(dim=dim), torch.ones(())):
        return losses.Kind.PROBS
    if (output <= 0).all() and torch.allclose(output.exp().sum(dim=dim), torch.ones(())):
        return losses.Kind.LOG_PROBS
    if ((output > 0) & (output < 1)).all():
        return losses.Kind.SIGMOID_PROBS
    return None


_ACTIVATION_FUNCTIONS = {
    name: effect.produces for name, effect in losses.FUNCTION_EFFECTS.items()
    if effect.produces in (losses.Kind.PROBS, losses.Kind.LOG_PROBS, losses.Kind.SIGMOID_PROBS)
}


@pytest.mark.parametrize("name", sorted(_ACTIVATION_FUNCTIONS))
def test_activation_functions_produce_the_kind_the_table_says(name: str) -> None:
    scores = 5 * torch.randn(6, 4)
    expected = _ACTIVATION_FUNCTIONS[name]
    output = resolve(name)(scores) if expected is losses.Kind.SIGMOID_PROBS else resolve(name)(scores, dim=1)
    assert _kind_of(output) is expected


@pytest.mark.parametrize(
    ("name", "layer"),
    [("torch.nn.Softmax", {"dim": 1}), ("torch.nn.Softmin", {"dim": 1}), ("torch.nn.Softmax2d", {}),
     ("torch.nn.LogSoftmax", {"dim": 1}), ("torch.nn.Sigmoid", {})],
)
def test_activation_layers_produce_the_kind_the_table_says(name: str, layer: dict[str, int]) -> None:
    output = resolve(name)(**layer)(5 * torch.randn(6, 4, 2, 2))
    assert _kind_of(output) is losses.LAYER_EFFECTS[name].produces


def test_the_log_of_softmax_probabilities_is_log_probabilities() -> None:
    assert losses.FUNCTION_EFFECTS["torch.log"].maps == ((losses.Kind.PROBS, losses.Kind.LOG_PROBS),)
    assert _kind_of(torch.log(torch.softmax(torch.randn(6, 4), dim=1))) is losses.Kind.LOG_PROBS


# How to build each logit layer and the input shapes it takes.
_LOGIT_LAYERS: dict[str, tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]] = {
    "torch.nn.Linear": ((4, 3), ((16, 4),)),
    "torch.nn.LazyLinear": ((3,), ((16, 4),)),
    "torch.nn.Bilinear": ((4, 5, 3), ((16, 4), (16, 5))),
    **{f"torch.nn.{kind}{d}d": ((2, 3, 3), ((4, 2, *(6,) * d),))
       for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)},
    **{f"torch.nn.LazyConv{d}d": ((3, 3), ((4, 2, *(6,) * d),)) for d in (1, 2, 3)},
}
_LOGIT_FUNCTIONS: dict[str, tuple[tuple[int, ...], ...]] = {
    "torch.nn.functional.linear": ((16, 4), (3, 4)),
    "torch.nn.functional.bilinear": ((16, 4), (16, 5), (3, 4, 5)),
    **{f"torch.nn.functional.conv{d}d": ((4, 2, *(6,) * d), (3, 2, *(3,) * d)) for d in (1, 2, 3)},
}


def test_the_logit_cases_cover_the_tables() -> None:
    logits = losses.Kind.LOGITS
    assert set(_LOGIT_LAYERS) == {n for n, e in losses.LAYER_EFFECTS.items() if e.produces is logits}
    assert set(_LOGIT_FUNCTIONS) == {n for n, e in losses.FUNCTION_EFFECTS.items() if e.produces is logits}


@pytest.mark.parametrize("name", sorted(_LOGIT_LAYERS))
def test_logit_layers_output_unbounded_real_numbers(name: str) -> None:
    torch.manual_seed(0)
    arguments, shapes = _LOGIT_LAYERS[name]
    output = resolve(name)(*arguments)(*(10 * torch.randn(shape) for shape in shapes))
    assert output.min() < 0 and output.max() > 1  # neither probabilities nor log-probabilities


@pytest.mark.parametrize("name", sorted(_LOGIT_FUNCTIONS))
def test_logit_functions_output_unbounded_real_numbers(name: str) -> None:
    torch.manual_seed(0)
    output = resolve(name)(*(10 * torch.randn(shape) for shape in _LOGIT_FUNCTIONS[name]))
    assert output.min() < 0 and output.max() > 1


def test_every_table_name_exists_in_torch() -> None:
    for table in (losses.FUNCTION_EFFECTS, losses.LAYER_EFFECTS, losses.LOSSES, losses.DIM_REQUIRED):
        for name in table:
            assert callable(resolve(name)), name
    for name in losses.LAYER_EFFECTS:
        assert issubclass(resolve(name), torch.nn.Module), name
    for method in losses.METHOD_EFFECTS:
        assert callable(getattr(torch.Tensor, method)), method
    for method in losses.SELF_RETURNING_METHODS:
        assert callable(getattr(torch.nn.Module, method)), method


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_loss_table_rejects_the_kinds_torch_mishandles(name: str) -> None:
    """Feed each loss every kind of input built from the same logits: the kinds the table rejects
    give a loss different from the one the loss is meant to compute (or an error)."""
    torch.manual_seed(0)
    logits = 3 * torch.randn(8, 3)
    inputs = {
        losses.Kind.LOGITS: logits,
        losses.Kind.PROBS: torch.softmax(logits, dim=1),
        losses.Kind.SIGMOID_PROBS: torch.sigmoid(logits),
        losses.Kind.LOG_PROBS: torch.log_softmax(logits, dim=1),
    }
    binary = "binary" in name or "BCE" in name
    target = torch.randint(0, 2, (8, 3)).float() if binary else torch.randint(0, 3, (8,))
    intended = F.binary_cross_entropy_with_logits(logits, target) if binary else F.cross_entropy(logits, target)
    loss = resolve(name)() if name.rpartition(".")[2][:1].isupper() else resolve(name)
    canonical_input = {  # what each loss is meant to receive
        "CrossEntropyLoss": logits, "cross_entropy": logits, "BCEWithLogitsLoss": logits,
        "binary_cross_entropy_with_logits": logits, "NLLLoss": inputs[losses.Kind.LOG_PROBS],
        "nll_loss": inputs[losses.Kind.LOG_PROBS], "BCELoss": inputs[losses.Kind.SIGMOID_PROBS],
        "binary_cross_entropy": inputs[losses.Kind.SIGMOID_PROBS],
    }[name.rpartition(".")[2]]
    assert torch.allclose(loss(canonical_input, target), intended, atol=1e-5)
    for kind in losses.LOSSES[name]:
        try:
            value = loss(inputs[kind], target)
        except RuntimeError:
            continue  # BCELoss on logits outside [0, 1]
        assert not torch.allclose(value, intended, atol=1e-3), (name, kind)
