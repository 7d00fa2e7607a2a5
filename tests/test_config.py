"""`[tool.torchport]`: rule selection, severities, exclude globs and the errors for bad tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchport.advisor.target import Target
from torchport.config import NOTES, Config, ConfigError, Port, find_pyproject, load_config, parse_table
from torchport.messages import CATALOGUE, FAMILIES


def test_defaults_enable_every_rule_with_its_catalogue_severity() -> None:
    config = parse_table({})
    assert config.enabled == frozenset(CATALOGUE) | NOTES
    assert config.severity_of("module-super-init-missing") == "error"
    assert config.severity_of("softmax-without-dim") == "warning"
    assert not config.is_excluded(Path("anything.py"))


def test_disable_takes_symbols_ids_and_families() -> None:
    config = parse_table({"disable": ["softmax-without-dim", "e7101", "keras"]})
    assert not config.is_enabled("softmax-without-dim")
    assert not config.is_enabled("module-super-init-missing")
    assert not any(config.is_enabled(m.symbol) for m in FAMILIES["keras"])
    assert config.is_enabled("bce-loss-without-sigmoid")


def test_enable_selects_then_disable_removes() -> None:
    config = parse_table({"enable": ["losses"], "disable": ["W7205"]})
    assert config.enabled == {m.symbol for m in FAMILIES["losses"]} - {"softmax-without-dim"}


def test_severity_override_by_symbol_or_family() -> None:
    config = parse_table({"severity": {"softmax-without-dim": "error", "structure": "info"}})
    assert config.severity_of("softmax-without-dim") == "error"
    assert config.severity_of("module-super-init-missing") == "info"
    assert config.severity_of("bce-loss-without-sigmoid") == CATALOGUE["bce-loss-without-sigmoid"].severity


def test_exclude_globs_match_relative_paths_and_their_folders(tmp_path: Path) -> None:
    config = Config(exclude=("legacy", "gen/*.py", "*_pb2.py"), root=tmp_path)
    assert config.is_excluded(tmp_path / "legacy")
    assert config.is_excluded(tmp_path / "legacy" / "deep" / "old.py")
    assert config.is_excluded(tmp_path / "gen" / "a.py")
    assert config.is_excluded(tmp_path / "src" / "model_pb2.py")
    assert not config.is_excluded(tmp_path / "src" / "legacy_tools.py")
    assert not config.is_excluded(tmp_path / "generated.py")
    assert not config.is_excluded(tmp_path.parent / "legacy" / "x.py")  # outside the config's folder


def test_nearest_pyproject_above_the_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.torchport]\ndisable = ["E7101"]\n')
    (tmp_path / "sub" / "inner").mkdir(parents=True)
    (tmp_path / "sub" / "inner" / "model.py").write_text("")
    assert find_pyproject(tmp_path / "sub" / "inner" / "model.py") == tmp_path / "pyproject.toml"
    config = load_config(tmp_path / "sub" / "inner")
    assert (config.source, config.root) == (tmp_path / "pyproject.toml", tmp_path)
    assert not config.is_enabled("module-super-init-missing")
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # nearer, no table: defaults
    assert load_config(tmp_path / "sub" / "inner").enabled == frozenset(CATALOGUE) | NOTES


def test_input_shapes_table_is_accepted_and_checked() -> None:
    assert parse_table({"input-shapes": {"Net": [64, 1, 28, 28]}}).input_shapes == {"Net": [64, 1, 28, 28]}
    with pytest.raises(ConfigError, match=r"\[tool.torchport.input-shapes\] 'Net': write a shape such as"):
        parse_table({"input-shapes": {"Net": 64}})


@pytest.mark.parametrize(("table", "message"), [
    ({"exclud": []}, "unknown key 'exclud' (did you mean 'exclude'?); allowed keys: enable, disable, severity, "
                     "exclude, input-shapes"),
    ({"nothing-like-it": 1}, "unknown key 'nothing-like-it'; allowed keys:"),
    ({"enable": ["bce-los-without-sigmoid"]}, "enable: unknown rule 'bce-los-without-sigmoid' "
                                              "(did you mean 'bce-loss-without-sigmoid'?)"),
    ({"disable": [1]}, "disable: must be a list of rule names"),
    ({"severity": {"softmax-without-dim": "fatal"}}, "'fatal' is not a severity; allowed: error, warning, refactor, "
                                                     "convention, info"),
    ({"severity": {"sofmax-without-dim": "error"}}, "unknown rule 'sofmax-without-dim' (did you mean"),
    ({"severity": "error"}, "severity: must be a table"),
    ({"exclude": ["ok", ""]}, "exclude: must be a list of glob strings"),
    ({"input-shapes": ["Net"]}, "[tool.torchport.input-shapes] must be a table"),
    ({"severity": {"keras-batchnorm-epsilon": "error"}}, "keras-batchnorm-epsilon: a note of the report has no "
                                                         "severity; disable it to turn it off"),
    ({"ports": ["keras.py"]}, '[tool.torchport.ports] must be a table of "keras_file.py::name" = '
                              '"torch_file.py::Class"'),
    ({"ports": {"::model": "port.py::Net"}}, "[tool.torchport.ports] '::model': write the Keras model as "
                                             '"keras_file.py::name"'),
    ({"ports": {"keras.py::": "port.py::Net"}}, "[tool.torchport.ports] 'keras.py::': write the Keras model as"),
    ({"ports": {"keras.py::model": ["port.py::Net"]}}, "[tool.torchport.ports] 'keras.py::model': write its port as "
                                                       'a string, "torch_file.py::Class"'),
    ({"ports": {"keras.py::model": "port.py::Net(width"}}, "[tool.torchport.ports] 'keras.py::model': cannot read "
                                                           "'Net(width': write Class or Class(arg=value, ...)"),
    ({"ports": {"keras.py::model": "::Net"}}, "[tool.torchport.ports] 'keras.py::model': no file in target '::Net'"),
])
def test_errors_name_the_key_and_what_is_allowed(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_table(table, Path("pyproject.toml"))
    text = str(caught.value)
    assert message in text
    assert text.startswith("pyproject.toml: ") and "\n" not in text


def test_report_notes_are_enabled_by_default_and_disabled_by_symbol_or_id() -> None:
    assert parse_table({}).is_enabled("keras-batchnorm-epsilon")
    assert not parse_table({"disable": ["keras-batchnorm-epsilon"]}).is_enabled("keras-batchnorm-epsilon")
    assert not parse_table({"disable": ["i7408"]}).is_enabled("keras-batchnorm-epsilon")
    assert not parse_table({"enable": ["keras"]}).is_enabled("keras-batchnorm-epsilon")  # only what is listed


def test_ports_table_pairs_keras_models_with_torch_targets() -> None:
    config = parse_table({"ports": {"keras/cnn.py::model": "torch/cnn.py::ConvNet(classes=10)", "mlp.py": "port.py"}})
    assert config.ports == (
        Port("keras/cnn.py", "model", Target("torch/cnn.py", "ConvNet", (), {"classes": 10}, has_call=True)),
        Port("mlp.py", None, Target("port.py")),
    )


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.torchport\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)
