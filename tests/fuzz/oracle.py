"""The torch side of the differential test: run a generated model on the meta device.

The source is executed in a fresh namespace (tests/support/torch_oracle.py), the model built with the
meta device as default, and called on empty meta tensors of the example's input shapes with a forward
hook on every submodule. The outcome is what torch computed, or the shape error it raised in forward.

The meta device skips a few checks the real kernels make: a transposed convolution accepts any number
of input channels there (torch 2.13: `nn.ConvTranspose2d(20, 32, 2)` runs on a 4-channel meta tensor and
raises on CPU). And its outputs' layouts are not always the CPU kernels': BatchNorm1d on a permuted
tensor keeps the permuted strides on meta and returns a contiguous tensor on the CPU, so a later `view`
raises on meta only (STRIDES_ERROR). `run(..., device="cpu")` builds and runs the same model for real,
on zero tensors (the generated models are small), to settle such a case.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.strategies import FILE_NAME, Example
from tests.support.torch_oracle import OracleResult, build, load_namespace, meta_inputs, trace

import torch  # noqa: E402 - after torch_oracle, which imports it quietly

# what torch raises for a shape it rejects: the kernels' checks (RuntimeError), the modules' own input
# checks ("expected 4D input", ValueError) and dims out of range (IndexError); any other exception in a
# generated model is a bug of the generator and propagates
SHAPE_ERRORS = (RuntimeError, ValueError, IndexError)
# what torch raises for a view its input's strides do not allow (view-of-non-contiguous)
STRIDES_ERROR = "view size is not compatible with input tensor's size and stride"


@dataclass(frozen=True)
class Outcome:
    result: OracleResult | None  # what torch computed, when forward ran
    error: Exception | None = None  # the shape error forward raised

    @property
    def runs(self) -> bool:
        return self.result is not None

    def describe(self) -> str:
        """One line: the output's shape, or the error's type and first line."""
        if self.result is not None:
            return f"runs: {self.result.output}"
        assert self.error is not None
        text = str(self.error).strip().splitlines()[0] if str(self.error).strip() else ""
        return f"{type(self.error).__name__}: {text}"


def run(example: Example, path: Path | None = None, device: str = "meta") -> Outcome:
    """Build the example's model with its constructor arguments and run it on its inputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TransformerEncoder's nested-tensor notice and the like
        namespace = load_namespace(path or Path(FILE_NAME), example.source)
        factory = lambda: namespace[example.class_name](**example.kwargs)  # noqa: E731
        if device == "meta":
            model, tensors = build(factory), meta_inputs(example.inputs, example.dtypes)
        else:
            with torch.device(device):
                model = factory()
            tensors = [torch.zeros(shape, dtype=getattr(torch, dtype)) for shape, dtype in
                       zip(example.inputs, example.dtypes)]
        try:
            return Outcome(trace(model, tensors))
        except SHAPE_ERRORS as error:
            return Outcome(None, error)
