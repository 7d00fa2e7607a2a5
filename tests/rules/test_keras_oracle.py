"""The Keras-conventions family (74xx) against real torch.

For every message, torch shows that the catalogue's `bad` example misbehaves (running statistics that
follow the last batch, dropout after eval(), the last sample taken for the last time step, a
TypeError, gradients that add up across steps, a tuple handed to a Linear, a total that keeps its
graph) while its `good` example does not, and torchport flags `bad` with exactly that message and is
silent on `good`. The rule tables are checked too: argument positions and defaults against torch's
signatures, every Keras argument against the layers that reject it, every padding rule and every fix
the messages propose against what torch computes.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import warnings
from typing import Any

import astroid
import pytest

from tests.support.examples import resolve
from torchport.analysis.layers import LAYERS
from torchport.messages import CATALOGUE, FAMILIES
from torchport.rules import run_family
from torchport.rules.keras_conventions import constructions, dropout, recurrent, training

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Failed to initialize NumPy": torch needs no numpy here
    torch = pytest.importorskip("torch")

F = torch.nn.functional
nn = torch.nn


def run(source: str) -> dict[str, Any]:
    """Execute an example as a script and return its globals."""
    namespace: dict[str, Any] = {"__name__": "__example__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<example>", "exec"), namespace)  # noqa: S102 - our own catalogue examples
    return namespace


def positional_parameters(cls: type) -> list[str]:
    """The names of a class's positional constructor parameters, self excluded."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in parameters if p.kind in kinds][1:]


# ---- each message's examples -------------------------------------------------------------------------


def test_keras_momentum_makes_the_running_mean_follow_the_last_batch() -> None:
    message = CATALOGUE["keras-batchnorm-momentum"]
    bad, good = run(message.bad), run(message.good)
    # the data has mean 5; one last batch has mean -5
    assert torch.allclose(bad["norm"].running_mean, torch.full((4,), -5.0), atol=1.0)
    assert torch.allclose(good["norm"].running_mean, torch.full((4,), 5.0), atol=0.5)


def test_torch_momentum_is_one_minus_the_keras_momentum() -> None:
    """Keras: moving = m * moving + (1 - m) * batch. torch: running = (1 - m') * running + m' * batch."""
    keras_momentum = 0.99
    norm = nn.BatchNorm1d(1, momentum=1 - keras_momentum)
    batch = torch.tensor([[1.0], [3.0]])
    norm(batch)
    assert torch.allclose(norm.running_mean, torch.tensor([keras_momentum * 0.0 + (1 - keras_momentum) * 2.0]))


def test_dropout_without_training_stays_on_after_eval() -> None:
    message = CATALOGUE["dropout-always-active"]
    bad, good = run(message.bad), run(message.good)
    assert not torch.equal(bad["first"], bad["second"])
    assert torch.equal(good["first"], good["second"])


@pytest.mark.parametrize("name", sorted(dropout.DROPOUT_FUNCTIONS))
def test_dropout_table_matches_torch(name: str) -> None:
    function = resolve(name)
    spec = dropout.DROPOUT_FUNCTIONS[name]
    parameters = list(inspect.signature(function).parameters.values())
    assert parameters[dropout.TRAINING_POSITION].name == "training"
    assert parameters[dropout.TRAINING_POSITION].default is spec.training_default
    assert issubclass(resolve("torch." + spec.layer), nn.Module)
    torch.manual_seed(0)
    spatial = {"1d": 1, "2d": 2, "3d": 3}.get(name[-2:], 2)
    x = torch.randn(4, 8, *(6,) * spatial)
    dropped = not torch.equal(function(x, 0.5), x)
    assert dropped is spec.training_default  # training=True drops; training=False never does


