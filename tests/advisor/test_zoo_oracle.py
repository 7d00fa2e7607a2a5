"""The model zoo against torch: every correct model runs on the meta device with the shapes its manifest
entry states, every broken variant fails where its entry says, and the entry's one-number fix makes it run.

These tests check the zoo and the oracle that torchport's shape inference will be compared with.
"""

from __future__ import annotations

import ast

import pytest

pytest.importorskip("torch")  # the oracle; skipped where torch is absent or hidden (--without-torch)

from tests.advisor.zoo.manifest import BROKEN, ZOO, BrokenModel, ZooModel  # noqa: E402
from tests.support.torch_oracle import (  # noqa: E402
    OracleResult,
    compare_summary,
    error_line,
    forward_error,
    run_model,
)

NEVER_CALLED = {
    # containers: torch calls their children one by one
    "torch.nn.modules.container.ModuleList",
    "torch.nn.modules.container.ModuleDict",
    # MultiheadAttention's out_proj: F.multi_head_attention_forward reads its weight and bias directly
    "torch.nn.modules.linear.NonDynamicallyQuantizableLinear",
}

_results: dict[str, OracleResult] = {}


def oracle(model: ZooModel) -> OracleResult:
    """The oracle's result for a zoo entry, computed once per test session."""
    key = f"{model.id}{model.kwargs}"
    if key not in _results:
        _results[key] = run_model(model.path, model.cls, model.kwargs, model.inputs, model.dtypes)
    return _results[key]


def find(file: str, cls: str) -> ZooModel:
    return next(m for m in ZOO if m.file == file and m.cls == cls)


@pytest.mark.parametrize("model", ZOO, ids=[f"{m.id}{m.kwargs or ''}" for m in ZOO])
def test_zoo_model_runs_with_the_stated_output_shape(model: ZooModel) -> None:
    result = oracle(model)

    assert result.output == model.output
    assert result.layers[""].calls == (model.output,)


@pytest.mark.parametrize("model", ZOO, ids=[f"{m.id}{m.kwargs or ''}" for m in ZOO])
def test_oracle_records_every_submodule(model: ZooModel) -> None:
    result = oracle(model)

    silent = [name for name, layer in result.layers.items() if not layer.calls and layer.type not in NEVER_CALLED]
    assert silent == []
    assert len(result.layers) > 2
    assert sum(layer.own_params for layer in result.layers.values()) == result.total_params


def test_parameter_count_matches_the_keras_example_summary() -> None:
    # Keras' mnist_cnn.py summary: 320 + 18,496 + 1,179,776 + 1,290 (conv and dense count alike)
    result = oracle(find("keras_mnist_cnn.py", "KerasMnistCNN"))

    assert result.total_params == result.trainable_params == 1_199_882
    assert result.layers["fc1"].own_params == 9216 * 128 + 128


def test_lstm_parameters_follow_pytorchs_two_bias_formula() -> None:
    model = find("lstm_classifier.py", "LSTMClassifier")
    result = oracle(model)
    e, h = model.kwargs["embed_dim"], model.kwargs["hidden_dim"]
    assert isinstance(e, int) and isinstance(h, int)

    # per direction: 4h(in + h) + 8h; the second layer's input is both directions, 2h
    expected = 2 * (4 * h * (e + h) + 8 * h) + 2 * (4 * h * (2 * h + h) + 8 * h)
    assert result.layers["lstm"].own_params == expected
    assert result.layers["lstm"].calls == ([(2, 20, 2 * h), [(4, 2, h), (4, 2, h)]],)


def test_frozen_parameters_are_not_trainable() -> None:
    result = oracle(find("finetune_head.py", "FineTuneNet"))
    backbone = sum(layer.own_params for name, layer in result.layers.items() if name.startswith("backbone."))

    assert backbone == 3 * 32 * 9 + 2 * 32 + 32 * 64 * 9 + 2 * 64
    assert result.trainable_params == result.total_params - backbone == 64 * 5 + 5


def test_shared_layers_record_every_call() -> None:
    siamese = oracle(find("siamese.py", "SiameseNetwork"))
    espcn = oracle(find("espcn.py", "Net"))

    assert siamese.layers["encoder"].calls == ((2, 64), (2, 64))
    assert siamese.layers["encoder.0"].calls == ((2, 32, 24, 24), (2, 32, 24, 24))
    assert espcn.layers["relu"].calls == ((1, 64, 32, 32), (1, 64, 32, 32), (1, 32, 32, 32))


def test_layer_names_are_torchs_qualified_names() -> None:
    result = oracle(find("resnet_basic.py", "ResNet18"))

    assert result.layers["layer1.0.conv1"].calls == ((2, 8, 16, 16),)
    assert result.layers["layer2.0.downsample.0"].calls == ((2, 16, 8, 8),)
    assert result.layers["layer2.0.downsample.0"].type == "torch.nn.modules.conv.Conv2d"
    assert result.layers["layer4.1"].type.endswith(".BasicBlock")
    assert "layer1.0.downsample" not in result.layers  # None there: not a module


def test_multi_head_attention_output_is_a_nesting() -> None:
    result = oracle(find("keras_transformer.py", "TransformerClassifier"))

    # (attn_output, attn_weights averaged over heads)
    assert result.layers["transformer_block.att"].calls == ([(2, 200, 32), (2, 200, 200)],)


