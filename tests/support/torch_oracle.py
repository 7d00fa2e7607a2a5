"""Torch as the oracle: build a model from its source on the meta device, run it, record what torch computes.

The meta device gives real shapes and real shape errors without memory or weight initialisation. torch
is imported once, when this module is; nothing here is imported by torchport itself.

Shapes are reported as *nestings*: a tensor is a tuple of ints, a tuple or list of outputs is a list of
nestings (an LSTM's `(out, (h, c))` is `[(N, T, H), [(L, N, H), (L, N, H)]]`), a dict is a dict of
nestings and any other value (None, a number) is None.
"""

from __future__ import annotations

import sys
import traceback
import types
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Failed to initialize NumPy": the meta device needs no numpy
    import torch

Shape = tuple[int, ...]
Nesting = Union[Shape, list["Nesting"], dict[str, "Nesting"], None]


@dataclass(frozen=True)
class Layer:
    """One entry of `named_modules()` as torch saw it during the forward pass."""

    type: str  # the module's class, `module.qualname`: "torch.nn.modules.conv.Conv2d", "<zoo>.BasicBlock"
    calls: tuple[Nesting, ...]  # output of every call, in call order; () if never called (ModuleList...)
    own_params: int  # parameters the module holds itself (`parameters(recurse=False)`)
    has_children: bool  # whether torch's module has submodules (names alone cannot tell: shared children)


@dataclass(frozen=True)
class OracleResult:
    output: Nesting
    layers: dict[str, Layer]  # named_modules() names in torch's order, the root model under ""
    total_params: int  # every distinct parameter once, as `sum(p.numel() for p in model.parameters())`
    trainable_params: int  # those with requires_grad


def load_namespace(path: Path, source: str | None = None) -> dict[str, Any]:
    """Execute a model file (or `source` standing for it) and return its globals.

    `source` lets a caller run an edited copy; tracebacks still name `path` and its line numbers.
    """
    name = f"torch_oracle_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    code = compile(path.read_text() if source is None else source, str(path), "exec")
    sys.modules[name] = module  # dataclasses and pickling look the defining module up while the file runs
    try:
        exec(code, module.__dict__)  # noqa: S102 - the oracle runs the test corpus on purpose
    finally:
        del sys.modules[name]
    return module.__dict__


def build(factory: Callable[[], torch.nn.Module]) -> torch.nn.Module:
    """Call `factory` with meta as the default device: parameters get shapes but no memory."""
    with torch.device("meta"):
        return factory()


def meta_inputs(shapes: Sequence[Sequence[int]], dtypes: Sequence[str] | None = None) -> list[torch.Tensor]:
    """Empty meta tensors; `dtypes` names torch dtypes ("int64" for token ids), float32 by default."""
    dtypes = dtypes or ["float32"] * len(shapes)
    if len(dtypes) != len(shapes):
        raise ValueError(f"{len(shapes)} input shapes but {len(dtypes)} dtypes")
    return [torch.empty(tuple(shape), dtype=getattr(torch, dtype), device="meta") for shape, dtype in zip(shapes, dtypes)]


def trace(model: torch.nn.Module, inputs: Sequence[torch.Tensor]) -> OracleResult:
    """Run `model(*inputs)` in eval mode with a forward hook on every named module and record the shapes."""
    named = dict(model.named_modules())
    calls: dict[str, list[Nesting]] = {name: [] for name in named}
    handles = [
        module.register_forward_hook(lambda _module, _args, out, name=name: calls[name].append(nesting(out)))
        for name, module in named.items()
    ]
    try:
        model.eval()
        with torch.no_grad():
            output = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    # counted after the forward pass, which materialises lazy modules (nn.LazyLinear)
    layers = {
        name: Layer(
            type=f"{type(module).__module__}.{type(module).__qualname__}",
            calls=tuple(calls[name]),
            own_params=sum(p.numel() for p in module.parameters(recurse=False)),
            has_children=any(True for _ in module.children()),
        )
        for name, module in named.items()
    }
    params = list(model.parameters())
    return OracleResult(
        output=nesting(output),
        layers=layers,
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
    )


def nesting(value: object) -> Nesting:
    """The shape nesting of a forward output (see the module docstring)."""
    if isinstance(value, torch.Tensor):
        return tuple(int(d) for d in value.shape)
    if isinstance(value, (tuple, list)):
        return [nesting(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): nesting(v) for k, v in value.items()}
    return None


def run_model(
    path: Path,
    class_name: str,
    kwargs: Mapping[str, object] | None = None,
    inputs: Sequence[Sequence[int]] = (),
    dtypes: Sequence[str] | None = None,
    *,
    source: str | None = None,
) -> OracleResult:
    """Build `class_name(**kwargs)` from the file on meta, run it on inputs of the given shapes, trace it."""
    namespace = load_namespace(path, source)
    model = build(lambda: namespace[class_name](**(kwargs or {})))
    return trace(model, meta_inputs(inputs, dtypes))