def test_time_major_lstm_on_batch_major_data_takes_the_last_sample_not_the_last_step() -> None:
    message = CATALOGUE["rnn-batch-first-mismatch"]
    bad, good = run(message.bad), run(message.good)
    x = good["x"]  # (4 sequences, 7 steps, 3 features), the same in both examples
    assert torch.equal(bad["x"], x)
    bad["model"].load_state_dict(good["model"].state_dict())  # the same weights
    lstm = good["model"].lstm
    with torch.no_grad():
        last_steps = torch.stack([lstm(sequence.unsqueeze(0))[0][0, -1] for sequence in x])
        assert torch.allclose(lstm(x)[0][:, -1, :], last_steps, atol=1e-6)
        assert torch.allclose(good["model"](x), good["model"].head(last_steps), atol=1e-6)
        # the time-major LSTM reads (4, 7, 3) as 4 time steps of 7 sequences: out[:, -1] is the
        # output of the last of those "sequences", the 7th time step of every real sequence
        time_major = bad["model"].lstm(x)[0][:, -1, :]
        seventh_steps = x[:, -1, :].unsqueeze(0)  # (1 sequence, 4 steps, 3 features)
        assert torch.allclose(time_major, lstm(seventh_steps)[0][0], atol=1e-6)
        assert bad["model"](x).shape == good["model"](x).shape == (4, 1)  # nothing fails
        assert not torch.allclose(bad["model"](x), good["model"](x), atol=1e-3)


def test_a_time_major_lstm_mixes_the_sequences_of_a_batch_major_batch() -> None:
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5)
    x = torch.randn(4, 7, 3)  # batch-major: 4 sequences
    changed = x.clone()
    changed[0] += 1.0  # change only the first sequence
    with torch.no_grad():
        before, after = lstm(x)[0], lstm(changed)[0]
    # read as (time=4, batch=7): row 0 is time step 0, so every later "time step" changes too
    assert not torch.allclose(before[1:], after[1:])


def test_a_default_data_loader_puts_the_batch_first() -> None:
    data = torch.utils.data.TensorDataset(torch.zeros(10, 7, dtype=torch.long), torch.zeros(10))
    tokens, labels = next(iter(torch.utils.data.DataLoader(data, batch_size=4)))
    assert tokens.shape == (4, 7) and labels.shape == (4,)
    assert nn.Embedding(3, 2)(tokens).shape == (4, 7, 2)  # still batch-major


@pytest.mark.parametrize("name", sorted(recurrent.BATCH_FIRST_POSITION))
def test_batch_first_position_and_default(name: str) -> None:
    position = recurrent.BATCH_FIRST_POSITION[name]
    arguments: list[Any] = [4, 8, 1, "tanh", True][:position] if name == "torch.nn.RNN" else [4, 8, 1, True][:position]
    assert resolve(name)(*arguments, True).batch_first is True
    assert resolve(name)(4, 8).batch_first is False


_LEADING_DIMS_FACTORIES: dict[str, Any] = {
    "torch.nn.Embedding": lambda: nn.Embedding(10, 4),
    "torch.nn.Embedding.from_pretrained": lambda: nn.Embedding.from_pretrained(torch.randn(10, 4)),
    "torch.nn.Linear": lambda: nn.Linear(6, 4),
    "torch.nn.LazyLinear": lambda: nn.LazyLinear(4),
    "torch.nn.LayerNorm": lambda: nn.LayerNorm(6),
    "torch.nn.RMSNorm": lambda: nn.RMSNorm(6),
}


@pytest.mark.parametrize("name", sorted(recurrent.LEADING_DIMS_LAYERS))
def test_leading_dims_layers_keep_the_leading_dimensions(name: str) -> None:
    layer = _LEADING_DIMS_FACTORIES.get(name, lambda: resolve(name)())()
    x = torch.randint(0, 10, (3, 5)) if "Embedding" in name else torch.randn(3, 5, 6)
    assert layer(x).shape[:2] == (3, 5)


@pytest.mark.parametrize("name", sorted(recurrent.LEADING_DIMS_FUNCTIONS))
def test_leading_dims_functions_keep_the_leading_dimensions(name: str) -> None:
    if name.endswith(".embedding"):
        assert F.embedding(torch.randint(0, 10, (3, 5)), torch.randn(10, 4)).shape == (3, 5, 4)
    else:
        assert resolve(name)(torch.randn(3, 5, 6)).shape == (3, 5, 6)


