"""Where a model's input shapes come from, in this order:

1. `--input-shape` on the command line, else `[tool.torchport.input-shapes]` in the nearest
   pyproject.toml above the file;
2. jaxtyping annotations on `forward` (`x: Float[Tensor, "batch 1 28 28"]`; names become symbols);
3. a call seen in the project: `model(torch.randn(64, 1, 28, 28))`, `torchinfo.summary(model,
   input_size=...)`, `torchsummary.summary(model, (1, 28, 28))`, or Lightning's `example_input_array`;
4. the first layer each input meets: `Conv2d(1, ...)` gives `(N, 1, H, W)`, `Linear(784, ...)` gives
   `(N, 784)`, `Embedding` gives `(N, T)` token ids, `LSTM(batch_first=True)` gives `(N, T, input_size)`.

A shape is a tuple of dims: ints, or symbols for sizes that may vary (`N`, `H`). Every source gives one
shape per tensor argument of `forward`, in order; a source that does not cover them all is skipped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from astroid import nodes

from torchport.advisor import dims, shape_rules
from torchport.advisor.dims import UNKNOWN, Unknown
from torchport.advisor.interpreter import Trace
from torchport.advisor.usages import SUMMARY_FUNCTIONS, Usage, UsageEvaluator
from torchport.advisor.values import ModuleInstance, ParamValue, TensorValue
from torchport.analysis.names import qualified_name

UNKNOWN_SOURCE = "unknown: give --input-shape"
_DIM = re.compile(r"^(?:-?\d+|[A-Za-z_]\w*)$")


class SourceKind(StrEnum):
    """Where input shapes came from (`Inputs.kind`): the sources above, for the report to group models by."""

    COMMAND_LINE = "command-line"
    CONFIGURATION = "configuration"
    ANNOTATIONS = "annotations"
    CALL = "call"  # a call in the project, torchinfo's or torchsummary's summary
    EXAMPLE_INPUT = "example-input"
    FIRST_LAYER = "first-layer"
    NO_TENSOR = "no-tensor"  # forward takes no tensor argument
    UNKNOWN = "unknown"


class InputError(ValueError):
    """A malformed shape (command line or pyproject.toml); the message is one line."""


@dataclass(frozen=True)
class Inputs:
    values: tuple[TensorValue, ...]  # one per tensor argument of forward
    source: str  # where they come from, for the user
    # other inputs the source cannot tell from `values` (a first nn.Linear takes (N, F) as well as (N, T, F)):
    # an error is certain only when it holds for each of them too
    alternatives: tuple[tuple[TensorValue, ...], ...] = ()
    kind: SourceKind = SourceKind.UNKNOWN  # where they come from, as data (`source` is its text)


def parse_shape(text: str) -> tuple[Any, ...]:
    """`64,1,28,28`, `(64, 1, 28, 28)` or `N,1,H,W` (names become symbols)."""
    body = text.strip().strip("()[]").strip()
    parts = [p.strip() for p in body.split(",")]
    if len(parts) > 1 and not parts[-1]:
        parts.pop()  # one trailing comma, as in a Python tuple
    if not all(_DIM.match(p) for p in parts):
        raise InputError(f"malformed shape {text!r}: write comma-separated sizes or names, e.g. 64,1,28,28 or N,1,H,W")
    shape = tuple(int(p) if p.lstrip("-").isdigit() else dims.symbol(p) for p in parts)
    if any(isinstance(d, int) and d < 0 for d in shape):
        raise InputError(f"malformed shape {text!r}: sizes cannot be negative")
    return shape


def tensor_parameters(forward: nodes.FunctionDef | None) -> tuple[list[str], list[str]]:
    """`forward`'s tensor arguments: the required positional ones and the optional ones after them."""
    if forward is None:
        return ["input"], []
    params = [*forward.args.posonlyargs, *forward.args.args][1:]
    required = len(params) - len(forward.args.defaults or [])
    names = [p.name for p in params[:required]]
    if not params and forward.args.vararg:
        names = [f"*{forward.args.vararg}"]  # forward(self, *inputs): at least one tensor
    return names, [p.name for p in params[required:]]


def from_shapes(shapes: Sequence[Sequence[Any]], source: str, kind: SourceKind = SourceKind.COMMAND_LINE) -> Inputs:
    return Inputs(tuple(TensorValue(tuple(s)) for s in shapes), source, kind=kind)


# ------------------------------------------------------------------------------ pyproject.toml

