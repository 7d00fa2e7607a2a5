"""Generator steps from feature maps to features, on features (N, F) and on sequences (N, T, F): flatten
in its many spellings, Linear heads, MLP lists, RNNs and attention (tests/fuzz/strategies.py)."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from tests.fuzz.steps_maps import batchnorm
from tests.fuzz.writer import (
    INCOMPATIBLE,
    LINEAR,
    STRIDES,
    VIEW,
    Line,
    Shape,
    Unary,
    Writer,
    hidden,
    one_in,
    product_text,
    wrong,
)

NUM_FLAT_FEATURES = [Line(text) for text in (
    "def num_flat_features(self, x):",
    "    size = x.size()[1:]  # all dimensions except the batch dimension",
    "    num_features = 1",
    "    for s in size:",
    "        num_features *= s",
    "    return num_features",
)]


def flatten(draw: st.DrawFn, w: Writer, shape: Shape) -> tuple[Shape, tuple[int, ...]]:
    """From (N, C, ...) to (N, F); returns the new shape and the factors of F (for `64 * 4 * 4`)."""
    n, *rest = shape
    size = math.prod(rest)
    if not w.contiguous and w.plant(VIEW, 1, STRIDES):  # a Keras port's `view` after a transpose: torch may raise
        w.call(Unary(None, "", "{0}.view({0}.size(0), -1)", needs_name=True, planted=True))
        return (n, size), tuple(rest)
    # an example chosen for a view mistake plants it at its flatten (not once in ten)
    choice = 4 if w.plant_kind == VIEW and w.planted is None else draw(st.integers(0, 9))
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
        if w.plant(VIEW, 2, STRIDES):  # Keras' LSTM(return_sequences=True) then Flatten, ported as a view
            forward.append(Line("x = x.view(x.size(0), -1)", planted=True))
            result = (n, t * out)
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


def as_signal(draw: st.DrawFn, w: Writer, shape: Shape) -> Shape:
    """(N, F) -> (N, 1, F): a feature vector read as a one-channel signal."""
    n, f = shape
    template = draw(st.sampled_from(("{0}.unsqueeze(1)", "{0}.view({0}.size(0), 1, -1)", "{0}[:, None, :]")))
    w.call(Unary(None, "", template, needs_name=template.count("{0}") > 1))
    return (n, 1, f)
