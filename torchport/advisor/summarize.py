"""Summarise the models of a file: choose constructor arguments and input shapes, run the interpreter,
assemble the `ModelSummary`.

Constructor arguments come from the target (`model.py::Net(n_classes=4)`), else from the first
instantiation in the project whose arguments are all known, else from the defaults of `__init__`
(a required argument without a default is unknown). Input shapes: see `torchport.advisor.inputs`.

The summary describes the model as it predicts: after `model.eval()`, so `self.training` is False in
forward (auxiliary heads that only run in training, as Inception's, are not called), the mode in which
torch's own summaries and our oracle run it. The 73xx pylint checker instead follows both modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astroid import nodes

from torchport.advisor import inputs as sources
from torchport.advisor.dims import UNKNOWN
from torchport.advisor.inputs import InputError, Inputs
from torchport.advisor.interpreter import ModelBuild, Trace
from torchport.advisor.summary_model import (
    ModelSummary,
    findings,
    layer_rows,
    nesting,
    notes,
    param_count,
    top_level_models,
)
from torchport.advisor.target import Target
from torchport.advisor.usages import Usage, UsageEvaluator, find_usages, project_modules
from torchport.advisor.values import TensorValue, is_known
from torchport.analysis.model import find_method, module_classes


TRAINING = False  # the mode forward runs in: eval(), see the module docstring


class SummaryError(ValueError):
    """Bad input (unknown class, wrong number of shapes); the message is one line."""


def select_models(module: nodes.Module, class_name: str | None) -> list[nodes.ClassDef]:
    """The named Module class, or every top-level model of the file."""
    classes = module_classes(module)
    if class_name is None:
        models = top_level_models(module)
        if not models:
            raise SummaryError(f"{module.file}: no nn.Module class in this file")
        return models
    chosen = [cls for cls in classes if cls.name == class_name and isinstance(cls.parent, nodes.Module)]
    if not chosen:
        names = ", ".join(cls.name for cls in classes if isinstance(cls.parent, nodes.Module)) or "none"
        raise SummaryError(f"{module.file}: no nn.Module class {class_name!r} (Module classes here: {names})")
    return chosen[-1:]


@dataclass(frozen=True)
class Analysis:
    """One model traced with the arguments and inputs chosen for it (what the 73xx checks read)."""

    cls: nodes.ClassDef
    trace: Trace
    inputs: Inputs
    args_text: str
    args_source: str
    model: ModelBuild | None = None  # the built model, to trace the alternatives on

    def alternatives(self) -> tuple[Trace, ...]:
        """Traces on Inputs.alternatives (an error must hold in each). Traced when asked, as only an error
        needs them: most models have none, and each alternative is one more run of forward."""
        if self.model is None:
            return ()
        return tuple(self.model.trace(list(values), training=TRAINING) for values in self.inputs.alternatives)


def analyse(path: Path, module: nodes.Module, cls: nodes.ClassDef, target: Target,
            cli_shapes: list[tuple[Any, ...]]) -> Analysis:
    """Choose constructor arguments and input shapes for `cls`, then trace it."""
    usages = find_usages(cls, list(project_modules(path, module, cls.name)))
    args, kwargs, args_text, args_source = constructor_arguments(cls, target, usages)
    forward = find_method(cls, "forward")
    required, optional = sources.tensor_parameters(forward)
    model = ModelBuild(cls, args, kwargs)
    chosen = choose_inputs(path, cls, forward, required, optional, cli_shapes, usages, args, kwargs, model=model)
    trace = model.trace(list(chosen.values), training=TRAINING, last=not chosen.alternatives)
    return Analysis(cls, trace, chosen, args_text, args_source, model if chosen.alternatives else None)


def summarize(path: Path, module: nodes.Module, cls: nodes.ClassDef, target: Target,
              cli_shapes: list[tuple[Any, ...]]) -> ModelSummary:
    analysis = analyse(path, module, cls, target, cli_shapes)
    trace, root = analysis.trace, analysis.trace.root
    return ModelSummary(
        class_name=cls.name,
        file=str(path),
        line=cls.lineno or 0,
        inputs=[nesting(v) for v in analysis.inputs.values],
        input_dtypes=[v.dtype for v in analysis.inputs.values],
        input_source=analysis.inputs.source,
        input_kind=analysis.inputs.kind,
        args=analysis.args_text,
        args_source=analysis.args_source,
        output=nesting(trace.output),
        layers=layer_rows(trace),
        total_params=param_count(root) if root is not None else None,
        trainable_params=param_count(root, trainable_only=True) if root is not None else None,
        findings=findings(trace, analysis.alternatives),
        notes=notes(trace),
    )


def constructor_arguments(cls: nodes.ClassDef, target: Target, usages: list[Usage]
                          ) -> tuple[list[Any], dict[str, Any], str, str]:
    """(args, kwargs, the arguments as text, where they come from)."""
    if target.has_call:
        return list(target.args), dict(target.kwargs), target.describe_args(), "the target"
    evaluator = UsageEvaluator()
    for usage in usages:
        call = usage.call
        if usage.kind != "instantiation" or any(isinstance(a, nodes.Starred) for a in call.args) \
                or any(k.arg is None for k in call.keywords or ()):
            continue
        args = [evaluator.evaluate(a) for a in call.args]
        kwargs = {k.arg: evaluator.evaluate(k.value) for k in call.keywords or () if k.arg}
        if is_known(args) and is_known(list(kwargs.values())):
            text = ", ".join([a.as_string() for a in call.args] + [k.as_string() for k in call.keywords or ()])
            return args, kwargs, text, f"the instantiation at {usage.where}"
    missing = _required_parameters(cls)
    source = "the defaults of __init__" + (f" ({', '.join(missing)} unknown)" if missing else "")
    return [], {name: UNKNOWN for name in missing}, "", source


def _required_parameters(cls: nodes.ClassDef) -> list[str]:
    init = find_method(cls, "__init__")
    if init is None:
        return []
    params = [*init.args.posonlyargs, *init.args.args][1:]
    required = params[:len(params) - len(init.args.defaults or [])]
    kwonly = [p for p, d in zip(init.args.kwonlyargs, init.args.kw_defaults) if d is None]
    return [p.name for p in (*required, *kwonly)]


def choose_inputs(path: Path, cls: nodes.ClassDef, forward: nodes.FunctionDef | None, required: list[str],
                  optional: list[str], cli_shapes: list[tuple[Any, ...]], usages: list[Usage], args: list[Any],
                  kwargs: dict[str, Any], model: ModelBuild | None = None) -> Inputs:
    """The input shapes from the first source that gives them (see `torchport.advisor.inputs`). `model`:
    the model built with `args` and `kwargs`, when the caller traces it afterwards too."""
    count = len(required)
    variadic = forward is not None and forward.args.vararg is not None
    if cli_shapes:
        _check_count(cls, required, optional, len(cli_shapes), variadic, "--input-shape")
        return sources.from_shapes(cli_shapes, "--input-shape")
    try:
        configured = sources.from_pyproject(path, cls.name)
    except InputError as error:
        raise SummaryError(str(error)) from None
    if configured is not None:
        _check_count(cls, required, optional, len(configured.values), variadic, configured.source)
        return configured
    if count == 0:
        return Inputs((), "forward takes no tensor argument", kind=sources.SourceKind.NO_TENSOR)
    found = sources.from_annotations(forward, required) or sources.from_usages(usages, count)
    if found is not None:
        return found
    model = model or ModelBuild(cls, args, kwargs)
    found = sources.from_example_input(model.trace(None), count)
    if found is not None:
        return found
    probe = model.trace([TensorValue(UNKNOWN) for _ in range(count)], training=TRAINING)
    found = sources.from_first_layers(probe, required)
    if found is not None:
        return found
    return Inputs(tuple(TensorValue(UNKNOWN) for _ in range(count)), sources.UNKNOWN_SOURCE,
                  kind=sources.SourceKind.UNKNOWN)


def _check_count(cls: nodes.ClassDef, required: list[str], optional: list[str], given: int, variadic: bool,
                 where: str) -> None:
    if given < len(required) or (given > len(required) + len(optional) and not variadic):
        names = ", ".join(required + [f"{o}=..." for o in optional]) or "none"
        raise SummaryError(f"{where}: {cls.name}.forward takes {len(required)} tensor argument"
                           f"{'s' if len(required) != 1 else ''} ({names}), got {given} shape{'s' if given != 1 else ''}")
