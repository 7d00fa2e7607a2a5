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

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

Shape = tuple[int, ...]

LINEAR, CONV, NORM, VIEW, INCOMPATIBLE = (
    "linear-in-features-mismatch",
    "conv-in-channels-mismatch",
    "norm-num-features-mismatch",
    "view-flatten-mismatch",
    "incompatible-shapes",
)
PLANTABLE = (LINEAR, CONV, NORM, VIEW, INCOMPATIBLE)
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


# ------------------------------------------------------------------------------------------ the writer

@dataclass
class Line:
    text: str
    planted: bool = False


@dataclass
class Unary:
    """One step on the running tensor: a module (constructor source) and/or a functional form."""

    module: str | None  # "nn.Conv2d(3, 16, 3)": can be a registered attribute or a Sequential element
    prefix: str  # attribute base name: "conv" -> self.conv1
    functional: str | None = None  # template with {0} for the input: "F.relu({0})"
    needs_name: bool = False  # the template uses its input twice: only on a plain variable
    planted: bool = False
    shareable: bool = False  # stateless: an attribute may be reused (`self.pool` called twice)


class Writer:
    """Accumulates `__init__` and `forward` lines while the generator walks the model."""

    def __init__(self, draw: st.DrawFn, plant: str | None, sequential: bool) -> None:
        self.draw = draw
        self.plant_kind = plant
        self.planted: str | None = None
        self.precise = True  # the planted mistake is one number on one line, where torchport should point
        # False once the running tensor may be a strided view (after a transpose, a batch-first RNN):
        # `view` then raises in torch, which torchport does not model (tests/fuzz/regressions/)
        self.contiguous = True
        self.sequential = sequential  # modules go into nn.Sequential groups
        self.init: list[Line] = []
        self.forward: list[Line] = []
        self.helpers: list[list[Line]] = []
        self.counts: dict[str, int] = {}
        self.shared: dict[str, str] = {}  # constructor source -> attribute of a stateless layer
        self.chain: list[Unary] = []
        self.group: list[Unary] = []  # the open Sequential group
        self.groups = 0
        self.classes: dict[str, list[Line]] = {}  # submodule classes defined before the model
        self.methods: dict[str, list[Line]] = {}  # the model's helper methods (a def line, then the body)
        self.params: dict[str, int] = {}  # the model's constructor parameters and their defaults
        self.imports: set[str] = set()
        self.in_planes: int | None = None  # self.in_planes after the last _make_layer call
        self.pending_input: tuple[str, int] | None = None  # (parameter, value) the first layer's input size reads

    def size(self, value: int) -> str:
        """The first layer's input size as users write it: the constructor parameter, or the number."""
        if self.pending_input is not None and self.pending_input[1] == value:
            name, _ = self.pending_input
            self.pending_input = None
            if self.draw(st.booleans()):
                self.params[name] = value
                return name
        self.pending_input = None
        return str(value)

    # names
    def name(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"

    def plant(self, kind: str, chance: int = 2) -> bool:
        """Whether to plant a mistake of this kind here (one per example, when it was chosen)."""
        if self.plant_kind != kind or self.planted is not None:
            return False
        if chance > 1 and not self.draw(st.integers(0, chance - 1)) == 0:
            return False
        self.planted = kind
        return True

    # unary steps
    def step(self, unary: Unary) -> None:
        if unary.module is None or (unary.functional is not None and not self.sequential
                                    and self.draw(st.booleans())):
            self.close_group()
            self.call(Unary(None, "", unary.functional, unary.needs_name, unary.planted))
            return
        if self.sequential:
            self.group.append(unary)
            return
        attribute = self.shared.get(unary.module) if unary.shareable and self.draw(st.booleans()) else None
        if attribute is None:
            attribute = self.name(unary.prefix)
            self.init.append(Line(f"self.{attribute} = {unary.module}", unary.planted))
            if unary.shareable:
                self.shared[unary.module] = attribute
        self.call(Unary(None, "", f"self.{attribute}({{0}})"))

    def call(self, unary: Unary) -> None:
        """Add a functional template to the forward chain (nested calls on one line, up to 3)."""
        self.close_group()  # the open Sequential runs first
        if unary.needs_name or len(self.chain) >= self.draw(st.integers(1, 3)):
            self.flush()
        self.chain.append(unary)
        if unary.needs_name and self.draw(st.booleans()):
            self.flush()

    def flush(self) -> None:
        if not self.chain:
            return
        expression = "x"
        planted = False
        for unary in self.chain:
            assert unary.functional is not None
            expression = unary.functional.format(expression)
            planted = planted or unary.planted
        self.forward.append(Line(f"x = {expression}", planted))
        self.chain = []

    def close_group(self) -> None:
        if not self.group:
            return
        group, self.group = self.group, []
        name = self.draw(st.sampled_from(("features", "body", "block", "stage", "layers")))
        self.groups += 1
        attribute = f"{name}{self.groups}" if self.groups > 1 or self.draw(st.booleans()) else name
        if one_in(self.draw, 4):  # named children: features.conv1, features.relu1
            self.imports.add("from collections import OrderedDict")
            self.init.append(Line(f"self.{attribute} = nn.Sequential(OrderedDict(["))
            counts: dict[str, int] = {}
            for unary in group:
                counts[unary.prefix] = counts.get(unary.prefix, 0) + 1
                self.init.append(Line(f'    ("{unary.prefix}{counts[unary.prefix]}", {unary.module}),', unary.planted))
            self.init.append(Line("]))"))
        else:
            self.init.append(Line(f"self.{attribute} = nn.Sequential("))
            for unary in group:
                self.init.append(Line(f"    {unary.module},", unary.planted))
            self.init.append(Line(")"))
        self.call(Unary(None, "", f"self.{attribute}({{0}})"))

    def statements(self, init: list[Line], forward: list[Line]) -> None:
        """A multi-line segment (skip connection, cat, loop...): ends the open chain and group."""
        self.close_group()
        self.flush()
        self.init.extend(init)
        self.forward.extend(forward)

    def finish(self) -> None:
        self.close_group()
        self.flush()


# ------------------------------------------------------------------------------------------ sizes

def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pool_out(size: int, kernel: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> int:
    span = size + 2 * padding - kernel
    out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def one_in(draw: st.DrawFn, n: int) -> bool:
    """True about once in n draws (hypothesis favours small integers: `integers(0, n) == 0` is far likelier)."""
    return draw(st.sampled_from((False,) * (n - 1) + (True,)))


def wrong(draw: st.DrawFn, value: int, low: int = 1) -> int:
    """A plausible wrong number instead of `value`: off by a little, doubled, halved, another width."""
    candidates = {value + 1, value - 1, value * 2, value // 2, value + 16, 3, 16, 32, 64}
    options = sorted(c for c in candidates if c >= low and c != value)
    return draw(st.sampled_from(options))


def product_text(draw: st.DrawFn, factors: tuple[int, ...]) -> str:
    """A number as users write a flatten size: `1024` or `64 * 4 * 4`."""
    if len(factors) > 1 and draw(st.booleans()):
        return " * ".join(str(f) for f in factors)
    return str(math.prod(factors))


widths = st.sampled_from((4, 6, 8, 12, 16, 24, 32))
hidden = st.sampled_from((8, 10, 16, 20, 32, 64))


# ------------------------------------------------------------------------------------------ images (N, C, H, W)

def conv2d(draw: st.DrawFn, w: Writer, shape: Shape, nd: int = 2) -> Shape:
    n, c, *spatial = shape
    smallest = min(spatial)
    kernel = draw(st.sampled_from([k for k in (1, 3, 3, 5) if k <= smallest + 2] or [1]))
    padding = draw(st.sampled_from((kernel // 2, kernel // 2, 0)))
    stride = draw(st.sampled_from((1, 1, 2))) if smallest >= 4 else 1
    if conv_out(smallest, kernel, stride, padding) < 1:
        padding = kernel // 2
    groups = draw(st.sampled_from((1, 1, 1, 2))) if c % 2 == 0 else 1
    out = draw(widths) * groups if groups > 1 else draw(widths)
    out = out - out % groups
    cin = c
    planted = w.plant(CONV)
    if planted:
        cin = draw(st.sampled_from([v for v in (c + groups, c * 2, max(groups, c // 2 - c // 2 % groups), 2 * groups)
                                    if v != c and v % groups == 0]))
    if stride == 1 and one_in(draw, 8):  # an even kernel with padding="same": torch pads one side more
        even = draw(st.sampled_from((2, 4)))
        w.step(Unary(f"nn.Conv{nd}d({w.size(c)}, {c}, {even}, padding=\"same\")", "conv"))
        return shape
    dilation = 2 if kernel == 3 and smallest >= 6 and one_in(draw, 6) else 1
    if dilation == 2:
        padding = draw(st.sampled_from((2, 0)))
    parts = [str(cin) if planted else w.size(cin), str(out), str(kernel)]
    if stride != 1:
        parts.append(f"stride={stride}")
    if padding and stride == 1 and padding * 2 == dilation * (kernel - 1) and one_in(draw, 3):
        parts.append('padding="same"')
    elif padding:
        parts.append(f"padding={padding}")
    if dilation != 1:
        parts.append(f"dilation={dilation}")
    if groups > 1:
        parts.append(f"groups={groups}")
    if one_in(draw, 5):
        parts.append("bias=False")
    w.step(Unary(f"nn.Conv{nd}d({', '.join(parts)})", "conv", planted=planted))
    return (n, out, *(conv_out(s, kernel, stride, padding, dilation) for s in spatial))


def batchnorm(draw: st.DrawFn, w: Writer, shape: Shape, nd: int) -> Shape:
    c = shape[1]
    planted = w.plant(NORM)
    features = wrong(draw, c) if planted else c
    extra = draw(st.sampled_from(("", "", "", ", momentum=0.1", ", eps=1e-3")))
    w.step(Unary(f"nn.BatchNorm{nd}d({features}{extra})", "bn", planted=planted))
    return shape


def groupnorm(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    c = shape[1]
    groups = draw(st.sampled_from([g for g in (1, 2, 4) if c % g == 0]))
    planted = w.plant(NORM)
    channels = c
    if planted:
        channels = draw(st.sampled_from([v for v in (c + groups, c * 2, 2 * groups, 8 * groups) if v != c]))
    w.step(Unary(f"nn.GroupNorm({groups}, {channels})", "norm", planted=planted))
    return shape


ACTIVATIONS = (
    ("nn.ReLU()", "relu", "F.relu({0})"),
    ("nn.ReLU(inplace=True)", "relu", "torch.relu({0})"),
    ("nn.LeakyReLU(0.2)", "act", "F.leaky_relu({0}, 0.2)"),
    ("nn.GELU()", "act", "F.gelu({0})"),
    ("nn.SiLU()", "act", "F.silu({0})"),
    ("nn.Tanh()", "act", "torch.tanh({0})"),
    ("nn.Sigmoid()", "act", "torch.sigmoid({0})"),
    ("nn.ELU()", "act", "F.elu({0})"),
    ("nn.Hardswish()", "act", "F.hardswish({0})"),
    ("nn.ReLU6()", "act", "F.relu6({0})"),
    ("nn.ReLU()", "relu", "{0}.relu()"),
)


def activation(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    module, prefix, functional = draw(st.sampled_from(ACTIVATIONS))
    w.step(Unary(module, prefix, functional, shareable=True))
    return shape


def dropout(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    p = draw(st.sampled_from((0.1, 0.25, 0.5)))
    kind = "Dropout2d" if len(shape) == 4 and draw(st.booleans()) else "Dropout"
    functional = f"F.dropout({{0}}, {p}, self.training)" if kind == "Dropout" else None
    w.step(Unary(f"nn.{kind}({p})", "dropout", functional, shareable=True))
    return shape


def pool2d(draw: st.DrawFn, w: Writer, shape: Shape, nd: int = 2) -> Shape:
    n, c, *spatial = shape
    smallest = min(spatial)
    kind = draw(st.sampled_from(("Max", "Max", "Avg")))
    kernel = draw(st.sampled_from([k for k in (2, 2, 3) if k <= smallest]))
    stride = draw(st.sampled_from((kernel, kernel, 2, 1)))
    padding = draw(st.sampled_from((0, 0, kernel // 2)))
    ceil_mode = one_in(draw, 5)
    sizes = tuple(pool_out(s, kernel, stride, padding, ceil_mode) for s in spatial)
    if min(sizes) < 1:
        return shape
    parts = [str(kernel)]
    if stride != kernel:
        parts.append(f"stride={stride}" if padding == 0 else str(stride))
    if padding:
        parts.append(f"padding={padding}")
    if ceil_mode:
        parts.append("ceil_mode=True")
    functional = f"F.{kind.lower()}_pool{nd}d({{0}}, {', '.join(parts)})"
    w.step(Unary(f"nn.{kind}Pool{nd}d({', '.join(parts)})", "pool", functional, shareable=True))
    return (n, c, *sizes)


def adaptive_pool(draw: st.DrawFn, w: Writer, shape: Shape, nd: int = 2) -> Shape:
    n, c, *spatial = shape
    size = draw(st.sampled_from((1, 1, 2, 4)))
    kind = draw(st.sampled_from(("Avg", "Avg", "Max")))
    text = str(size) if nd == 1 or draw(st.booleans()) else f"({size}, {size})"
    functional = f"F.adaptive_{kind.lower()}_pool{nd}d({{0}}, {text})"
    w.step(Unary(f"nn.Adaptive{kind}Pool{nd}d({text})", "pool", functional, shareable=True))
    return (n, c, *(size for _ in spatial))


def upsample(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    n, c, h, width = shape
    choice = draw(st.integers(0, 5))
    if choice == 4:
        w.step(Unary("nn.Upsample(scale_factor=1.5)", "up", "F.interpolate({0}, scale_factor=1.5)"))
        return (n, c, int(h * 1.5), int(width * 1.5))
    if choice == 5:
        out = draw(widths)
        w.step(Unary(f"nn.ConvTranspose2d({c}, {out}, 3, stride=2, padding=1, output_padding=1)", "up"))
        return (n, out, 2 * h, 2 * width)
    if choice == 0:
        w.step(Unary("nn.Upsample(scale_factor=2, mode=\"nearest\")", "up",
                     "F.interpolate({0}, scale_factor=2, mode=\"nearest\")", shareable=True))
        return (n, c, 2 * h, 2 * width)
    if choice == 1:
        w.step(Unary(None, "", "F.interpolate({0}, size=(%d, %d), mode=\"bilinear\", align_corners=False)"
                     % (h + 3, width + 1)))
        return (n, c, h + 3, width + 1)
    out = draw(widths)
    planted = w.plant(CONV)
    cin = wrong(draw, c) if planted else c
    w.step(Unary(f"nn.ConvTranspose2d({cin}, {out}, kernel_size=2, stride=2)", "up", planted=planted))
    return (n, out, 2 * h, 2 * width)


def pad(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    n, c, h, width = shape
    amount = draw(st.integers(1, 2))
    if min(h, width) > amount and draw(st.booleans()):
        w.step(Unary(f"nn.ReflectionPad2d({amount})", "pad",
                     f"F.pad({{0}}, ({amount}, {amount}, {amount}, {amount}), mode=\"reflect\")"))
    else:
        w.step(Unary(f"nn.ZeroPad2d({amount})", "pad", f"F.pad({{0}}, ({amount}, {amount}, {amount}, {amount}))"))
    return (n, c, h + 2 * amount, width + 2 * amount)


def pixel_shuffle(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    n, c, h, width = shape
    w.step(Unary("nn.PixelShuffle(2)", "shuffle", "F.pixel_shuffle({0}, 2)"))
    return (n, c // 4, 2 * h, 2 * width)


def conv_body(draw: st.DrawFn, channels: int, out: int, stride: int, nd: int = 2) -> list[str]:
    """The layers of a residual body: conv, norm, activation (and a second conv)."""
    kernel = draw(st.sampled_from((3, 3, 1)))
    layers = [f"nn.Conv{nd}d({channels}, {out}, {kernel}"
              + (f", stride={stride}" if stride != 1 else "") + (f", padding={kernel // 2}" if kernel > 1 else "")
              + ", bias=False)", f"nn.BatchNorm{nd}d({out})", "nn.ReLU(inplace=True)"]
    if draw(st.booleans()):
        layers += [f"nn.Conv{nd}d({out}, {out}, 3, padding=1, bias=False)", f"nn.BatchNorm{nd}d({out})"]
    return layers


def residual(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """`x = x + self.block(x)`, the ResNet basic-block spelling, or a projection shortcut."""
    n, c, *spatial = shape
    nd = len(spatial)
    planted = c > 1 and min(spatial) >= 3 and w.plant(INCOMPATIBLE)
    projection = not planted and draw(st.booleans())
    stride = draw(st.sampled_from((1, 2))) if min(spatial) >= 3 else 1
    out = draw(widths) if projection else c
    if planted:
        if stride == 1:
            out = draw(st.sampled_from([v for v in (c * 2, c + 4, c // 2) if v > 1 and v != c]))
    else:
        stride = stride if projection else 1
    body = w.name("block")
    init = [Line(f"self.{body} = nn.Sequential(")] + [Line(f"    {text},") for text in
                                                      conv_body(draw, c, out, stride, nd)] + [Line(")")]
    operand = "x"
    if projection:
        shortcut = w.name("shortcut")
        init += [Line(f"self.{shortcut} = nn.Sequential("),
                 Line(f"    nn.Conv{nd}d({c}, {out}, 1, stride={stride}, bias=False),"),
                 Line(f"    nn.BatchNorm{nd}d({out}),"), Line(")")]
        operand = f"self.{shortcut}(x)"
    form = draw(st.integers(0, 2))
    if form == 0:
        forward = [Line(f"x = {operand} + self.{body}(x)", planted)]
    elif form == 1:
        forward = [Line(f"x = F.relu(self.{body}(x) + {operand})", planted)]
    else:
        forward = [Line(f"identity = {operand}"), Line(f"out = self.{body}(x)"), Line("out += identity", planted),
                   Line("x = F.relu(out)")]
    w.statements(init, forward)
    return (n, out, *(conv_out(s, 3, stride, 1) for s in spatial)) if stride != 1 else (n, out, *spatial)


def concat(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Two branches from the same input joined by `torch.cat(..., 1)` (an Inception-style block)."""
    n, c, *spatial = shape
    nd = len(spatial)
    planted = min(spatial) >= 3 and w.plant(INCOMPATIBLE)
    first, second = draw(widths), draw(widths)
    a, b = w.name("branch"), w.name("branch")
    stride = ", stride=2" if planted else ""
    init = [Line(f"self.{a} = nn.Sequential(nn.Conv{nd}d({c}, {first}, 1), nn.ReLU())")]
    if draw(st.booleans()):
        init.append(Line(f"self.{b} = nn.Sequential(nn.Conv{nd}d({c}, {second}, 3, padding=1{stride}), nn.ReLU())"))
    else:
        second = c
        init.append(Line(f"self.{b} = nn.MaxPool{nd}d(3, {2 if planted else 1}, 1)"))
    form = draw(st.integers(0, 2))
    if form == 0:
        forward = [Line(f"x = torch.cat([self.{a}(x), self.{b}(x)], dim=1)", planted)]
    elif form == 1:
        forward = [Line(f"left = self.{a}(x)"), Line(f"right = self.{b}(x)"),
                   Line("x = torch.cat((left, right), 1)", planted)]
    else:
        forward = [Line(f"outputs = [self.{a}(x), self.{b}(x)]"), Line("x = torch.cat(outputs, dim=1)", planted)]
    w.statements(init, forward)
    return (n, first + second, *spatial)


def repeated(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Shape-keeping blocks in an nn.ModuleList built by a comprehension, called in a for loop."""
    _, c, *spatial = shape
    nd = len(spatial)
    count = draw(st.integers(1, 3))
    modules = w.name("blocks")
    init = [Line(f"self.{modules} = nn.ModuleList(["),
            Line(f"    nn.Sequential(nn.Conv{nd}d({c}, {c}, 3, padding=1), nn.BatchNorm{nd}d({c}), nn.ReLU())"),
            Line(f"    for _ in range({count})"), Line("])")]
    if draw(st.booleans()):
        forward = [Line(f"for block in self.{modules}:"), Line("    x = block(x)")]
    else:
        forward = [Line(f"for block in self.{modules}:"), Line("    x = x + block(x)")]
    w.statements(init, forward)
    return shape


def widening(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Convolutions over a list of widths: `nn.ModuleList([nn.Conv2d(ch[i], ch[i + 1], 3, padding=1) ...])`."""
    n, c, *spatial = shape
    nd = len(spatial)
    sizes = [c] + [draw(widths) for _ in range(draw(st.integers(1, 3)))]
    planted = w.plant(CONV)
    w.precise = w.precise and not planted  # the wrong number is in the list, the layer in the comprehension
    written = [wrong(draw, c), *sizes[1:]] if planted else sizes
    convs = w.name("convs")
    init = [Line(f"channels = {written}", planted),
            Line(f"self.{convs} = nn.ModuleList("),
            Line(f"    [nn.Conv{nd}d(channels[i], channels[i + 1], 3, padding=1) for i in range(len(channels) - 1)]"),
            Line(")")]
    forward = [Line(f"for conv in self.{convs}:"), Line("    x = F.relu(conv(x))")]
    w.statements(init, forward)
    return (n, sizes[-1], *spatial)


# ------------------------------------------------------------------------------------------ to features (N, F)

def flatten(draw: st.DrawFn, w: Writer, shape: Shape) -> tuple[Shape, tuple[int, ...]]:
    """From (N, C, ...) to (N, F); returns the new shape and the factors of F (for `64 * 4 * 4`)."""
    n, *rest = shape
    size = math.prod(rest)
    choice = draw(st.integers(0, 9))
    if not w.contiguous and choice in (1, 3, 4):
        choice = 6  # `view` needs a contiguous tensor: users reach for flatten or reshape there
    if choice == 0:
        w.step(Unary("nn.Flatten()", "flatten", "torch.flatten({0}, 1)"))
    elif choice == 1:
        w.call(Unary(None, "", "{0}.view({0}.size(0), -1)", needs_name=True))
    elif choice == 2:
        w.call(Unary(None, "", "{0}.flatten(1)"))
    elif choice == 3:
        w.call(Unary(None, "", "{0}.reshape({0}.shape[0], -1)", needs_name=True))
    elif choice == 4:
        planted = w.plant(VIEW, 1)
        k = size
        if planted:
            k = draw(st.sampled_from([v for v in (size // rest[0], size * 2, size + 1, size // 2)
                                      if v > 1 and v != size]))
        text = str(k) if planted or draw(st.booleans()) else " * ".join(map(str, rest))
        w.call(Unary(None, "", f"{{0}}.view(-1, {text})", planted=planted))
    elif choice == 5 and len(rest) >= 2:
        axes = tuple(range(2, len(shape)))
        reduce = draw(st.sampled_from(("mean", "mean", "amax", "sum")))
        text = f"dim={axes}" if draw(st.booleans()) else str(list(axes))
        w.call(Unary(None, "", f"{{0}}.{reduce}({text})"))
        return (n, rest[0]), (rest[0],)
    elif choice == 6:
        w.call(Unary(None, "", "torch.flatten({0}, start_dim=1)"))
    elif choice == 7 and w.contiguous:
        w.methods["num_flat_features"] = NUM_FLAT_FEATURES
        w.call(Unary(None, "", "{0}.view(-1, self.num_flat_features({0}))", needs_name=True))
    else:
        w.step(Unary("nn.Flatten()", "flatten", "torch.flatten({0}, 1)"))
    return (n, size), tuple(rest)


# ------------------------------------------------------------------------------------------ features (N, F)

def linear(draw: st.DrawFn, w: Writer, shape: Shape, factors: tuple[int, ...] = (), out: int | None = None,
           out_text: str | None = None, last: bool = False) -> Shape:
    """nn.Linear on the last dim; `last`: the model's head, the last chance to plant a wrong in_features."""
    *lead, f = shape
    out = draw(hidden) if out is None else out
    planted = w.plant(LINEAR, 1 if last else 2)
    text = str(wrong(draw, f)) if planted else product_text(draw, factors) if factors else w.size(f)
    bias = ", bias=False" if one_in(draw, 6) else ""
    if not planted and one_in(draw, 10):
        w.step(Unary(f"nn.LazyLinear({out_text or out}{bias})", "fc"))
    else:
        w.step(Unary(f"nn.Linear({text}, {out_text or out}{bias})", "fc", planted=planted))
    return (*lead, out)


def batchnorm1d(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    return batchnorm(draw, w, shape, 1)


def layernorm(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    w.step(Unary(f"nn.LayerNorm({shape[-1]})", "norm"))
    return shape


def linear_residual(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    f = shape[-1]
    planted = f > 2 and w.plant(INCOMPATIBLE)
    out = wrong(draw, f, 2) if planted else f
    fc = w.name("fc")
    form = draw(st.integers(0, 1))
    init = [Line(f"self.{fc} = nn.Linear({f}, {out})")]
    if form == 0:
        forward = [Line(f"x = x + F.relu(self.{fc}(x))", planted)]
    else:
        forward = [Line("residual = x"), Line(f"x = self.{fc}(x)"), Line("x = x + residual", planted)]
    w.statements(init, forward)
    return shape


def linear_concat(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    *lead, f = shape
    first, second = draw(hidden), draw(hidden)
    a, b = w.name("head"), w.name("head")
    init = [Line(f"self.{a} = nn.Linear({f}, {first})"), Line(f"self.{b} = nn.Linear({f}, {second})")]
    forward = [Line(f"x = torch.cat([self.{a}(x), self.{b}(x)], dim=-1)")]
    w.statements(init, forward)
    return (*lead, first + second)


def mlp_list(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """`sizes = [F, 64, 32]` and an nn.ModuleList of Linear layers over it, in a loop."""
    *lead, f = shape
    sizes = [f] + [draw(hidden) for _ in range(draw(st.integers(1, 3)))]
    planted = w.plant(LINEAR)
    w.precise = w.precise and not planted
    written = [wrong(draw, f), *sizes[1:]] if planted else sizes
    layers = w.name("hidden")
    init = [Line(f"sizes = {written}", planted),
            Line(f"self.{layers} = nn.ModuleList("),
            Line("    nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])" if draw(st.booleans()) else
                 "    [nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]"),
            Line(")")]
    forward = [Line(f"for layer in self.{layers}:"), Line("    x = F.relu(layer(x))")]
    w.statements(init, forward)
    return (*lead, sizes[-1])


# ------------------------------------------------------------------------------------------ sequences (N, T, F)

def recurrent(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    n, t, f = shape
    kind = draw(st.sampled_from(("LSTM", "GRU", "LSTM")))
    size = draw(st.sampled_from((8, 16, 32)))
    layers = draw(st.integers(1, 2))
    bidirectional = draw(st.booleans())
    name = w.name(kind.lower())
    args = f"{f}, {size}" + (f", num_layers={layers}" if layers > 1 else "") + ", batch_first=True" \
        + (", bidirectional=True" if bidirectional else "")
    out = size * (2 if bidirectional else 1)
    ending = draw(st.integers(0, 4))
    forward = [Line(f"x, _ = self.{name}(x)")]
    result: Shape = (n, t, out)
    if ending == 1:
        forward.append(Line("x = x[:, -1, :]"))
        result = (n, out)
    elif ending == 2:
        forward.append(Line("x = x[:, -1]"))
        result = (n, out)
    elif ending == 3:
        forward.append(Line("x = x.mean(dim=1)"))
        result = (n, out)
    elif ending == 4 and kind == "GRU":  # time-major, as torch's default
        args = args.replace(", batch_first=True", "")
        forward = [Line("x = x.transpose(0, 1)"), Line(f"out, _ = self.{name}(x)"), Line("x = out[-1]")]
        result = (n, out)
    elif ending == 4 and not bidirectional:
        hidden_state = "(h, _)" if kind == "LSTM" else "h"
        forward = [Line(f"_, {hidden_state} = self.{name}(x)"), Line("x = h[-1]")]
        result = (n, size)
    if len(result) == 3:
        w.contiguous = False  # a batch-first RNN's output is its time-major result, transposed
    w.statements([Line(f"self.{name} = nn.{kind}({args})")], forward)
    return result


def attention(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    f = shape[-1]
    heads = draw(st.sampled_from([h for h in (1, 2, 4) if f % h == 0]))
    name = w.name("attn")
    if draw(st.booleans()):
        init = [Line(f"self.{name} = nn.MultiheadAttention({f}, {heads}, batch_first=True)")]
        forward = [Line(f"attended, _ = self.{name}(x, x, x)"), Line("x = x + attended")]
    else:
        init = [Line(f"layer = nn.TransformerEncoderLayer(d_model={f}, nhead={heads}, dim_feedforward={2 * f}, "
                     "batch_first=True)"),
                Line(f"self.{name} = nn.TransformerEncoder(layer, num_layers={draw(st.integers(1, 2))}, "
                     "enable_nested_tensor=False)")]
        forward = [Line(f"x = self.{name}(x)")]
    w.statements(init, forward)
    return shape


def to_channels(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """(N, T, F) -> (N, F, T) for Conv1d, as text CNNs do."""
    n, t, f = shape
    w.contiguous = False
    w.call(Unary(None, "", draw(st.sampled_from(("{0}.transpose(1, 2)", "{0}.permute(0, 2, 1)",
                                                   "torch.transpose({0}, 1, 2)")))))
    return (n, f, t)


def unflatten(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """(N, F) -> Linear -> (N, C, H, W), a decoder's first step."""
    n, _ = shape
    c, h = draw(st.sampled_from((4, 8, 16))), draw(st.sampled_from((2, 4, 7)))
    shape = linear(draw, w, shape, out=c * h * h, out_text=draw(st.sampled_from((str(c * h * h), f"{c} * {h} * {h}"))))
    choice = draw(st.integers(0, 2))
    if choice == 0:
        w.step(Unary(f"nn.Unflatten(1, ({c}, {h}, {h}))", "unflatten"))
    elif choice == 1:
        w.call(Unary(None, "", f"{{0}}.view(-1, {c}, {h}, {h})"))
    else:
        w.call(Unary(None, "", f"{{0}}.view({{0}}.size(0), {c}, {h}, {h})", needs_name=True))
    return (n, c, h, h)


# ------------------------------------------------------------------------------------------ submodule classes

def conv_block_class(nd: int) -> list[Line]:
    return [Line(text) for text in (
        "class ConvBlock(nn.Module):",
        "    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1):",
        "        super().__init__()",
        f"        self.conv = nn.Conv{nd}d(in_channels, out_channels, kernel_size, stride=stride,",
        "                              padding=kernel_size // 2, bias=False)",
        f"        self.bn = nn.BatchNorm{nd}d(out_channels)",
        "        self.act = nn.ReLU(inplace=True)",
        "",
        "    def forward(self, x):",
        "        return self.act(self.bn(self.conv(x)))",
    )]


def basic_block_class(nd: int, buggy: bool) -> list[Line]:
    """The ResNet basic block; `buggy`: the projection only when the stride changes (a classic slip)."""
    condition = "stride != 1" if buggy else "stride != 1 or in_planes != planes"
    return [Line(text) for text in (
        "class BasicBlock(nn.Module):",
        "    expansion = 1",
        "",
        "    def __init__(self, in_planes, planes, stride=1):",
        "        super().__init__()",
        f"        self.conv1 = nn.Conv{nd}d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)",
        f"        self.bn1 = nn.BatchNorm{nd}d(planes)",
        f"        self.conv2 = nn.Conv{nd}d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)",
        f"        self.bn2 = nn.BatchNorm{nd}d(planes)",
        "        self.shortcut = nn.Sequential()",
        f"        if {condition}:",
        "            self.shortcut = nn.Sequential(",
        f"                nn.Conv{nd}d(in_planes, planes, kernel_size=1, stride=stride, bias=False),",
        f"                nn.BatchNorm{nd}d(planes),",
        "            )",
        "",
        "    def forward(self, x):",
        "        out = F.relu(self.bn1(self.conv1(x)))",
        "        out = self.bn2(self.conv2(out))",
    )] + [Line("        out += self.shortcut(x)", buggy), Line("        return F.relu(out)")]


MAKE_LAYER = [Line(text) for text in (
    "def _make_layer(self, planes, num_blocks, stride):",
    "    strides = [stride] + [1] * (num_blocks - 1)",
    "    layers = []",
    "    for s in strides:",
    "        layers.append(BasicBlock(self.in_planes, planes, s))",
    "        self.in_planes = planes",
    "    return nn.Sequential(*layers)",
)]


def blocks(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Blocks of a class defined in the file: ConvBlock / BasicBlock attributes, or ResNet's _make_layer."""
    n, c, *spatial = shape
    nd = len(spatial)
    kind = draw(st.sampled_from(("ConvBlock", "BasicBlock")))
    count = draw(st.integers(1, 3))
    stages: list[tuple[int, int]] = []  # (out channels, stride) per block
    size = min(spatial)
    for _ in range(count):
        stride = 2 if size >= 4 and one_in(draw, 3) else 1
        stages.append((draw(widths), stride))
        size = conv_out(size, 3, stride, 1)
    init: list[Line] = []
    if kind == "ConvBlock":
        w.classes.setdefault(kind, conv_block_class(nd))
        channels = c
        forward = []
        for out, stride in stages:
            planted = w.plant(CONV, 3)
            if planted:
                w.precise = False  # torchport points at the Conv inside ConvBlock, the number is here
            cin = wrong(draw, channels) if planted else channels
            kernel = draw(st.sampled_from((3, 3, 1, 5)))
            arguments = f"{cin}, {out}" + (f", kernel_size={kernel}" if kernel != 3 else "") \
                + (f", stride={stride}" if stride != 1 else "")
            name = w.name("block")
            init.append(Line(f"self.{name} = ConvBlock({arguments})"))
            forward.append(Line(f"x = self.{name}(x)"))
            spatial = [conv_out(s, kernel, stride, kernel // 2) for s in spatial]
            channels = out
        w.statements(init, forward)
        return (n, channels, *spatial)
    buggy = "BasicBlock" not in w.classes and stages[0][1] == 1 and stages[0][0] != c and stages[0][0] > 1 \
        and c > 1 and w.plant(INCOMPATIBLE, 1)
    w.classes.setdefault(kind, basic_block_class(nd, buggy))
    if draw(st.booleans()):
        w.methods["_make_layer"] = MAKE_LAYER
        out, stride = stages[0]
        name = w.name("layer")
        if w.in_planes != c:  # what the last _make_layer left in self.in_planes
            init.append(Line(f"self.in_planes = {c}"))
        w.in_planes = out
        init.append(Line(f"self.{name} = self._make_layer({out}, {count}, stride={stride})"))
        spatial = [conv_out(s, 3, stride, 1) for s in spatial]
        w.statements(init, [Line(f"x = self.{name}(x)")])
        return (n, out, *spatial)
    channels = c
    forward = []
    for out, stride in stages:
        planted = w.plant(CONV, 3)
        if planted:
            w.precise = False
        cin = wrong(draw, channels) if planted else channels
        name = w.name("layer")
        init.append(Line(f"self.{name} = BasicBlock({cin}, {out}" + (f", stride={stride})" if stride != 1 else ")")))
        forward.append(Line(f"x = self.{name}(x)"))
        spatial = [conv_out(s, 3, stride, 1) for s in spatial]
        channels = out
    w.statements(init, forward)
    return (n, channels, *spatial)


# ------------------------------------------------------------------------------------------ more branches

def squeeze_excite(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Channel attention: `x * self.se(x)` (a broadcast over H, W), with convolutions or Linear layers."""
    c = shape[1]
    reduced = max(1, c // 4)
    name = w.name("se")
    planted = c > 2 and w.plant(INCOMPATIBLE)
    if planted or draw(st.booleans()):
        out = wrong(draw, c, 2) if planted else c
        init = [Line(f"self.{name} = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d({c}, {reduced}, 1), nn.ReLU(),"),
                Line(f"                         nn.Conv2d({reduced}, {out}, 1), nn.Sigmoid())")]
        forward = [Line(f"x = x * self.{name}(x)", planted)]
    else:
        init = [Line(f"self.{name} = nn.Sequential(nn.Linear({c}, {reduced}), nn.ReLU(), "
                     f"nn.Linear({reduced}, {c}), nn.Sigmoid())")]
        pooled = draw(st.sampled_from(("x.mean(dim=(2, 3))", "F.adaptive_avg_pool2d(x, 1).view(b, c)",
                                       "x.mean((2, 3))")))
        forward = [Line("b, c, _, _ = x.size()" if draw(st.booleans()) else "b, c = x.shape[:2]"),
                   Line(f"y = {pooled}"),
                   Line(f"y = self.{name}(y).view(b, c, 1, 1)"),
                   Line(draw(st.sampled_from(("x = x * y", "x = x * y.expand_as(x)"))))]
    w.statements(init, forward)
    return shape


def unet_skip(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Down, up and `torch.cat([x, skip], dim=1)`; upsampling by 2 an odd size is the classic slip."""
    n, c, h, width = shape
    inner = draw(widths)
    down, up = w.name("down"), w.name("up")
    odd = h % 2 == 1 or width % 2 == 1
    planted = odd and w.plant(INCOMPATIBLE, 1)
    init = [Line(f"self.{down} = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d({c}, {inner}, 3, padding=1), nn.ReLU())")]
    if planted or (not odd and draw(st.booleans())):
        init.append(Line(f"self.{up} = nn.ConvTranspose2d({inner}, {inner}, 2, stride=2)" if draw(st.booleans())
                         else f"self.{up} = nn.Upsample(scale_factor=2)"))
        upsampled = f"self.{up}(x)"
    else:
        init.append(Line(f"self.{up} = nn.Conv2d({inner}, {inner}, 1)"))
        upsampled = f"F.interpolate(self.{up}(x), size=skip.shape[2:])"
    forward = [Line("skip = x"), Line(f"x = self.{down}(x)"), Line(f"x = {upsampled}"),
               Line(draw(st.sampled_from(("x = torch.cat([x, skip], dim=1)", "x = torch.cat((skip, x), 1)"))), planted)]
    w.statements(init, forward)
    return (n, c + inner, h, width)


def channels_last_norm(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """ConvNeXt's LayerNorm over channels: permute to (N, H, W, C), normalise, permute back."""
    c = shape[1]
    name = w.name("norm")
    w.contiguous = False
    w.statements([Line(f"self.{name} = nn.LayerNorm({c}, eps=1e-6)")],
                 [Line("x = x.permute(0, 2, 3, 1)"), Line(f"x = self.{name}(x)"), Line("x = x.permute(0, 3, 1, 2)")])
    return shape


def hand_attention(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Scaled dot-product attention written out: q @ k.transpose(-2, -1), softmax, @ v."""
    n, t, f = shape
    d, dv = draw(hidden), draw(hidden)
    planted = w.plant(INCOMPATIBLE)
    dk = wrong(draw, d, 2) if planted else d
    q, k, v = w.name("query"), w.name("key"), w.name("value")
    init = [Line(f"self.{q} = nn.Linear({f}, {d})"), Line(f"self.{k} = nn.Linear({f}, {dk})"),
            Line(f"self.{v} = nn.Linear({f}, {dv})")]
    scores = draw(st.sampled_from(("q @ k.transpose(-2, -1)", "torch.matmul(q, k.transpose(1, 2))",
                                   "torch.bmm(q, k.permute(0, 2, 1))")))
    forward = [Line(f"q, k, v = self.{q}(x), self.{k}(x), self.{v}(x)"),
               Line(f"scores = {scores} / {d} ** 0.5", planted),
               Line("x = torch.softmax(scores, dim=-1) @ v")]
    w.statements(init, forward)
    return (n, t, dv)


def as_signal(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """(N, F) -> (N, 1, F): a feature vector read as a one-channel signal."""
    n, f = shape
    template = draw(st.sampled_from(("{0}.unsqueeze(1)", "{0}.view({0}.size(0), 1, -1)", "{0}[:, None, :]")))
    w.call(Unary(None, "", template, needs_name=template.count("{0}") > 1))
    return (n, 1, f)


def helper_method(w: Writer, mark: int) -> None:
    """Move the forward lines written since `mark` into a helper method called from forward."""
    w.close_group()
    w.flush()
    body = w.forward[mark:]
    if not body:
        return
    del w.forward[mark:]
    name = w.draw(st.sampled_from(("_forward_features", "extract", "_encode")))
    w.methods[name] = [Line(f"def {name}(self, x):")] + [Line(f"    {line.text}", line.planted) for line in body] \
        + [Line("    return x")]
    w.forward.append(Line(f"x = self.{name}(x)"))


# ------------------------------------------------------------------------------------------ more spatial idioms

def vgg_config(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """VGG's configuration list turned into layers in a loop: `cfg = [16, "M", 32]`."""
    n, c, *spatial = shape
    nd = len(spatial)
    cfg: list[int | str] = []
    size, channels = min(spatial), c
    for _ in range(draw(st.integers(2, 5))):
        if size >= 2 and one_in(draw, 3):
            cfg.append("M")
            size //= 2
            spatial = [s // 2 for s in spatial]
        else:
            cfg.append(draw(widths))
            channels = cfg[-1]  # type: ignore[assignment]
    planted = w.plant(CONV, 3) and any(v != "M" for v in cfg)
    w.precise = w.precise and not planted
    norm = f" nn.BatchNorm{nd}d(v)," if draw(st.booleans()) else ""
    name = w.name("features")
    init = [Line(f"cfg = {cfg!r}"), Line("layers = []"),
            Line(f"channels = {wrong(draw, c) if planted else c}", planted),
            Line("for v in cfg:"), Line('    if v == "M":'),
            Line(f"        layers += [nn.MaxPool{nd}d(kernel_size=2, stride=2)]"),
            Line("    else:"),
            Line(f"        layers += [nn.Conv{nd}d(channels, v, kernel_size=3, padding=1),{norm}"
                 " nn.ReLU(inplace=True)]"),
            Line("        channels = v"), Line(f"self.{name} = nn.Sequential(*layers)")]
    w.statements(init, [Line(f"x = self.{name}(x)")])
    return (n, channels, *spatial)


def global_pool(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Pooling over the whole map with its size read from the tensor: `F.avg_pool2d(x, x.size()[2:])`."""
    n, c, *spatial = shape
    nd = len(spatial)
    if nd == 1:
        template = draw(st.sampled_from(("F.max_pool1d({0}, {0}.size(2))", "F.avg_pool1d({0}, {0}.shape[-1])")))
    else:
        template = draw(st.sampled_from(("F.avg_pool2d({0}, {0}.size()[2:])", "F.max_pool2d({0}, {0}.shape[2:])",
                                         "F.avg_pool2d({0}, kernel_size={0}.shape[-2:])")))
    w.call(Unary(None, "", template, needs_name=True))
    return (n, c, *(1 for _ in spatial))


def separable(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """MobileNet's depthwise (groups=channels) then pointwise convolution."""
    n, c, *spatial = shape
    nd = len(spatial)
    out = draw(widths)
    stride = 2 if min(spatial) >= 4 and draw(st.booleans()) else 1
    planted = w.plant(CONV)
    cin = wrong(draw, c) if planted else c
    w.step(Unary(f"nn.Conv{nd}d({c}, {c}, 3, stride={stride}, padding=1, groups={c}, bias=False)", "dw"))
    w.step(Unary(f"nn.BatchNorm{nd}d({c})", "bn"))
    w.step(Unary(f"nn.Conv{nd}d({cin}, {out}, 1, bias=False)", "pw", planted=planted))
    return (n, out, *(conv_out(s, 3, stride, 1) for s in spatial))


def asymmetric_conv(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Inception's factorised kernels: (1, k) or (k, 1), with tuple padding, or a tuple stride."""
    n, c, h, width = shape
    k = draw(st.sampled_from((3, 5, 7)))
    out = draw(widths)
    if draw(st.booleans()):
        kernel, padding = (1, k), (0, k // 2)
    else:
        kernel, padding = (k, 1), (k // 2, 0)
    stride = (1, 2) if width >= 4 and one_in(draw, 3) else (1, 1)
    text = f"nn.Conv2d({c}, {out}, kernel_size={kernel}, padding={padding}" + (f", stride={stride})" if stride != (1, 1)
                                                                                else ")")
    w.step(Unary(text, "conv"))
    return (n, out, conv_out(h, kernel[0], stride[0], padding[0]), conv_out(width, kernel[1], stride[1], padding[1]))


def gated(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Half the channels gate the other half: `a, b = x.chunk(2, dim=1)` or F.glu."""
    n, c, *spatial = shape
    if draw(st.booleans()):
        w.statements([], [Line("a, b = x.chunk(2, dim=1)"), Line("x = a * torch.sigmoid(b)")])
    else:
        w.call(Unary(None, "", "F.glu({0}, dim=1)"))
    return (n, c // 2, *spatial)


def strided_slice(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Slicing: every other position (`x[:, :, ::2]`) or the first channels (`x[:, :8]`)."""
    n, c, *spatial = shape
    if c >= 2 and draw(st.booleans()):
        keep = draw(st.integers(1, c - 1))
        w.call(Unary(None, "", f"{{0}}[:, :{keep}]"))
        return (n, keep, *spatial)
    w.call(Unary(None, "", "{0}[:, :, " + ", ".join("::2" for _ in spatial) + "]"))
    return (n, c, *((s + 1) // 2 for s in spatial))


NUM_FLAT_FEATURES = [Line(text) for text in (
    "def num_flat_features(self, x):",
    "    size = x.size()[1:]  # all dimensions except the batch dimension",
    "    num_features = 1",
    "    for s in size:",
    "        num_features *= s",
    "    return num_features",
)]


# ------------------------------------------------------------------------------------------ Python idioms

CONV3X3 = [Line(text) for text in (
    "def conv3x3(in_planes, out_planes, stride=1):",
    '    """3x3 convolution with padding (torchvision\'s helper)."""',
    "    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)",
)]


def helper_conv(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """A layer made by a module-level function: `self.conv1 = conv3x3(3, 16, stride=2)`."""
    n, c, h, width = shape
    out = draw(widths)
    stride = 2 if min(h, width) >= 4 and draw(st.booleans()) else 1
    planted = w.plant(CONV, 3)
    w.precise = w.precise and not planted  # torchport points at the nn.Conv2d inside conv3x3
    w.classes["conv3x3"] = CONV3X3
    w.step(Unary(f"conv3x3({wrong(draw, c) if planted else c}, {out}" + (f", stride={stride})" if stride != 1 else ")"),
                 "conv", planted=planted))
    return (n, out, conv_out(h, 3, stride, 1), conv_out(width, 3, stride, 1))


def dense_block(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """DenseNet: every layer reads the cat of all earlier outputs, kept in a list."""
    n, c, *spatial = shape
    nd = len(spatial)
    growth, count = draw(st.sampled_from((4, 8, 12))), draw(st.integers(2, 4))
    name = w.name("dense")
    planted = w.plant(CONV, 2)
    w.precise = w.precise and not planted
    base = wrong(draw, c) if planted else c
    init = [Line(f"self.{name} = nn.ModuleList(["),
            Line(f"    nn.Sequential(nn.BatchNorm{nd}d({base} + i * {growth}), nn.ReLU(), "
                 f"nn.Conv{nd}d({base} + i * {growth}, {growth}, 3, padding=1))", planted),
            Line(f"    for i in range({count})"), Line("])")]
    forward = [Line("features = [x]"), Line(f"for layer in self.{name}:"),
               Line("    features.append(layer(torch.cat(features, 1)))"), Line("x = torch.cat(features, 1)")]
    w.statements(init, forward)
    return (n, c + count * growth, *spatial)


def class_token(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """ViT: a learned class token cat'ed before the sequence, plus a learned position embedding."""
    n, t, f = shape
    planted = w.plant(INCOMPATIBLE)
    length = t if planted else t + 1  # forgetting the class token's position is the slip
    init = [Line(f"self.cls_token = nn.Parameter(torch.zeros(1, 1, {f}))"),
            Line(f"self.pos_embedding = nn.Parameter(torch.randn(1, {length}, {f}) * 0.02)")]
    forward = [Line("cls = self.cls_token.expand(x.size(0), -1, -1)" if draw(st.booleans())
                    else "cls = self.cls_token.expand(x.shape[0], 1, -1)"),
               Line("x = torch.cat([cls, x], dim=1)"), Line("x = x + self.pos_embedding", planted)]
    if "cls_token" in " ".join(line.text for line in w.init):
        return shape
    w.statements(init, forward)
    return (n, t + 1, f)


def module_dict(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Named heads in an nn.ModuleDict, joined by a cat over a comprehension."""
    *lead, f = shape
    keys = draw(st.sampled_from((("a", "b"), ("mean", "scale", "shift"))))
    sizes = {k: draw(hidden) for k in keys}
    name = w.name("heads")
    init = [Line(f"self.{name} = nn.ModuleDict({{")] + \
        [Line(f'    "{k}": nn.Linear({f}, {v}),') for k, v in sizes.items()] + [Line("})")]
    if draw(st.booleans()):
        joined = f"torch.cat([head(x) for head in self.{name}.values()], dim=-1)"
    else:
        joined = f"torch.cat([self.{name}[key](x) for key in {list(keys)!r}], -1)"
    w.statements(init, [Line(f"x = {joined}")])
    return (*lead, sum(sizes.values()))


def zipped_lists(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Two ModuleLists walked together: `for conv, norm in zip(self.convs, self.norms)`."""
    n, c, *spatial = shape
    nd = len(spatial)
    sizes = [c] + [draw(widths) for _ in range(draw(st.integers(1, 3)))]
    planted = w.plant(NORM)
    w.precise = w.precise and not planted
    convs, norms = w.name("convs"), w.name("norms")
    norm_sizes = "sizes[1:]" if not planted else f"{[wrong(draw, sizes[1]), *sizes[2:]]}"
    init = [Line(f"sizes = {sizes}"),
            Line(f"self.{convs} = nn.ModuleList(nn.Conv{nd}d(a, b, 3, padding=1) for a, b in zip(sizes, sizes[1:]))"),
            Line(f"self.{norms} = nn.ModuleList([nn.BatchNorm{nd}d(s) for s in {norm_sizes}])", planted)]
    forward = [Line(f"for conv, norm in zip(self.{convs}, self.{norms}):"), Line("    x = F.relu(norm(conv(x)))")]
    w.statements(init, forward)
    return (n, sizes[-1], *spatial)


def named_in_loop(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Layers registered by name in a loop (`setattr` / `add_module`) and fetched with `getattr`."""
    _, c, *spatial = shape
    nd = len(spatial)
    count = draw(st.integers(1, 3))
    prefix = f"stage{w.name('s')}_"
    register = draw(st.sampled_from((f'setattr(self, f"{prefix}{{i}}", layer)',
                                     f'self.add_module(f"{prefix}{{i}}", layer)')))
    init = [Line(f"for i in range({count}):"),
            Line(f"    layer = nn.Sequential(nn.Conv{nd}d({c}, {c}, 3, padding=1), nn.ReLU())"),
            Line(f"    {register}")]
    forward = [Line(f"for i in range({count}):"), Line(f'    x = getattr(self, f"{prefix}{{i}}")(x)')]
    w.statements(init, forward)
    return shape


def spatial_attention(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Attention over the positions of a feature map: (N, C, H, W) -> (N, HW, C) and back."""
    c = shape[1]
    heads = draw(st.sampled_from([k for k in (1, 2, 4) if c % k == 0]))
    name = w.name("attn")
    init = [Line(f"self.{name} = nn.MultiheadAttention({c}, {heads}, batch_first=True)")]
    forward = [Line("b, c, h, w = x.shape"),
               Line(draw(st.sampled_from(("t = x.flatten(2).transpose(1, 2)",
                                          "t = x.reshape(b, c, h * w).permute(0, 2, 1)")))),
               Line(f"t, _ = self.{name}(t, t, t)"),
               Line("x = x + t.transpose(1, 2).reshape(b, c, h, w)")]
    w.statements(init, forward)
    return shape


def token_mixing(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """nn.Linear on the last dim of a feature map (MLP-Mixer's token mixing over W)."""
    n, c, *spatial = shape
    out = draw(st.sampled_from((4, 8, spatial[-1])))
    planted = w.plant(LINEAR)
    w.step(Unary(f"nn.Linear({wrong(draw, spatial[-1]) if planted else spatial[-1]}, {out})", "mix", planted=planted))
    return (n, c, *spatial[:-1], out)


def stacked_branches(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """Branches of the same shape stacked on a new dim and averaged (selective-kernel style)."""
    _, c, *spatial = shape
    nd = len(spatial)
    count = draw(st.integers(2, 3))
    name = w.name("paths")
    planted = w.plant(INCOMPATIBLE) and min(spatial) >= 3
    dilations = [1 + i for i in range(count)]
    init = [Line(f"self.{name} = nn.ModuleList([")]
    init += [Line(f"    nn.Conv{nd}d({c}, {c}, 3, padding={d}, dilation={d}),") for d in dilations[:-1]]
    last = dilations[-1]
    padding = last - 1 if planted else last  # one short: the last path comes out two positions larger
    init += [Line(f"    nn.Conv{nd}d({c}, {c}, 3, padding={padding}, dilation={last}),"), Line("])")]
    reduce = draw(st.sampled_from(("x = torch.stack(outputs, dim=1).sum(dim=1)",
                                   "x = torch.stack(outputs, 0).mean(0)")))
    forward = [Line(f"outputs = [path(x) for path in self.{name}]"), Line(reduce, planted)]
    w.statements(init, forward)
    return shape


def channel_einsum(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """A 1x1 convolution written as an einsum with a weight parameter."""
    n, c, h, width = shape
    out = draw(widths)
    name = w.name("mix_weight")
    planted = w.plant(INCOMPATIBLE)
    cin = wrong(draw, c, 2) if planted else c
    w.contiguous = False  # einsum may return a permuted view
    w.statements([Line(f"self.{name} = nn.Parameter(torch.randn({out}, {cin}) / {cin} ** 0.5)")],
                 [Line(f'x = torch.einsum("bchw,oc->bohw", x, self.{name})', planted)])
    return (n, out, h, width)


# ------------------------------------------------------------------------------------------ the model

Step = Callable[[st.DrawFn, Writer, Shape], Shape]


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
        steps.append((lambda d, w, s: pool2d(d, w, s, nd), 3))
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


# ------------------------------------------------------------------------------------------ the file

INPUT_NAMES = ("x", "extra")


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
