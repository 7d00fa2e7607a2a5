"""The generator's writer: the lines of `__init__` and `forward` a generated model accumulates, and the
size arithmetic and value choices its steps share (tests/fuzz/strategies.py assembles the file)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

Shape = tuple[int, ...]

LINEAR, CONV, NORM, VIEW, INCOMPATIBLE, STRIDES = (
    "linear-in-features-mismatch",
    "conv-in-channels-mismatch",
    "norm-num-features-mismatch",
    "view-flatten-mismatch",
    "incompatible-shapes",
    "view-of-non-contiguous",
)
# the mistakes a generated example may plant, by the 73xx message that reports them (as the zoo manifest maps
# mistakes); a VIEW plant on a tensor that may be strided is written as a `view` of it: STRIDES
PLANTABLE = (LINEAR, CONV, NORM, VIEW, INCOMPATIBLE)


# layers whose output is contiguous whatever their input's layout (torch on the CPU and the meta device):
# after one, a `view` cannot fail for strides, so a planted one there would plant nothing
FRESH_LAYERS = ("nn.Conv1d(", "nn.Linear(", "nn.LazyLinear(", "nn.LayerNorm(", "nn.Embedding(")


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
        # False once the running tensor may be a strided view (after a transpose, a batch-first RNN): a
        # `view` there may raise in torch, so the generator writes one only as the planted mistake
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

    def plant(self, kind: str, chance: int = 2, symbol: str | None = None) -> bool:
        """Whether to plant a mistake of this kind here (one per example, when it was chosen); `symbol`:
        the message that reports it, when not the kind's own."""
        if self.plant_kind != kind or self.planted is not None:
            return False
        if chance > 1 and not self.draw(st.integers(0, chance - 1)) == 0:
            return False
        self.planted = symbol or kind
        return True

    # unary steps
    def step(self, unary: Unary) -> None:
        if unary.module is not None and unary.module.startswith(FRESH_LAYERS):
            self.contiguous = True
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
