"""Generator steps on feature maps, (N, C, *spatial): layers, branches, blocks of classes defined in the
file and the Python idioms users build them with. Each step writes its lines into the Writer and returns
the shape torch will compute (tests/fuzz/strategies.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.fuzz.writer import (
    CONV,
    INCOMPATIBLE,
    LINEAR,
    NORM,
    Line,
    Shape,
    Unary,
    Writer,
    conv_out,
    one_in,
    pool_out,
    widths,
    wrong,
)

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
    w.contiguous = False  # a slice is a strided view
    if c >= 2 and draw(st.booleans()):
        keep = draw(st.integers(1, c - 1))
        w.call(Unary(None, "", f"{{0}}[:, :{keep}]"))
        return (n, keep, *spatial)
    w.call(Unary(None, "", "{0}[:, :, " + ", ".join("::2" for _ in spatial) + "]"))
    return (n, c, *((s + 1) // 2 for s in spatial))


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
    planted = w.plant(NORM, 2)  # a wrong base width: the BatchNorm before each conv is the first to fail
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