def test_layout_keeping_methods_are_tensor_methods() -> None:
    x = torch.randn(3, 5, 6)
    for method in recurrent.LAYOUT_KEEPING_METHODS - {"cuda"}:
        assert getattr(x, method)().shape == x.shape, method
    for name in recurrent.DATA_LOADERS:
        assert resolve(name) is torch.utils.data.DataLoader
    loader = inspect.signature(torch.utils.data.DataLoader.__init__)
    assert list(loader.parameters)[1 + recurrent._COLLATE_POSITION] == "collate_fn"
    assert list(loader.parameters)[1 + recurrent._BATCH_SIZE_POSITION] == "batch_size"


def test_keras_argument_example_raises_type_error() -> None:
    message = CATALOGUE["keras-argument"]
    with pytest.raises(TypeError, match="activation"):
        run(message.bad)
    assert run(message.good)["model"](torch.randn(2, 784)).shape == (2, 10)


def test_zero_grad_missing_steps_along_the_sum_of_all_gradients() -> None:
    """After the last step, θ_before = θ_after + lr * g_used. The gradient used should be the gradient of
    the loss at θ_before alone; without zero_grad it is the sum over all steps."""
    message = CATALOGUE["zero-grad-missing"]
    for source, accumulated in ((message.bad, True), (message.good, False)):
        example = run(source)
        model, x, y = example["model"], example["x"], example["y"]
        lr = example["optimizer"].param_groups[0]["lr"]
        used = [p.grad.clone() for p in model.parameters()]
        before = [p.detach() + lr * g for p, g in zip(model.parameters(), used)]
        fresh = nn.Linear(3, 1)
        with torch.no_grad():
            for target, value in zip(fresh.parameters(), before):
                target.copy_(value)
        F.mse_loss(fresh(x), y).backward()
        matches = all(torch.allclose(p.grad, g, atol=1e-6) for p, g in zip(fresh.parameters(), used))
        assert matches is not accumulated


def test_rnn_in_sequential_hands_a_tuple_to_the_next_layer() -> None:
    message = CATALOGUE["rnn-in-sequential"]
    with pytest.raises(TypeError, match="tuple"):
        run(message.bad)
    assert run(message.good)["model"](torch.randn(2, 5, 8)).shape == (2, 1)


_TUPLE_CALLS = {
    "torch.nn.RNN": (lambda: nn.RNN(8, 16), (5, 2, 8), 2),
    "torch.nn.GRU": (lambda: nn.GRU(8, 16), (5, 2, 8), 2),
    "torch.nn.LSTM": (lambda: nn.LSTM(8, 16), (5, 2, 8), 2),
    "torch.nn.LSTMCell": (lambda: nn.LSTMCell(8, 16), (2, 8), 2),
}


def test_tuple_returning_table_matches_torch() -> None:
    assert set(_TUPLE_CALLS) == set(constructions.TUPLE_RETURNING)
    for name, (factory, shape, length) in _TUPLE_CALLS.items():
        output = factory()(torch.randn(shape))
        assert isinstance(output, tuple) and len(output) == length, name
        described = constructions.TUPLE_RETURNING[name]
        assert isinstance(output[1], tuple) is ("(h_n, c_n)" in described), name


@pytest.mark.parametrize("following", [
    lambda: nn.Linear(16, 1), lambda: nn.Dropout(0.1), lambda: nn.Flatten(), lambda: nn.ReLU(),
    lambda: nn.LSTM(16, 4), lambda: nn.LayerNorm(16), lambda: nn.Softmax(dim=-1), lambda: nn.BatchNorm1d(16),
    lambda: nn.Conv1d(16, 4, 1), lambda: nn.MultiheadAttention(16, 2),
])
def test_torch_layers_fail_on_the_tuple_of_an_rnn(following: Any) -> None:
    layer = following()
    assert constructions._fails_on_a_tuple(f"torch.nn.{type(layer).__name__}")
    with pytest.raises((TypeError, AttributeError)):
        nn.Sequential(nn.LSTM(8, 16, batch_first=True), layer)(torch.randn(2, 5, 8))


def test_identity_passes_the_tuple_on_and_is_not_reported() -> None:
    output = nn.Sequential(nn.LSTM(8, 16), nn.Identity())(torch.randn(5, 2, 8))
    assert isinstance(output, tuple)
    assert not constructions._fails_on_a_tuple("torch.nn.Identity")


