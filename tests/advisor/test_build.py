"""Model building from `__init__`: the module tree with torch's qualified names and parameter counts.

Each case states what torch's `named_modules()` and parameter counts are; one test checks torchport gives
exactly that, another (skipped without torch) checks the statement against real torch on the meta device.
"""

from __future__ import annotations

import itertools
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from torchport.advisor.dims import UNKNOWN
from torchport.advisor.interpreter import Trace, trace_model
from torchport.advisor.sources import parse_text
from torchport.advisor.summary_model import param_count

_ids = itertools.count()


def build(source: str, cls_name: str, args: tuple = (), kwargs: dict | None = None) -> Trace:
    """torchport's build of `cls_name(*args, **kwargs)` from source text (no forward run)."""
    module = parse_text(textwrap.dedent(source), f"build_case_{next(_ids)}")
    cls = next(c for c in module.body if getattr(c, "name", None) == cls_name)
    return trace_model(cls, list(args), dict(kwargs or {}), None)


def tree(trace: Trace) -> dict[str, tuple[str, int | None]]:
    """name -> (class name, parameter count of the subtree), as torch's named_modules() order gives."""
    assert trace.root is not None
    return {name: (m.short_type, param_count(m)) for name, m in trace.root.named_modules()}


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    cls: str
    modules: dict[str, tuple[str, int]]  # named_modules(): name -> (type, params of the subtree)
    trainable: int | None = None  # trainable parameters of the model; None: all of them
    kwargs: dict = field(default_factory=dict)


HEADER = "import torch\nimport torch.nn as nn\nfrom collections import OrderedDict\n"