# --- broken variants ---------------------------------------------------------------------------------


def fixed_source(broken: BrokenModel) -> str:
    """The broken file with `broken.correct` in place of the wrong argument on `broken.line`."""
    source = broken.path.read_text()
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and node.lineno == broken.line and ast.unparse(node.func) == broken.call
    ]
    assert len(calls) == 1, f"expected one call of {broken.call} on line {broken.line}, found {len(calls)}"
    call = calls[0]
    if isinstance(broken.argument, str):
        arg = next(k.value for k in call.keywords if k.arg == broken.argument)
    else:
        arg = call.args[broken.argument]
    assert ast.get_source_segment(source, arg) == broken.wrong
    assert arg.lineno == arg.end_lineno == broken.line
    lines = source.splitlines(keepends=True)
    text = lines[broken.line - 1].encode()  # ast columns are UTF-8 byte offsets
    lines[broken.line - 1] = (text[: arg.col_offset] + str(broken.correct).encode() + text[arg.end_col_offset :]).decode()
    return "".join(lines)


@pytest.mark.parametrize("broken", BROKEN, ids=[b.id for b in BROKEN])
def test_broken_variant_fails_in_torch_where_stated(broken: BrokenModel) -> None:
    error = forward_error(broken.path, broken.cls, broken.kwargs, broken.inputs, broken.dtypes)

    assert isinstance(error, RuntimeError), f"expected a shape error from torch, got {error!r}"
    assert error_line(error, broken.path) == broken.error_line


@pytest.mark.parametrize("broken", BROKEN, ids=[b.id for b in BROKEN])
def test_the_correct_number_makes_the_broken_variant_run(broken: BrokenModel) -> None:
    source = fixed_source(broken)

    result = run_model(broken.path, broken.cls, broken.kwargs, broken.inputs, broken.dtypes, source=source)

    assert result.output is not None
    assert all(layer.calls or layer.type in NEVER_CALLED for layer in result.layers.values())


def test_every_shape_message_has_broken_variants() -> None:
    symbols = {b.symbol for b in BROKEN}

    assert symbols == {
        "linear-in-features-mismatch",
        "conv-in-channels-mismatch",
        "norm-num-features-mismatch",
        "view-flatten-mismatch",
        "incompatible-shapes",
    }


# --- the comparison torchport's summary will go through ----------------------------------------------


def summary_from(result: OracleResult) -> dict[str, object]:
    """A `torchport summary --format json` model entry that says exactly what torch computed."""

    def as_json(nesting: object) -> object:
        if isinstance(nesting, (tuple, list)):
            return [as_json(n) for n in nesting]
        if isinstance(nesting, dict):
            return {k: as_json(v) for k, v in nesting.items()}
        return nesting

    return {
        "output": as_json(result.output),
        "total_params": result.total_params,
        "layers": [
            {"name": name, "output": as_json(layer.calls[0]) if layer.calls else None, "params": layer.own_params}
            for name, layer in result.layers.items()
            if name
        ],
    }


def test_comparison_accepts_a_summary_equal_to_torch() -> None:
    result = oracle(find("keras_multi_io.py", "TicketClassifier"))

    comparison = compare_summary(result, summary_from(result))

    assert comparison.ok
    assert comparison.output == "match" and comparison.total_params == "match"
    assert "title_lstm" in comparison.matches and comparison.missing == []


def test_comparison_reports_wrong_numbers_symbolic_dims_and_unknown_layers() -> None:
    result = oracle(find("resnet_basic.py", "ResNet18"))
    summary = summary_from(result)
    layers = {layer["name"]: layer for layer in summary["layers"]}  # type: ignore[attr-defined]
    layers["fc"]["output"] = [2, 1000]
    layers["layer1.0.conv1"]["output"] = [2, 8, "H//4", "W//4"]
    layers["layer1.0.bn1"]["params"] = 8
    summary["layers"] = [*layers.values(), {"name": "layer5", "output": [2, 8], "params": 0}]
    del summary["total_params"]

    comparison = compare_summary(result, summary)

    assert not comparison.ok
    assert comparison.mismatches == [("fc", [(2, 10)], [2, 1000])]
    assert comparison.unresolved == ["layer1.0.conv1"]
    assert comparison.param_mismatches == [("layer1.0.bn1", 16, 8)]
    assert comparison.extra == ["layer5"]
    assert comparison.total_params == "missing"


def test_comparison_accepts_any_call_of_a_shared_layer_and_nested_outputs() -> None:
    result = oracle(find("espcn.py", "Net"))
    summary = summary_from(result)
    relu = next(layer for layer in summary["layers"] if layer["name"] == "relu")  # type: ignore[attr-defined]
    relu["output"] = [1, 32, 32, 32]  # the third call

    assert compare_summary(result, summary).ok
    lstm = oracle(find("lstm_classifier.py", "LSTMClassifier"))
    wrong_state = summary_from(lstm)
    wrong_state["layers"] = [
        {"name": "lstm", "output": [[2, 20, 128], [[2, 2, 64], [2, 2, 64]]], "params": 0},
    ]
    comparison = compare_summary(lstm, wrong_state)
    assert [name for name, _, _ in comparison.mismatches] == ["lstm"]
    assert comparison.missing == ["embedding", "dropout", "fc"]