def test_accumulated_loss_keeps_its_graph() -> None:
    message = CATALOGUE["loss-accumulated-with-graph"]
    bad, good = run(message.bad), run(message.good)
    assert isinstance(bad["total"], torch.Tensor) and bad["total"].grad_fn is not None
    assert bad["total"].requires_grad
    assert isinstance(good["total"], float)


def test_accumulated_losses_chain_the_graphs_of_every_step() -> None:
    model = nn.Linear(3, 1)
    total = 0.0
    for _ in range(5):
        loss = F.mse_loss(model(torch.randn(4, 3)), torch.randn(4, 1))
        loss.backward()
        total = total + loss
    depth, node = 0, total.grad_fn
    while node is not None and node.name().startswith("Add"):
        depth, node = depth + 1, node.next_functions[0][0]
    assert depth >= 4  # one addition node per step, each holding its step's graph


def test_no_grad_contexts_record_no_graph() -> None:
    x = torch.randn(2, requires_grad=True)
    for name in training.NO_GRAD:
        with resolve(name)():
            assert (x * 2).grad_fn is None, name
    for name in training.GRAD_SWITCH:
        with resolve(name)(False):
            assert (x * 2).grad_fn is None, name


# ---- the optimizer and loss tables --------------------------------------------------------------


def _optimizer_classes() -> list[str]:
    return sorted(f"torch.optim.{name}" for name, obj in vars(torch.optim).items()
                  if inspect.isclass(obj) and issubclass(obj, torch.optim.Optimizer))


def _is_optimizer_call(name: str) -> bool | None:
    return training._optimizer_class(astroid.extract_node(f"import torch\n{name}([])"))


@pytest.mark.parametrize("name", _optimizer_classes())
def test_every_torch_optimizer_is_recognised(name: str) -> None:
    assert _is_optimizer_call(name) is True


def test_optimizers_are_recognised_through_their_private_modules() -> None:
    assert _is_optimizer_call("torch.optim.sgd.SGD") is True
    assert resolve("torch.optim.sgd.SGD") is torch.optim.SGD


def test_schedulers_are_not_optimizers() -> None:
    module = torch.optim.lr_scheduler
    schedulers = [f"{module.__name__}.{name}" for name, obj in vars(module).items()
                  if inspect.isclass(obj) and obj.__module__ == module.__name__ and hasattr(obj, "step")]
    assert len(schedulers) > 10
    for name in schedulers + ["torch.optim.swa_utils.SWALR", "torch.optim.swa_utils.AveragedModel"]:
        assert not issubclass(resolve(name), torch.optim.Optimizer), name
        assert _is_optimizer_call(name) is False, name


def test_optimizer_names() -> None:
    for name in ("optimizer", "optim", "opt", "g_optimizer", "optimizer_d", "opt2", "model_optimiser"):
        assert training.OPTIMIZER_NAME.match(name), name
    for name in ("options", "optimizers", "scheduler", "env", "adopt", "optimal"):
        assert not training.OPTIMIZER_NAME.match(name), name


def test_loss_tables_are_torch_losses() -> None:
    assert training.LOSS_CLASSES and training.LOSS_FUNCTIONS
    prediction, target = torch.rand(4, 3, requires_grad=True), torch.rand(4, 3)
    for name in training.LOSS_CLASSES:
        assert issubclass(resolve(name), nn.modules.loss._Loss), name
    assert F.mse_loss(prediction, target).grad_fn is not None
    for name in training.LOSS_FUNCTIONS:
        assert callable(resolve(name)), name


# ---- W7401's table --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(constructions.RUNNING_STAT_NORMS))
def test_norm_positions_and_defaults_match_torch(name: str) -> None:
    norm = constructions.RUNNING_STAT_NORMS[name]
    cls = resolve(name)
    parameters = positional_parameters(cls)
    assert parameters[norm.momentum] == "momentum"
    assert parameters[norm.track] == "track_running_stats"
    default = inspect.signature(cls.__init__).parameters["track_running_stats"].default
    assert default is norm.tracks_by_default
    assert name in LAYERS


