"""A hypothesis strategy that writes random but plausible `nn.Module` source files, with their inputs.

`examples()` draws an `Example`: the text of a model file (stacks and branches of the shape catalogue's
layers and operations, written the ways users write them: `nn.Sequential`, `__init__`/`forward` pairs,
nested calls, helper methods, `view(x.size(0), -1)` / `torch.flatten(x, 1)` / `x.flatten(1)`, skip
connections, `torch.cat`, `nn.ModuleList` loops, LSTMs and attention), the input shapes and how they are
given to torchport (`--input-shape`, `[tool.torchport.input-shapes]`, a `model(torch.randn(...))` call
in the file, jaxtyping annotations on `forward`, or not at all), and at most one planted mistake.

The generator tracks the concrete shape of the running tensor, so arguments are chosen consistently
(in_features after a flatten, in_channels after a cat...) unless it plants a mismatch on purpose: a
wrong in_features / in_channels / num_features, a wrong `view(-1, K)`, or operands that cannot fit (a
skip connection around a block that changes the channels or the size, a cat of branches of different
sizes). `Example.planted` is the 73xx symbol torchport should report for it, as the zoo manifest maps
mistakes to messages. torch on the meta device is the judge of what really happens (tests/fuzz/oracle.py).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.fuzz.steps_features import (
    as_signal,
    attention,
    batchnorm1d,
    class_token,
    flatten,
    hand_attention,
    layernorm,
    linear,
    linear_concat,
    linear_residual,
    mlp_list,
    module_dict,
    recurrent,
    to_channels,
    unflatten,
)
from tests.fuzz.steps_maps import (
    activation,
    adaptive_pool,
    asymmetric_conv,
    batchnorm,
    blocks,
    channel_einsum,
    channels_last_norm,
    concat,
    conv2d,
    dense_block,
    dropout,
    gated,
    global_pool,
    groupnorm,
    helper_conv,
    named_in_loop,
    pad,
    pixel_shuffle,
    pool2d,
    repeated,
    residual,
    separable,
    spatial_attention,
    squeeze_excite,
    stacked_branches,
    strided_slice,
    token_mixing,
    unet_skip,
    upsample,
    vgg_config,
    widening,
    zipped_lists,
)
from tests.fuzz.writer import PLANTABLE, Line, Shape, Unary, Writer, helper_method, one_in

# how torchport learns the input shapes; "none": it is not told, and reads symbols from the first layers
INPUT_STYLES = ("cli", "pyproject", "call", "jaxtyping", "none")
FILE_NAME = "model.py"


@dataclass(frozen=True)
class Example:
    """One generated model file and how torchport and torch are to run it."""

    source: str
    class_name: str
    inputs: tuple[Shape, ...]  # forward's positional tensor arguments
    dtypes: tuple[str, ...]  # torch dtype names, one per input
    input_style: str  # how torchport learns the input shapes: one of INPUT_STYLES
    kwargs: dict[str, int] = field(default_factory=dict)  # constructor arguments (else the defaults)
    planted: str | None = None  # the 73xx symbol of the planted mistake, None if none was planted
    planted_line: int | None = None  # where torchport should report it (None: not a one-line mistake)

    @property
    def cli_shapes(self) -> list[Shape]:
        """What `--input-shape` gives when the shapes come from the command line."""
        return list(self.inputs) if self.input_style == "cli" else []

    @property
    def target(self) -> str:
        """The `Class` or `Class(args)` after `FILE::` in the target of `torchport summary`."""
        if self.input_style == "cli" and self.kwargs:
            arguments = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
            return f"{self.class_name}({arguments})"
        return self.class_name

    @property
    def pyproject(self) -> str:
        """The pyproject.toml beside the file (it also marks the project's root)."""
        text = '[project]\nname = "fuzzed"\n'
        if self.input_style == "pyproject":
            shapes = json.dumps([list(s) for s in self.inputs])
            text += f"\n[tool.torchport.input-shapes]\n{self.class_name} = {shapes}\n"
        return text


Step = Callable[[st.DrawFn, Writer, Shape], Shape]


def import_all_of_torchport() -> None:
    """Import every torchport module. Hypothesis also draws, now and then, constants it finds in the
    project's modules loaded so far (torchport's, not the tests'): with all of them loaded, a seed gives
    the same examples whichever modules a run happened to import before."""
    import torchport

    for module in pkgutil.walk_packages(torchport.__path__, "torchport."):
        importlib.import_module(module.name)


def spatial_steps(shape: Shape, sequential: bool) -> list[tuple[Step, int]]:
    """The steps that fit an (N, C, *spatial) tensor, with weights."""
    nd = len(shape) - 2
    smallest = min(shape[2:])
    steps: list[tuple[Step, int]] = [
        (lambda d, w, s: conv2d(d, w, s, nd), 6),
        (lambda d, w, s: batchnorm(d, w, s, nd), 3),
        (activation, 4),
        (dropout, 1),
    ]
    if smallest >= 2:
        steps += [(lambda d, w, s: pool2d(d, w, s, nd), 3), (lambda d, w, s: adaptive_pool(d, w, s, nd), 1)]
    if nd == 2:
        steps.append((groupnorm, 1))
        if smallest <= 16:
            steps += [(upsample, 1), (pad, 1)]
        if shape[1] % 4 == 0:
            steps.append((pixel_shuffle, 1))
    if not sequential:
        steps += [(residual, 2), (concat, 2), (repeated, 1), (widening, 1), (blocks, 3), (vgg_config, 2),
                  (global_pool, 1), (separable, 2), (strided_slice, 1)]
        steps += [(dense_block, 1), (zipped_lists, 1), (named_in_loop, 1), (token_mixing, 1), (stacked_branches, 1)]
        if shape[1] % 2 == 0:
            steps.append((gated, 1))
        if nd == 2:
            steps += [(squeeze_excite, 1), (channels_last_norm, 1), (asymmetric_conv, 1), (helper_conv, 2),
                      (spatial_attention, 1), (channel_einsum, 1)]
            if smallest >= 2:
                steps.append((unet_skip, 1))
    return steps


def feature_steps(shape: Shape, sequential: bool) -> list[tuple[Step, int]]:
    steps: list[tuple[Step, int]] = [(linear, 5), (activation, 4), (dropout, 2), (layernorm, 1)]
    if len(shape) == 2:
        steps.append((batchnorm1d, 2))
    if not sequential:
        steps += [(linear_residual, 2), (linear_concat, 1), (mlp_list, 1), (module_dict, 1)]
        if len(shape) == 3:
            steps += [(recurrent, 3), (attention, 2), (hand_attention, 2), (class_token, 1)]
    return steps


def pick(draw: st.DrawFn, steps: list[tuple[Step, int]]) -> Step:
    return draw(st.sampled_from([step for step, weight in steps for _ in range(weight)]))


def spatial_stage(draw: st.DrawFn, w: Writer, shape: Shape, low: int, high: int) -> Shape:
    """A run of spatial steps, moved into a helper method now and then."""
    mark = len(w.forward)
    for _ in range(draw(st.integers(low, high))):
        shape = pick(draw, spatial_steps(shape, w.sequential))(draw, w, shape)
    if not w.sequential and one_in(draw, 4):
        helper_method(w, mark)
    return shape


@st.composite
def examples(draw: st.DrawFn) -> Example:
    """A model file, its inputs and at most one planted mistake (in about half the examples)."""
    plant = draw(st.sampled_from((None, None, *PLANTABLE)))
    start = draw(st.sampled_from(("image", "image", "image", "signal", "features", "tokens", "sequence", "latent")))
    sequential = start in ("image", "signal", "features", "latent") and one_in(draw, 4)
    w = Writer(draw, plant, sequential)
    batch = draw(st.integers(1, 4))
    dtype = "float32"
    if start == "image":
        shape: Shape = (batch, draw(st.sampled_from((1, 3, 3))), draw(st.integers(8, 40)), draw(st.integers(8, 40)))
        w.pending_input = ("in_channels", shape[1])
    elif start == "signal":
        shape = (batch, draw(st.integers(1, 4)), draw(st.integers(16, 80)))
        w.pending_input = ("in_channels", shape[1])
    elif start in ("features", "latent"):
        shape = (batch, draw(st.sampled_from((4, 13, 20, 32, 64))))
        w.pending_input = ("in_features", shape[1])
    elif start == "sequence":
        shape = (batch, draw(st.integers(3, 12)), draw(st.sampled_from((4, 8, 16))))
    else:
        dtype = "int64"
        shape = (batch, draw(st.integers(3, 16)))
    inputs: tuple[Shape, ...] = (shape,)

    if start == "tokens":
        vocab, embed = draw(st.sampled_from((50, 100, 1000))), draw(st.sampled_from((8, 16, 32)))
        w.statements([Line(f"self.embedding = nn.Embedding({vocab}, {embed})")], [Line("x = self.embedding(x)")])
        shape = (*shape, embed)
    if start == "latent":
        shape = unflatten(draw, w, shape)
    if start == "features" and not sequential and one_in(draw, 3):
        w.pending_input = None
        shape = as_signal(draw, w, shape)

    # the trunk: spatial steps, then sequence steps, then features
    factors: tuple[int, ...] = ()
    if len(shape) >= 3 and start in ("image", "signal", "latent", "features"):
        shape = spatial_stage(draw, w, shape, 1, 6)
    if len(shape) == 3 and start in ("tokens", "sequence"):
        for _ in range(draw(st.integers(0, 3))):
            shape = pick(draw, feature_steps(shape, sequential))(draw, w, shape)
            if len(shape) != 3:
                break
        if len(shape) == 3 and draw(st.booleans()):
            shape = to_channels(draw, w, shape)
            shape = spatial_stage(draw, w, shape, 1, 3)
    if len(shape) >= 3:
        shape, factors = flatten(draw, w, shape)
    if start in ("image", "signal") and not sequential and one_in(draw, 5):
        extra = (batch, draw(st.sampled_from((3, 10, 16))))
        inputs = (*inputs, extra)
        joined = draw(st.sampled_from(("torch.cat([x, extra], dim=1)", "torch.cat((x, extra), -1)")))
        w.statements([], [Line(f"x = {joined}")])
        shape, factors = (batch, shape[1] + extra[1]), ()
    for _ in range(draw(st.integers(0, 3))):
        shape = pick(draw, feature_steps(shape, sequential))(draw, w, shape)
        factors = ()
    num_classes = draw(st.sampled_from((1, 2, 5, 10)))
    named = draw(st.booleans())
    if named:
        w.params["num_classes"] = num_classes
    shape = linear(draw, w, shape, factors, out=num_classes, out_text="num_classes" if named else None, last=True)
    if one_in(draw, 5):
        w.step(Unary("nn.LogSoftmax(dim=1)", "out", "F.log_softmax({0}, dim=1)"))
    w.finish()

    kwargs: dict[str, int] = {}
    style = draw(st.sampled_from(INPUT_STYLES))
    if named and style in ("cli", "call") and draw(st.booleans()):
        kwargs["num_classes"] = draw(st.sampled_from((3, 7)))
    class_name = draw(st.sampled_from(("Net", "Model", "ConvNet", "Classifier", "PortedModel")))
    dtypes = (dtype,) + ("float32",) * (len(inputs) - 1)
    source, planted_line = render(class_name, w, style, inputs, dtypes, kwargs)
    return Example(source, class_name, inputs, dtypes, style, kwargs, w.planted, planted_line if w.precise else None)


INPUT_NAMES = ("x", "extra")  # forward's tensor arguments


def render(class_name: str, w: Writer, style: str, inputs: tuple[Shape, ...], dtypes: tuple[str, ...],
           kwargs: dict[str, int]) -> tuple[str, int | None]:
    """The file's text, and the line of the planted mistake when exactly one line is marked."""
    header = ['"""A generated model (tests/fuzz/strategies.py)."""', ""]
    if style == "jaxtyping":
        header += ["from __future__ import annotations", ""]
    header += sorted(w.imports) + (["from typing import TYPE_CHECKING"] if style == "jaxtyping" else [])
    header += ([""] if len(header) > 2 and header[-1] else []) + \
        ["import torch", "import torch.nn as nn", "import torch.nn.functional as F", ""]
    if style == "jaxtyping":
        header += ["if TYPE_CHECKING:", "    from jaxtyping import Float, Int", ""]
    lines: list[Line] = [Line(text) for text in header]
    for definition in w.classes.values():
        lines += [Line(""), *definition, Line("")]
    signature = ", ".join(["self", *(f"{k}={v}" for k, v in w.params.items())])
    lines += [Line(""), Line(f"class {class_name}(nn.Module):"), Line(f"    def __init__({signature}):"),
              Line("        super().__init__()")]
    lines += [Line(f"        {line.text}", line.planted) for line in w.init]
    for method in w.methods.values():
        lines += [Line("")] + [Line(f"    {line.text}", line.planted) for line in method]
    names = INPUT_NAMES[:len(inputs)]
    if style == "jaxtyping":
        annotated = [f"{name}: {'Int' if dtype == 'int64' else 'Float'}[torch.Tensor, \"{' '.join(map(str, shape))}\"]"
                     for name, shape, dtype in zip(names, inputs, dtypes)]
        forward_signature = f"def forward(self, {', '.join(annotated)}) -> torch.Tensor:"
    else:
        forward_signature = f"def forward(self, {', '.join(names)}):"
    lines += [Line(""), Line(f"    {forward_signature}")]
    lines += [Line(f"        {line.text}", line.planted) for line in w.forward]
    lines.append(Line("        return x"))
    if style == "call":
        arguments = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        tensors = ", ".join(f"torch.zeros({', '.join(map(str, shape))}, dtype=torch.long)" if dtype == "int64"
                            else f"torch.randn({', '.join(map(str, shape))})" for shape, dtype in zip(inputs, dtypes))
        lines += [Line(""), Line(""), Line('if __name__ == "__main__":'),
                  Line(f"    model = {class_name}({arguments})"),
                  Line(f"    print(model({tensors}).shape)")]
    planted = [number for number, line in enumerate(lines, 1) if line.planted]
    return "\n".join(line.text for line in lines) + "\n", planted[0] if len(planted) == 1 else None