def forward_error(
    path: Path,
    class_name: str,
    kwargs: Mapping[str, object] | None = None,
    inputs: Sequence[Sequence[int]] = (),
    dtypes: Sequence[str] | None = None,
    *,
    source: str | None = None,
) -> Exception | None:
    """The exception torch raises when the model built from the file runs, None if it runs.

    Only the forward pass is guarded: a file that cannot be executed or a class that cannot be
    built raises as usual, so a typo in a broken variant never passes for the shape error it is meant to
    show. Meta-device texts differ from CPU ones (`a and b must have same reduction dim` for Linear).
    """
    namespace = load_namespace(path, source)
    model = build(lambda: namespace[class_name](**(kwargs or {})))
    tensors = meta_inputs(inputs, dtypes)
    try:
        trace(model, tensors)
    except Exception as error:  # noqa: BLE001 - the error is the result
        return error
    return None


def error_line(error: BaseException, path: Path) -> int | None:
    """Line of `path` nearest to where `error` was raised (innermost frame in that file), if any."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == str(path)]
    return lines[-1] if lines else None


@dataclass
class Comparison:
    """torchport's summary of one model against the oracle's result for the same model and input."""

    output: str = "missing"  # "match", "mismatch", "unresolved" (symbolic dims left) or "missing"
    total_params: str = "missing"  # "match" / "mismatch" / "missing"
    matches: list[str] = field(default_factory=list)  # layer names whose output matches a call torch made
    mismatches: list[tuple[str, Nesting, object]] = field(default_factory=list)  # (name, torch's calls, torchport's)
    unresolved: list[str] = field(default_factory=list)  # torchport left a dim symbolic where torch has a number
    param_mismatches: list[tuple[str, int, object]] = field(default_factory=list)  # leaf layers: (name, torch, torchport)
    missing: list[str] = field(default_factory=list)  # called by torch, absent from torchport's layers
    extra: list[str] = field(default_factory=list)  # in torchport's layers, not a module torch knows

    @property
    def ok(self) -> bool:
        """No wrong number anywhere: symbolic leftovers and layers torchport skips are not errors."""
        return (
            self.output in ("match", "unresolved")
            and self.total_params == "match"
            and not self.mismatches
            and not self.param_mismatches
            and not self.extra
        )


def compare_summary(result: OracleResult, summary_model: Mapping[str, Any]) -> Comparison:
    """Compare one entry of `torchport summary --format json`'s "models" list with the oracle.

    A layer matches when its output equals the output of one of torch's calls of that module (shared
    layers are called several times). Parameters are compared for leaf modules only, where a module's
    own parameters and its whole subtree's are the same number whichever torchport reports.
    """
    comparison = Comparison()
    if "output" in summary_model:
        comparison.output = _compare_nesting(result.output, summary_model["output"])
    if "total_params" in summary_model:
        comparison.total_params = "match" if summary_model["total_params"] == result.total_params else "mismatch"
    reported = {layer["name"]: layer for layer in summary_model.get("layers", [])}
    for name, layer in reported.items():
        if name not in result.layers:
            comparison.extra.append(name)
            continue
        calls = result.layers[name].calls or (None,)  # never called (ModuleList): torchport should give no output
        verdicts = [_compare_nesting(call, layer.get("output")) for call in calls]
        if "match" in verdicts:
            comparison.matches.append(name)
        elif "unresolved" in verdicts:
            comparison.unresolved.append(name)
        else:
            comparison.mismatches.append((name, list(result.layers[name].calls), layer.get("output")))
        if not result.layers[name].has_children and "params" in layer and layer["params"] != result.layers[name].own_params:
            comparison.param_mismatches.append((name, result.layers[name].own_params, layer["params"]))
    comparison.missing = [name for name, layer in result.layers.items() if name and layer.calls and name not in reported]
    return comparison


def _compare_nesting(expected: Nesting, got: object) -> str:
    """"match", "mismatch" or "unresolved" for torchport's JSON nesting (lists, dims int or str) against torch's."""
    if isinstance(expected, tuple):
        if not isinstance(got, list) or len(got) != len(expected) or not all(isinstance(g, (int, str)) for g in got):
            return "mismatch"
        if any(isinstance(g, int) and g != e for e, g in zip(expected, got)):
            return "mismatch"
        return "unresolved" if any(isinstance(g, str) for g in got) else "match"
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return "mismatch"
        return _worst(_compare_nesting(e, g) for e, g in zip(expected, got))
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return "mismatch"
        return _worst(_compare_nesting(expected[k], got[k]) for k in expected)
    return "match" if got is None else "mismatch"


def _worst(verdicts: Any) -> str:
    found = set(verdicts)
    for verdict in ("mismatch", "unresolved"):
        if verdict in found:
            return verdict
    return "match"