def test_instance_norm_momentum_is_used_only_with_running_stats() -> None:
    x = torch.randn(2, 3, 8) + 4
    tracking = nn.InstanceNorm1d(3, momentum=0.99, track_running_stats=True)
    tracking(x)
    assert tracking.running_mean.abs().sum() > 1
    assert nn.InstanceNorm1d(3, momentum=0.99).running_mean is None


# ---- E7404's tables -------------------------------------------------------------------------------


def _accepts_keyword(name: str, keyword: str) -> bool:
    """Whether torch's layer takes `keyword`: by its signature, or, for classes with **kwargs, by
    building it (RNNs with sizes, the others bare)."""
    cls = resolve(name)
    parameters = inspect.signature(cls.__init__).parameters
    if keyword in parameters:
        return True
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return False
    arguments = (4, 8) if name in recurrent.BATCH_FIRST_POSITION else ()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(*arguments, **{keyword: nn.Identity()})  # a Module: nn.Container takes keywords as submodules
    except TypeError as error:
        assert keyword in str(error)
        return False
    return True


@pytest.mark.parametrize("keyword", sorted(constructions.KERAS_ARGUMENTS))
def test_keras_arguments_are_rejected_by_every_layer_not_listed_as_accepting(keyword: str) -> None:
    accepting = {name for name in LAYERS if _accepts_keyword(name, keyword)}
    expected = set(constructions.ACCEPTED.get(keyword, ())) | set(constructions._LENIENT)
    assert accepting == expected


@pytest.mark.parametrize("keyword", sorted(constructions.KERAS_ARGUMENTS))
def test_every_keras_argument_has_advice_for_any_layer(keyword: str) -> None:
    translations = constructions.KERAS_ARGUMENTS[keyword]
    assert None in translations
    assert set(translations) - {None} <= set(constructions.FAMILIES.values()) | set(LAYERS)
    for advice in translations.values():
        advice.format(value="1", function="f", layer="l")


def _takes(name: str, parameter: str) -> bool:
    cls = resolve(name)
    if name in ("torch.nn.RNN", "torch.nn.LSTM", "torch.nn.GRU"):  # built from *args, **kwargs
        return f"{parameter}:" in inspect.getdoc(cls)
    return parameter in inspect.signature(cls.__init__).parameters


@pytest.mark.parametrize("keyword", sorted(constructions.KERAS_ARGUMENTS))
def test_renamed_arguments_name_a_parameter_of_every_layer_they_are_proposed_for(keyword: str) -> None:
    """`write stride=...` for nn.Conv2d: nn.Conv2d has `stride`; layers outside the families a
    rename is given for are told to remove the argument instead."""
    renames = 0
    for name in LAYERS:
        advice = constructions.advice_for(keyword, name)
        if advice.startswith("write "):
            parameter = advice.removeprefix("write ").split("=")[0]
            assert _takes(name, parameter), (keyword, name, parameter)
            renames += 1
    assert renames or all(not a.startswith("write ") for a in constructions.KERAS_ARGUMENTS[keyword].values())


def test_keras_activation_names_map_to_torch_callables() -> None:
    for keras_name, (function, layer) in constructions.ACTIVATIONS.items():
        module = eval(layer, {"nn": nn})  # noqa: S307 - our own table
        assert isinstance(module, nn.Module), keras_name
        callable_name = function.split("(")[0]
        assert callable(eval(callable_name, {"F": F, "torch": torch})), keras_name  # noqa: S307


def test_families_cover_torch_layers() -> None:
    for table in (constructions.FAMILIES, constructions.CONVOLUTIONS, constructions.NUMERIC_PADDING):
        for name in table:
            assert name in LAYERS and issubclass(resolve(name), nn.Module), name


@pytest.mark.parametrize("name", sorted(constructions.CONVOLUTIONS) + sorted(constructions.NUMERIC_PADDING))
def test_geometry_positions_match_torch(name: str) -> None:
    geometry = constructions.CONVOLUTIONS.get(name) or constructions.NUMERIC_PADDING[name]
    parameters = positional_parameters(resolve(name))
    assert parameters[geometry.kernel] == "kernel_size"
    assert parameters[geometry.stride] == "stride"
    assert parameters[geometry.padding] == "padding"
    if geometry.dilation is not None:
        assert parameters[geometry.dilation] == "dilation"