CASES = [
    Case("attribute-order-and-reassignment", HEADER + """
class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(10, hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, 2)
        self.fc1 = nn.Linear(10, hidden, bias=False)   # keeps its place
        self.extra = None
        self.scale = hidden ** 0.5                     # not a module
""", "Net", {"": ("Net", 320 + 66), "fc1": ("Linear", 320), "act": ("ReLU", 0), "fc2": ("Linear", 66)}),

    Case("sequential-positional-ordereddict-and-star", HEADER + """
class Net(nn.Module):
    def __init__(self, sizes=(4, 8, 2)):
        super().__init__()
        self.a = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU())
        self.b = nn.Sequential(OrderedDict([("fc", nn.Linear(sizes[1], sizes[2])), ("out", nn.Sigmoid())]))
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            layers += [nn.Tanh()]
        self.c = nn.Sequential(*layers)
""", "Net", {
        "": ("Net", 40 + 18 + 40 + 18), "a": ("Sequential", 40), "a.0": ("Linear", 40), "a.1": ("ReLU", 0),
        "b": ("Sequential", 18), "b.fc": ("Linear", 18), "b.out": ("Sigmoid", 0),
        "c": ("Sequential", 58), "c.0": ("Linear", 40), "c.1": ("Tanh", 0), "c.2": ("Linear", 18), "c.3": ("Tanh", 0),
    }),

    Case("modulelist-append-extend-insert-comprehension", HEADER + """
class Net(nn.Module):
    def __init__(self, dims=[3, 5, 7]):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.blocks.append(nn.ReLU())
        self.blocks.extend([nn.Identity()])
        self.blocks.insert(0, nn.Dropout(0.1))
        self.heads = nn.ModuleList()
        self.heads += [nn.Linear(7, 1)]
""", "Net", {
        "": ("Net", 20 + 42 + 8), "blocks": ("ModuleList", 62), "blocks.0": ("Dropout", 0),
        "blocks.1": ("Linear", 20), "blocks.2": ("Linear", 42), "blocks.3": ("ReLU", 0),
        "blocks.4": ("Identity", 0), "heads": ("ModuleList", 8), "heads.0": ("Linear", 8),
    }),

    Case("moduledict-keys-update-setitem-add-module", HEADER + """
class Net(nn.Module):
    def __init__(self, tasks=("age", "gender")):
        super().__init__()
        self.heads = nn.ModuleDict({t: nn.Linear(16, 1) for t in tasks})
        self.heads["extra"] = nn.Linear(16, 3)
        self.heads.update({"aux": nn.ReLU()})
        for i in range(2):
            self.add_module(f"stage{i}", nn.Conv2d(3, 3, 1))
""", "Net", {
        "": ("Net", 17 + 17 + 51 + 12 + 12), "heads": ("ModuleDict", 85), "heads.age": ("Linear", 17),
        "heads.gender": ("Linear", 17), "heads.extra": ("Linear", 51), "heads.aux": ("ReLU", 0),
        "stage0": ("Conv2d", 12), "stage1": ("Conv2d", 12),
    }),

    Case("if-on-arguments-defaults-and-arithmetic", HEADER + """
class Net(nn.Module):
    def __init__(self, in_ch=3, base=8, use_bn=True, act="relu", depth=2):
        super().__init__()
        ch = in_ch
        for d in range(depth):
            out = base * 2 ** d
            setattr(self, "conv%d" % d if False else f"conv{d}", nn.Conv2d(ch, out, 3, padding=1))
            ch = out
        if use_bn:
            self.bn = nn.BatchNorm2d(ch)
        else:
            self.bn = nn.Identity()
        self.act = nn.ReLU() if act == "relu" else nn.GELU()
        self.pool = nn.AdaptiveAvgPool2d(1) if depth > 1 and not use_bn is False else None
""", "Net", {
        "": ("Net", 224 + 1168 + 32), "conv0": ("Conv2d", 224), "conv1": ("Conv2d", 1168),
        "bn": ("BatchNorm2d", 32), "act": ("ReLU", 0), "pool": ("AdaptiveAvgPool2d", 0),
    }),

    Case("resnet-make-layer-class-attribute-and-helper", HEADER + """
def conv3x3(i, o, stride=1):
    return nn.Conv2d(i, o, 3, stride, 1, bias=False)

class Block(nn.Module):
    expansion = 2
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv = conv3x3(inplanes, planes * self.expansion, stride)
        self.downsample = downsample

class Net(nn.Module):
    def __init__(self, block=Block, layers=(2, 1)):
        super().__init__()
        self.inplanes = 4
        self.layer1 = self._make_layer(block, 4, layers[0])
        self.layer2 = self._make_layer(block, 8, layers[1], stride=2)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)
""", "Net", {
        "": ("Net", 288 + 32 + 576 + 1152 + 128), "layer1": ("Sequential", 896), "layer1.0": ("Block", 320),
        "layer1.0.conv": ("Conv2d", 288), "layer1.0.downsample": ("Sequential", 32),
        "layer1.0.downsample.0": ("Conv2d", 32), "layer1.1": ("Block", 576), "layer1.1.conv": ("Conv2d", 576),
        "layer2": ("Sequential", 1280), "layer2.0": ("Block", 1280), "layer2.0.conv": ("Conv2d", 1152),
        "layer2.0.downsample": ("Sequential", 128), "layer2.0.downsample.0": ("Conv2d", 128),
    }),

    Case("shared-layer-named-once", HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(4, 4)
        self.same = self.encoder
        self.seq = nn.Sequential(self.encoder, nn.ReLU())
""", "Net", {"": ("Net", 20), "encoder": ("Linear", 20), "seq": ("Sequential", 20), "seq.1": ("ReLU", 0)}),

    Case("parameters-buffers-and-freezing", HEADER + """
class Net(nn.Module):
    def __init__(self, dim=6, freeze=True):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer("mask", torch.ones(dim, dim))
        self.register_parameter("scale", nn.Parameter(torch.ones(dim), requires_grad=False))
        self.backbone = nn.Sequential(nn.Linear(dim, dim), nn.LayerNorm(dim))
        self.head = nn.Linear(dim, 2)
        if freeze:
            for p in self.backbone.parameters():
                p.requires_grad = False
""", "Net", {
        "": ("Net", 6 + 6 + 42 + 12 + 14), "backbone": ("Sequential", 54), "backbone.0": ("Linear", 42),
        "backbone.1": ("LayerNorm", 12), "head": ("Linear", 14),
    }, trainable=6 + 14),

    Case("one-parameter-in-two-modules", HEADER + """
class Scale(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.weight = weight

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        shared = nn.Parameter(torch.ones(5))
        self.a = Scale(shared)
        self.b = Scale(shared)
""", "Net", {"": ("Net", 5), "a": ("Scale", 5), "b": ("Scale", 5)}),

    Case("sequential-subclass-and-base-init-with-kwargs", HEADER + """
class ConvBNReLU(nn.Sequential):
    def __init__(self, i, o, **kwargs):
        super().__init__(nn.Conv2d(i, o, bias=False, **kwargs), nn.BatchNorm2d(o), nn.ReLU())

class Base(nn.Module):
    def __init__(self, width):
        super(Base, self).__init__()
        self.stem = ConvBNReLU(3, width, kernel_size=3, padding=1)

class Net(Base):
    def __init__(self, width=4, classes=5):
        super().__init__(width)
        self.fc = nn.Linear(width, classes)
""", "Net", {
        "": ("Net", 108 + 8 + 25), "stem": ("ConvBNReLU", 116), "stem.0": ("Conv2d", 108),
        "stem.1": ("BatchNorm2d", 8), "stem.2": ("ReLU", 0), "fc": ("Linear", 25),
    }),

    Case("partial-layer-factories-and-static-helpers", HEADER + """
from functools import partial

class Net(nn.Module):
    def __init__(self, norm_layer=None, widths=(3, 4)):
        super().__init__()
        norm_layer = norm_layer or partial(nn.BatchNorm2d, eps=1e-3)
        conv = partial(nn.Conv2d, kernel_size=3, padding=1, bias=False)
        self.convs = nn.Sequential(*[self.block(conv, norm_layer, a, b) for a, b in zip(widths, widths[1:])])

    @staticmethod
    def block(conv, norm_layer, a, b):
        return nn.Sequential(conv(a, b), norm_layer(b))
""", "Net", {
        "": ("Net", 108 + 8), "convs": ("Sequential", 116), "convs.0": ("Sequential", 116),
        "convs.0.0": ("Conv2d", 108), "convs.0.1": ("BatchNorm2d", 8),
    }),

    Case("target-arguments-bound", HEADER + """
class Net(nn.Module):
    def __init__(self, n_classes, base=8, sizes=(1, 2)):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(base * a, base * b, 1) for a, b in [sizes])
        self.out = nn.Linear(base * sizes[-1], n_classes)
""", "Net", {
        "": ("Net", 16 * 8 + 16 + 16 * 4 + 4), "convs": ("ModuleList", 144), "convs.0": ("Conv2d", 144),
        "out": ("Linear", 68),
    }, kwargs={"n_classes": 4}),

    Case("recursion-of-known-depth", HEADER + """
class Tree(nn.Module):
    def __init__(self, levels, width):
        super().__init__()
        if levels == 1:
            self.left = nn.Linear(width, width)
            self.right = nn.Linear(width, width)
        else:
            self.left = Tree(levels - 1, width)
            self.right = Tree(levels - 1, width) if width > 2 else nn.Identity()
""", "Tree", {
        "": ("Tree", 4 * 20), "left": ("Tree", 40), "left.left": ("Linear", 20), "left.right": ("Linear", 20),
        "right": ("Tree", 40), "right.left": ("Linear", 20), "right.right": ("Linear", 20),
    }, kwargs={"levels": 2, "width": 4}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_module_tree_and_parameter_counts(case: Case) -> None:
    trace = build(case.source, case.cls, kwargs=case.kwargs)

    assert tree(trace) == case.modules
    assert trace.root is not None
    expected_trainable = case.modules[""][1] if case.trainable is None else case.trainable
    assert param_count(trace.root, trainable_only=True) == expected_trainable


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cases_state_what_torch_builds(case: Case, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from tests.support.torch_oracle import build as torch_build
    from tests.support.torch_oracle import load_namespace

    path = tmp_path / "model.py"
    path.write_text(case.source)
    namespace = load_namespace(path)
    model = torch_build(lambda: namespace[case.cls](**case.kwargs))

    modules = {name: (type(m).__name__, sum(p.numel() for p in m.parameters()))
               for name, m in model.named_modules()}
    assert modules == case.modules
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert trainable == (case.modules[""][1] if case.trainable is None else case.trainable)


# ------------------------------------------------------------------------- unknown, never wrong

UNFOLLOWED = {
    "unknown-factory": """
import torch.nn as nn
import torchvision
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = torchvision.models.resnet18()
        self.fc = nn.Linear(512, 10)
""",
    "unknown-argument-used-as-layer": """
import torch.nn as nn
class Net(nn.Module):
    def __init__(self, block):
        super().__init__()
        self.layer = nn.Sequential(block(3, 3), nn.ReLU())
""",
    "layer-list-of-unknown-length": """
import torch.nn as nn
class Net(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.blocks = nn.ModuleList()
        for _ in range(depth):
            self.blocks.append(nn.Linear(4, 4))
""",
    "registration-under-unknown-condition": """
import torch.nn as nn
import random
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        if random.random() > 0.5:
            self.extra = nn.Linear(4, 4)
        self.fc = nn.Linear(4, 4)
""",
    "method-called-with-unknown-star-arguments": """
import torch.nn as nn
class Net(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self._add(*range(depth))
    def _add(self, *indices):
        for i in indices:
            self.add_module(f"fc{i}", nn.Linear(4, 4))
""",
    "model-passed-to-code-outside-the-project": """
import torch.nn as nn
from somewhere import convert_layers
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        convert_layers(self)
""",
    "global-list-changed-after-its-literal": """
import torch.nn as nn
SIZES = [4, 4]
SIZES.append(4)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(SIZES, SIZES[1:])])
""",
    "class-attribute-set-from-outside": """
import torch.nn as nn
class Net(nn.Module):
    width = 4
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(self.width, 2)
Net.width = 8
""",
    "tied-weights": """
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(100, 8)
        self.decoder = nn.Linear(8, 100)
        self.decoder.weight = self.encoder.weight
""",
    "layer-outside-the-catalogue": """
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.SomeFutureLayer(4)
""",
}


@pytest.mark.parametrize("source", UNFOLLOWED.values(), ids=UNFOLLOWED.keys())
def test_what_cannot_be_followed_makes_the_counts_unknown(source: str) -> None:
    """Constructor arguments not known (block, depth) are UNKNOWN, as when no value is found for them."""
    unknown = {name: UNKNOWN for name in ("block", "depth") if f", {name})" in source}
    trace = build(source, "Net", kwargs=unknown)
    assert trace.root is not None
    assert param_count(trace.root) is None


def test_known_parts_stay_named_when_others_are_unknown() -> None:
    trace = build(UNFOLLOWED["unknown-factory"], "Net")
    assert "fc" in tree(trace)
    assert tree(trace)["fc"] == ("Linear", 5130)


HOSTILE = {
    "infinite-loop": "while True:\n            self.x = 1",
    "unbounded-recursion": "self.f(1)\n    def f(self, n):\n        return self.f(n + 1)",
    "huge-range": "self.layers = nn.ModuleList([nn.ReLU() for _ in range(10**9)])",
    "huge-power": "x = 10 ** 10 ** 10\n        y = [0] * 10 ** 12\n        s = 'a' * 10 ** 12",
    "self-referencing-global": "self.v = A",
    "exotic-syntax": "async def g(): await g()\n        match 1:\n            case 1: pass\n"
                     "        x = {*[1], *{}}\n        del x\n        f = lambda *a, **k: (yield)\n"
                     "        self.g = [(yield) for _ in ()] if False else f(1)",
    "deep-expression": "x = " + "(" * 200 + "1" + ")" * 200,
}


def test_recursion_on_undecided_paths_is_cut_not_followed_exponentially() -> None:
    """A helper that calls itself on each of several undecided branches (timm's `unwrap_model` tries
    `.module` and `._orig_mod`) would branch again at every level: 3^40 calls before the depth limit.
    Such a recursive call is not followed, so the model builds in a few steps instead of exhausting
    the budget, and what the helper returned is unknown."""
    trace = build(HEADER + """
def unwrap(model):
    if hasattr(model, "module"):
        return unwrap(model.module)
    elif hasattr(model, "_orig_mod"):
        return unwrap(model._orig_mod)
    return model

class Net(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.inner = unwrap(inner)
""", "Net", kwargs={"inner": UNKNOWN})

    assert trace.stopped is None
    assert tree(trace)["fc"] == ("Linear", 10)


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_constructors_finish_quickly_without_raising(body: str) -> None:
    source = f"""
import torch.nn as nn
A = B
B = A
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        {body}
"""
    start = time.perf_counter()
    trace = build(source, "Net")
    assert time.perf_counter() - start < 10
    assert trace.root is not None or trace.stopped