def from_pyproject(file: Path, class_name: str) -> Inputs | None:
    """`[tool.torchport.input-shapes]` of the nearest pyproject.toml: a key is a class name, or
    `path/to/file.py::Class` relative to the pyproject's folder (which wins); a value is one shape
    (`[64, 1, 28, 28]` or `"N,1,28,28"`) or a list of shapes, one per tensor argument."""
    for directory in file.resolve().parents:
        config = directory / "pyproject.toml"
        if config.is_file():
            return _pyproject_entry(config, file, class_name)
    return None


def _pyproject_entry(config: Path, file: Path, class_name: str) -> Inputs | None:
    try:
        table = tomllib.loads(config.read_text()).get("tool", {}).get("torchport", {}).get("input-shapes", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{config}: cannot read it: {error}") from None
    if not isinstance(table, dict):
        raise InputError(f"{config}: [tool.torchport.input-shapes] must be a table")
    relative = file.resolve().relative_to(config.parent).as_posix() if file.resolve().is_relative_to(config.parent) \
        else None
    for key in (f"{relative}::{class_name}", class_name):
        if key in table:
            shapes = _config_shapes(table[key], f"{config} [tool.torchport.input-shapes] {key!r}")
            return from_shapes(shapes, f"{config.name} [tool.torchport.input-shapes] {key}", SourceKind.CONFIGURATION)
    return None


def _config_shapes(value: Any, where: str) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [_checked(parse_shape, value, where)]
    if isinstance(value, list) and value and all(isinstance(v, (str, list)) for v in value):
        return [_config_shape(v, where) for v in value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [_config_shape(value, where)]
    raise InputError(f"{where}: write a shape such as [64, 1, 28, 28] or \"N,1,28,28\", or a list of them")


def _config_shape(value: Any, where: str) -> tuple[Any, ...]:
    if isinstance(value, str):
        return _checked(parse_shape, value, where)
    if isinstance(value, list) and value and all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
        return _checked(parse_shape, ",".join(str(v) for v in value), where)
    raise InputError(f"{where}: write a shape such as [64, 1, 28, 28] or \"N,1,28,28\", or a list of them")


def _checked(parse: Callable[[str], tuple[Any, ...]], text: str, where: str) -> tuple[Any, ...]:
    try:
        return parse(text)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


# ---------------------------------------------------------------------------------- jaxtyping

_JAXTYPING_DTYPES = {"Float": "float32", "Float32": "float32", "Int": "int64", "Int64": "int64", "Integer": "int64",
                     "Bool": "bool", "Shaped": None, "Num": None, "Real": None, "Inexact": "float32"}


def from_annotations(forward: nodes.FunctionDef | None, names: list[str]) -> Inputs | None:
    """jaxtyping annotations of every tensor argument (`Float[Tensor, "batch 1 28 28"]`)."""
    if forward is None or not names:
        return None
    annotations = dict(zip([a.name for a in [*forward.args.posonlyargs, *forward.args.args]],
                           [*(forward.args.posonlyargs_annotations or []), *(forward.args.annotations or [])]))
    values = []
    for name in names:
        shape = _jaxtyping_shape(annotations.get(name))
        if shape is None:
            return None
        values.append(shape)
    return Inputs(tuple(values), "jaxtyping annotations on forward", kind=SourceKind.ANNOTATIONS)


def _jaxtyping_shape(annotation: nodes.NodeNG | None) -> TensorValue | None:
    if not isinstance(annotation, nodes.Subscript) or not isinstance(annotation.slice, nodes.Tuple):
        return None
    name = qualified_name(annotation.value) or ""
    module, _, kind = name.rpartition(".")
    elements = annotation.slice.elts
    if module != "jaxtyping" or kind not in _JAXTYPING_DTYPES or len(elements) != 2:
        return None
    spec = elements[1]
    if not isinstance(spec, nodes.Const) or not isinstance(spec.value, str):
        return None
    shape = []
    for token in spec.value.split():
        token = token.lstrip("#")  # "#name": broadcastable, still that size
        if token.isdigit():
            shape.append(int(token))
        elif token.isidentifier() and token != "_":
            shape.append(dims.symbol(token))
        else:  # "*batch", "...", "_", expressions: the rank or a size is not fixed
            return None
    return TensorValue(tuple(shape), _JAXTYPING_DTYPES[kind])


# ------------------------------------------------------------------------------- project calls

def from_usages(usages: list[Usage], count: int) -> Inputs | None:
    """The first call in the project that runs the model (or summarises it) with known shapes."""
    evaluator = UsageEvaluator()
    for usage in usages:
        if usage.kind == "forward":
            values = [evaluator.evaluate(arg) for arg in usage.call.args]
            if len(values) >= count and all(_known_tensor(v) for v in values[:count]):
                tensors = tuple(_as_tensor(v) for v in values[:count])
                return Inputs(tensors, f"the call at {usage.where}", kind=SourceKind.CALL)
        elif usage.kind in SUMMARY_FUNCTIONS:
            found = _summary_inputs(evaluator, usage, count)
            if found is not None:
                return found
    return None


def _summary_inputs(evaluator: UsageEvaluator, usage: Usage, count: int) -> Inputs | None:
    call = usage.call
    keywords = {k.arg: k.value for k in call.keywords or () if k.arg}
    with_batch = SUMMARY_FUNCTIONS[usage.kind]
    data = keywords.get("input_data")
    if data is not None:
        value = evaluator.evaluate(data)
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        if len(values) == count and all(_known_tensor(v) for v in values):
            return Inputs(tuple(_as_tensor(v) for v in values), f"{usage.kind}(input_data=...) at {usage.where}",
                          kind=SourceKind.CALL)
        return None
    size_node = keywords.get("input_size", call.args[1] if len(call.args) > 1 else None)
    if size_node is None:
        return None
    size = evaluator.evaluate(size_node)
    shapes = [size] if _is_shape(size) else list(size) if isinstance(size, (list, tuple)) else []
    if len(shapes) != count or not all(_is_shape(s) for s in shapes):
        return None
    if not with_batch:
        shapes = [(dims.symbol("N"), *s) for s in shapes]
    return from_shapes(shapes, f"{usage.kind}(input_size=...) at {usage.where}", SourceKind.CALL)


def from_example_input(trace: Trace, count: int) -> Inputs | None:
    """Lightning's `example_input_array` (a tensor, or a tuple of them), set on the built model."""
    root = trace.root
    value = root.attrs.get("example_input_array") if isinstance(root, ModuleInstance) else None
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if value is None or len(values) != count or not all(_known_tensor(v) for v in values):
        return None
    return Inputs(tuple(_as_tensor(v) for v in values), "example_input_array", kind=SourceKind.EXAMPLE_INPUT)


def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and bool(value) and all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value)


def _known_tensor(value: Any) -> bool:
    return isinstance(value, (TensorValue, ParamValue)) and not isinstance(value.shape, Unknown)


def _as_tensor(value: Any) -> TensorValue:
    return value if isinstance(value, TensorValue) else TensorValue(value.shape)


# --------------------------------------------------------------------------------- first layers

_SPATIAL_NAMES = {"1d": ("L",), "2d": ("H", "W"), "3d": ("D", "H", "W")}
_TIME_MAJOR = frozenset({"torch.nn.RNN", "torch.nn.LSTM", "torch.nn.GRU", "torch.nn.MultiheadAttention",
                         "torch.nn.TransformerEncoderLayer", "torch.nn.TransformerDecoderLayer",
                         "torch.nn.TransformerEncoder", "torch.nn.TransformerDecoder"})
_TOKEN_LAYERS = frozenset({"torch.nn.Embedding", "torch.nn.EmbeddingBag"})


def from_first_layers(probe: Trace, names: list[str]) -> Inputs | None:
    """Shapes from the layers that receive each input as it is (recorded by a probing run). Inputs the
    same layer receives share its symbols; an input no layer receives as it is stays unknown."""
    choices: list[list[TensorValue]] = []  # per input: the accepted templates, preferred first
    labels: list[str] = []
    templates: dict[int, list[TensorValue]] = {}
    for index, name in enumerate(names):
        consumer = _first_consumer(probe, index)
        accepted: list[TensorValue] = []
        if consumer is not None:
            module, operand = consumer
            accepted = templates.get(id(module)) or input_templates(module, operand, len(templates))
            if accepted:
                templates.setdefault(id(module), accepted)
        choices.append(accepted or [TensorValue(UNKNOWN)])
        labels.append(_layer_label(probe, consumer[0]) if accepted and consumer else f"{name}: unknown")
    if not templates:
        return None
    values = tuple(c[0] for c in choices)
    others = tuple(tuple(c[k] if k < len(c) else c[0] for c in choices)
                   for k in range(1, max(len(c) for c in choices)))
    return Inputs(values, f"the first layer{'s' if len(names) > 1 else ''}: {', '.join(labels)}", others,
                  SourceKind.FIRST_LAYER)


def _first_consumer(probe: Trace, index: int) -> tuple[ModuleInstance, int] | None:
    target = probe.inputs[index]
    for call in probe.module_calls:
        if call.module.layer is None:
            continue
        for operand, value in enumerate(call.inputs):
            if value is target:
                return call.module, operand
    return None


def _layer_label(probe: Trace, module: ModuleInstance) -> str:
    names = {id(m): n for n, m in probe.root.named_modules()} if probe.root is not None else {}
    return f"{names.get(id(module), '?')} ({module.short_type})"


def input_templates(module: ModuleInstance, operand: int, index: int) -> list[TensorValue]:
    """The input a layer expects, with symbols for what its arguments leave free ([] if the catalogue
    accepts no candidate); for a layer of any rank (nn.Linear, nn.LayerNorm, nn.GroupNorm...) followed
    by the other ranks it accepts, which a guess from this layer cannot tell apart."""
    layer = module.layer
    constraints = [c for c in shape_rules.input_constraints(layer) if c[1] == operand]
    if module.type_name not in _TOKEN_LAYERS and not constraints:
        return []
    suffix = "" if index == 0 else str(index + 1)
    batch_first = module.args.get("batch_first", True)
    dtype = "int64" if module.type_name in _TOKEN_LAYERS else "float32"

    def attempt(rank: int) -> TensorValue | None:
        shape = _template(module, constraints, rank, suffix, batch_first is not False)
        return TensorValue(shape, dtype) if shape is not None and _accepted(module, operand, shape) else None

    preferred = next((t for t in map(attempt, _candidate_ranks(module.type_name)) if t is not None), None)
    if preferred is None:
        return []
    if not _rank_free(module.type_name):
        return [preferred]
    others = (attempt(rank) for rank in _ALTERNATIVE_RANKS if rank != len(preferred.shape))
    return [preferred, *(t for t in others if t is not None)]


def _candidate_ranks(type_name: str) -> tuple[int, ...]:
    """Ranks to try, preferred first: a batched input for spatial layers, (N, T, F) for sequences,
    (N, F) for the others."""
    suffix = type_name[-2:]
    if suffix in _SPATIAL_NAMES:
        nd = int(suffix[0])
        return (nd + 2, nd + 1)
    if type_name in _TIME_MAJOR:
        return (3, 2)
    return (2, 3)


_ALTERNATIVE_RANKS = (3, 4)  # besides the preferred one, for a layer of any rank: (N, T, F), (N, C, H, W)


def _rank_free(type_name: str) -> bool:
    """Whether the layer's own rank says nothing of the model's input rank (not spatial, sequence or tokens)."""
    return type_name[-2:] not in _SPATIAL_NAMES and type_name not in _TIME_MAJOR and type_name not in _TOKEN_LAYERS


def _template(module: ModuleInstance, constraints: list[tuple[str, int, int | str, Any]], rank: int, suffix: str,
              batch_first: bool) -> tuple[Any, ...] | None:
    shape: list[Any] = [None] * rank
    for _, _, dim, value in constraints:
        if dim == "trailing":
            sizes = tuple(value) if isinstance(value, (tuple, list)) else (value,)
            if len(sizes) >= rank:
                return None
            shape[rank - len(sizes):] = sizes
        elif isinstance(dim, int) and -rank <= dim < rank:
            shape[dim] = value
        else:
            return None
    if any(isinstance(d, Unknown) or (d is not None and not dims.is_known(d)) for d in shape):
        return None
    batch = 0 if batch_first or module.type_name not in _TIME_MAJOR or rank < 3 else 1
    if shape[batch] is None:
        shape[batch] = dims.symbol("N")
    free = [i for i, d in enumerate(shape) if d is None]
    names = _SPATIAL_NAMES.get(module.type_name[-2:], ())
    names = names[-len(free):] if len(names) >= len(free) else tuple(f"T{i + 1}" for i in range(len(free)))
    if len(free) == 1 and not _SPATIAL_NAMES.get(module.type_name[-2:]):
        names = ("T",)
    for i, name in zip(free, names):
        shape[i] = dims.symbol(name + suffix)
    return tuple(shape)


def _accepted(module: ModuleInstance, operand: int, shape: tuple[Any, ...]) -> bool:
    """Whether the catalogue accepts the template as the layer's input (first operands only: a later
    operand's partners are not known)."""
    return operand > 0 or not shape_rules.call_layer(module.layer, [TensorValue(shape)], {}).errors