def _conv(name: str, **arguments: Any) -> Any:
    channels = () if "Lazy" in name else (2,)
    return resolve(name)(*channels, 4, 3, **arguments)


@pytest.mark.parametrize("name", sorted(constructions.CONVOLUTIONS))
def test_convolutions_reject_strided_same_and_causal_padding(name: str) -> None:
    with pytest.raises(ValueError, match="strided"):
        _conv(name, stride=2, padding="same")
    with pytest.raises(ValueError, match="causal"):
        _conv(name, padding="causal")
    with pytest.raises(ValueError):
        _conv(name, padding="SAME")
    _conv(name, padding="same")
    _conv(name, stride=2, padding="valid")


@pytest.mark.parametrize("name", sorted(constructions.NUMERIC_PADDING))
def test_transposed_convolutions_and_pooling_fail_on_string_padding_when_called(name: str) -> None:
    dims = int(name[-2])
    if "Pool" in name:
        layer = resolve(name)(2, padding="same")
    else:
        layer = resolve(name)(*(() if "Lazy" in name else (2,)), 4, 3, padding="same")
    with pytest.raises(TypeError, match="padding"):
        layer(torch.randn(1, 2, *(8,) * dims))


def test_proposed_paddings_give_keras_output_sizes() -> None:
    for size in (8, 9, 10, 11):
        x = torch.randn(1, 2, size, size)
        for kernel in (1, 3, 5, 7):  # 'same', stride 2 or 3: ceil(n / stride), with padding = kernel_size // 2
            for stride in (2, 3):
                conv = nn.Conv2d(2, 4, kernel, stride=stride, padding=kernel // 2)
                assert conv(x).shape[-1] == math.ceil(size / stride), (size, kernel, stride)
        for pool in (2, 3):  # pooling 'same' with kernel_size == stride: ceil_mode=True
            assert nn.MaxPool2d(pool, ceil_mode=True)(x).shape[-1] == math.ceil(size / pool)
            assert nn.AvgPool2d(pool, ceil_mode=True)(x).shape[-1] == math.ceil(size / pool)
        # transposed 'same': n * stride, with the example of the advice
        assert nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1)(x).shape[-1] == size * 2


def test_causal_padding_keeps_the_length_and_never_looks_ahead() -> None:
    torch.manual_seed(0)
    kernel, dilation = 3, 2
    conv = nn.Conv1d(1, 1, kernel, dilation=dilation)
    x = torch.randn(1, 1, 12)
    left = (kernel - 1) * dilation
    output = conv(F.pad(x, (left, 0)))
    assert output.shape[-1] == 12
    later = x.clone()
    later[..., 8:] += 10.0  # change the future of step 7
    assert torch.allclose(conv(F.pad(later, (left, 0)))[..., :8], output[..., :8])


def test_padding_rule_messages() -> None:
    source = (
        "import torch.nn as nn\n"
        "a = nn.Conv2d(3, 8, 5, 2, 'same')\n"
        "b = nn.Conv1d(3, 8, kernel_size=3, dilation=2, padding='causal')\n"
        "c = nn.Conv2d(3, 8, 3, padding='same')\n"
        "d = nn.Conv2d(3, 8, 3, stride=(1, 2), padding='same')\n"
        "e = nn.Conv1d(3, 8, 5, padding='causal')\n"
    )
    found = run_family("keras", astroid.parse(source))
    texts = {finding.line: finding.text for finding in found}
    assert set(texts) == {2, 3, 5, 6}
    assert "padding=2 (kernel_size // 2" in texts[2] and "ValueError" in texts[2]
    assert "F.pad(x, (4, 0))" in texts[3]
    assert "stride=(1, 2)" in texts[5]
    assert "F.pad(x, (4, 0))" in texts[6]  # no dilation: 1
    with pytest.raises(ValueError):
        exec(compile(source, "<padding>", "exec"), {})  # noqa: S102 - the source above
