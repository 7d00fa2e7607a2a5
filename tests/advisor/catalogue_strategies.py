"""Hypothesis strategies for the catalogue's property tests: layer cases that are mostly valid, with
mismatches (wrong channels, odd sizes, too-small inputs...) drawn often enough to test the errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class In:
    """An input tensor of a case: its shape and dtype ("float" or "long")."""

    shape: tuple[int, ...]
    dtype: str = "float"


@dataclass(frozen=True)
class Sub:
    """A layer passed as a constructor argument (TransformerEncoder's encoder_layer)."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LayerCase:
    name: str  # short torch.nn name: "Conv2d"
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[Any, ...] = ()  # In, None, or a tuple of In (an RNN's (h, c))
    forward: dict[str, Any] = field(default_factory=dict)


small = st.integers(1, 6)
flag = st.booleans()


def near(value: int, low: int = 1, high: int = 8) -> st.SearchStrategy[int]:
    """Mostly `value`, sometimes any int in [low, high] (a likely mismatch)."""
    return st.one_of(st.just(value), st.just(value), st.just(value), st.integers(low, high))


def nt(n: int, elements: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    """An int or a tuple of n of them, as torch's `_ntuple` arguments accept."""
    return st.one_of(elements, st.tuples(*[elements] * n))


@st.composite
def batch_dims(draw: st.DrawFn, low: int = 0, high: int = 2) -> tuple[int, ...]:
    return tuple(draw(st.lists(st.integers(1, 4), min_size=low, max_size=high)))


@st.composite
def linear(draw: st.DrawFn) -> LayerCase:
    i, o = draw(small), draw(small)
    return LayerCase("Linear", (i, o), {"bias": draw(flag)}, (In((*draw(batch_dims()), draw(near(i))),),))


@st.composite
def lazy_linear(draw: st.DrawFn) -> LayerCase:
    return LayerCase("LazyLinear", (draw(small),), {"bias": draw(flag)}, (In((*draw(batch_dims()), draw(small))),))


@st.composite
def bilinear(draw: st.DrawFn) -> LayerCase:
    i1, i2, o = draw(small), draw(small), draw(small)
    lead = draw(batch_dims(1, 2))
    lead2 = draw(st.one_of(st.just(lead), st.just(lead), batch_dims(1, 2)))
    return LayerCase("Bilinear", (i1, i2, o), {"bias": draw(flag)},
                     (In((*lead, draw(near(i1)))), In((*lead2, draw(near(i2))))))


@st.composite
def conv(draw: st.DrawFn, nd: int, transposed: bool = False, lazy: bool = False) -> LayerCase:
    groups = draw(st.sampled_from((1, 1, 2, 3)))
    cin = groups * draw(st.integers(1, 3)) + draw(st.sampled_from((0, 0, 0, 0, 1)))
    cout = groups * draw(st.integers(1, 3))
    kernel = draw(nt(nd, st.integers(1, 4)))
    kwargs: dict[str, Any] = {"groups": groups, "bias": draw(flag)}
    if draw(flag):
        kwargs["stride"] = draw(nt(nd, st.integers(1, 3)))
    if draw(flag):
        kwargs["dilation"] = draw(nt(nd, st.integers(1, 2)))
    if transposed:
        kwargs["padding"] = draw(nt(nd, st.integers(0, 2)))
        if draw(flag):
            kwargs["output_padding"] = draw(nt(nd, st.integers(0, 2)))
    else:
        kwargs["padding"] = draw(st.one_of(nt(nd, st.integers(0, 2)), st.sampled_from(("same", "valid"))))
        kwargs["padding_mode"] = draw(st.sampled_from(("zeros", "zeros", "reflect", "replicate", "circular")))
    name = f"{'Lazy' if lazy else ''}{'ConvTranspose' if transposed else 'Conv'}{nd}d"
    args = (cout, kernel) if lazy else (cin, cout, kernel)
    channels = draw(near(cin, 1, 7))
    size_max = 9 if nd < 3 else 6
    spatial = tuple(draw(st.integers(1, size_max)) for _ in range(nd))
    lead = (draw(st.integers(1, 2)),) if draw(st.booleans()) else ()
    forward: dict[str, Any] = {}
    if transposed and draw(flag):  # ask for an output size: the smallest one plus 0..stride (stride is one too many)
        def each(value: Any) -> tuple[int, ...]:
            return value if isinstance(value, tuple) else (value,) * nd
        k, s, p, d = (each(kwargs.get(key, default)) for key, default in
                      (("kernel_size", kernel), ("stride", 1), ("padding", 0), ("dilation", 1)))
        sizes = tuple((L - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + 1 + draw(st.integers(0, s_))
                      for L, k_, s_, p_, d_ in zip(spatial, k, s, p, d))
        forward["output_size"] = draw(st.sampled_from((sizes, [*lead, cout, *sizes])))
    return LayerCase(name, args, kwargs, (In((*lead, channels, *spatial)),), forward)


@st.composite
def pool(draw: st.DrawFn, kind: str, nd: int) -> LayerCase:
    kernel = draw(nt(nd, st.integers(1, 4)))
    kwargs: dict[str, Any] = {"ceil_mode": draw(flag)}
    if draw(flag):
        kwargs["stride"] = draw(nt(nd, st.integers(1, 3)))
    if kind != "LP" and draw(flag):
        kwargs["padding"] = draw(nt(nd, st.integers(0, 2)))
    if kind == "Max":
        kwargs["return_indices"] = draw(flag)
        if draw(flag):
            kwargs["dilation"] = draw(nt(nd, st.integers(1, 2)))
    if kind == "Avg":
        kwargs["count_include_pad"] = draw(flag)
    args = (2.0, kernel) if kind == "LP" else (kernel,)
    lead = draw(batch_dims(1, 2))
    spatial = tuple(draw(st.integers(1, 10 if nd < 3 else 6)) for _ in range(nd))
    return LayerCase(f"{kind}Pool{nd}d", args, kwargs, (In((*lead, *spatial)),))


@st.composite
def adaptive(draw: st.DrawFn, kind: str, nd: int) -> LayerCase:
    size = draw(st.one_of(st.integers(1, 5), st.tuples(*[st.one_of(st.none(), st.integers(1, 5))] * nd)))
    kwargs = {"return_indices": draw(flag)} if kind == "Max" else {}
    lead = draw(batch_dims(1, 2))
    spatial = tuple(draw(st.integers(1, 8)) for _ in range(nd))
    return LayerCase(f"Adaptive{kind}Pool{nd}d", (size,), kwargs, (In((*lead, *spatial)),))


@st.composite
def norm(draw: st.DrawFn, kind: str, nd: int, lazy: bool = False) -> LayerCase:
    c = draw(small)
    kwargs = {"affine": draw(flag), "track_running_stats": draw(flag), "bias": draw(flag)}
    args = () if lazy else (c,)
    channels = draw(near(c))
    # training mode needs more than one value per channel: batch >= 2, spatial sizes >= 2
    spatial = tuple(draw(st.integers(2, 5)) for _ in range(nd))
    if kind == "Batch" and nd == 1 and draw(flag):
        spatial = ()
    if kind == "Instance":
        lead = (draw(st.integers(1, 3)),) if draw(flag) else ()
    else:
        lead = (draw(st.integers(2, 3)),)
    if draw(st.integers(0, 9)) == 0:  # a wrong rank now and then
        spatial = (*spatial, 2)
    return LayerCase(f"{'Lazy' if lazy else ''}{kind}Norm{nd}d", args, kwargs, (In((*lead, channels, *spatial)),))


@st.composite
def layer_norm(draw: st.DrawFn, name: str) -> LayerCase:
    dims = draw(st.lists(small, min_size=1, max_size=2))
    shape = draw(st.one_of(st.just(dims[0]), st.just(tuple(dims)), st.just(list(dims))))
    kwargs = {"elementwise_affine": draw(flag)}
    if name == "LayerNorm":
        kwargs["bias"] = draw(flag)
    trailing = tuple(draw(near(d)) for d in dims) if not isinstance(shape, int) else (draw(near(shape)),)
    return LayerCase(name, (shape,), kwargs, (In((*draw(batch_dims()), *trailing)),))


@st.composite
def group_norm(draw: st.DrawFn) -> LayerCase:
    g = draw(st.integers(1, 3))
    c = g * draw(st.integers(1, 3)) + draw(st.sampled_from((0, 0, 0, 1)))
    shape = (draw(st.integers(1, 3)), draw(near(c)), *draw(batch_dims(1, 2)))
    return LayerCase("GroupNorm", (g, c), {"affine": draw(flag), "bias": draw(flag)}, (In(shape),))


@st.composite
def elementwise(draw: st.DrawFn, name: str, args: tuple[Any, ...] = (), min_rank: int = 0) -> LayerCase:
    shape = tuple(draw(st.lists(small, min_size=min_rank, max_size=4)))
    return LayerCase(name, args, {}, (In(shape),))


@st.composite
def dropout(draw: st.DrawFn, name: str) -> LayerCase:
    p = draw(st.one_of(st.floats(0, 1), st.floats(0, 1), st.sampled_from((-0.1, 1.5))))
    shape = tuple(draw(st.lists(small, min_size=1, max_size=5)))
    return LayerCase(name, (p,), {}, (In(shape),))


@st.composite
def prelu(draw: st.DrawFn) -> LayerCase:
    shape = tuple(draw(st.lists(small, min_size=1, max_size=4)))
    cdim = 1 if len(shape) >= 2 else 0
    n = draw(st.one_of(st.just(1), st.just(shape[cdim]), small))
    return LayerCase("PReLU", (n,), {}, (In(shape),))


@st.composite
def with_dim(draw: st.DrawFn, name: str, allow_none: bool = True) -> LayerCase:
    shape = tuple(draw(st.lists(st.sampled_from((1, 2, 3, 4, 6)), min_size=0, max_size=4)))
    dims = st.integers(-5, 4)
    dim = draw(st.one_of(st.none(), dims) if allow_none else dims)
    return LayerCase(name, (dim,), {}, (In(shape),))


@st.composite
def flatten(draw: st.DrawFn) -> LayerCase:
    shape = tuple(draw(st.lists(small, min_size=0, max_size=4)))
    return LayerCase("Flatten", (draw(st.integers(-4, 3)), draw(st.integers(-4, 3))), {}, (In(shape),))


@st.composite
def unflatten(draw: st.DrawFn) -> LayerCase:
    shape = tuple(draw(st.lists(st.sampled_from((1, 2, 4, 6, 12)), min_size=1, max_size=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    target = shape[dim]
    sizes = draw(st.sampled_from([(target,), (1, target), (-1,), (2, -1), (-1, 3), (2, 2, -1), (3, 4), (2, 3)]))
    return LayerCase("Unflatten", (dim, sizes), {}, (In(shape),))


@st.composite
def embedding(draw: st.DrawFn) -> LayerCase:
    n, d = draw(small), draw(small)
    kwargs = {}
    if draw(flag):
        kwargs["padding_idx"] = draw(st.integers(-n - 1, n))
    return LayerCase("Embedding", (n, d), kwargs, (In(draw(batch_dims(0, 3)), "long"),))


@st.composite
def embedding_bag(draw: st.DrawFn) -> LayerCase:
    n, d = draw(small), draw(small)
    kwargs = {"mode": draw(st.sampled_from(("sum", "mean", "max"))), "include_last_offset": draw(flag)}
    if draw(flag):
        return LayerCase("EmbeddingBag", (n, d), kwargs, (In((draw(small), draw(small)), "long"),))
    bags = draw(small)
    return LayerCase("EmbeddingBag", (n, d), kwargs, (In((draw(st.integers(bags, 8)),), "long"),),
                     {"offsets": In((bags,), "long")})


@st.composite
def rnn(draw: st.DrawFn, kind: str) -> LayerCase:
    i, h = draw(small), draw(st.integers(2, 6))
    kwargs: dict[str, Any] = {"num_layers": draw(st.integers(1, 3)), "bias": draw(flag),
                              "batch_first": draw(flag), "bidirectional": draw(flag)}
    if kind == "LSTM" and draw(flag):
        kwargs["proj_size"] = draw(st.integers(0, h))
    if kind == "RNN" and draw(flag):
        kwargs["nonlinearity"] = draw(st.sampled_from(("tanh", "relu")))
    seq, batch = draw(small), draw(small)
    feat = draw(near(i))
    batched = draw(st.integers(0, 4)) > 0
    shape = ((batch, seq) if kwargs["batch_first"] else (seq, batch)) if batched else (seq,)
    case = LayerCase(kind, (i, h), kwargs, (In((*shape, feat)),))
    if draw(flag):
        d = 2 if kwargs["bidirectional"] else 1
        proj = kwargs.get("proj_size", 0)
        state = (d * kwargs["num_layers"], *((draw(near(batch)),) if batched else ()))
        h0 = In((*state, draw(near(proj or h))))
        hx = (h0, In((*state, draw(near(h))))) if kind == "LSTM" else h0
        case = LayerCase(kind, (i, h), kwargs, (In((*shape, feat)), hx))
    return case


@st.composite
def cell(draw: st.DrawFn, kind: str) -> LayerCase:
    i, h = draw(small), draw(small)
    lead = (draw(small),) if draw(flag) else ()
    inputs: tuple[Any, ...] = (In((*lead, draw(near(i)))),)
    if draw(flag):
        h0 = In((*lead, draw(near(h))))
        inputs += ((h0, In((*lead, h))) if kind == "LSTMCell" else h0,)
    return LayerCase(kind, (i, h), {"bias": draw(flag)}, inputs)


@st.composite
def mha(draw: st.DrawFn) -> LayerCase:
    heads = draw(st.integers(1, 3))
    e = heads * draw(st.integers(1, 3)) + draw(st.sampled_from((0, 0, 0, 0, 1)))
    kdim = draw(st.one_of(st.none(), small))
    vdim = draw(st.one_of(st.none(), small))
    kwargs = {"kdim": kdim, "vdim": vdim, "batch_first": draw(flag), "bias": draw(flag),
              "add_bias_kv": draw(flag), "add_zero_attn": draw(flag)}
    L, S, N = draw(small), draw(small), draw(small)
    batched = draw(st.integers(0, 3)) > 0

    def t(seq: int, feat: int) -> In:
        if not batched:
            return In((seq, feat))
        return In((N, seq, feat) if kwargs["batch_first"] else (seq, N, feat))
    q = t(L, draw(near(e, 1, 9)))
    k = t(S, draw(near(kdim or e, 1, 9)))
    v = t(draw(near(S)), draw(near(vdim or e, 1, 9)))
    fwd = {"need_weights": draw(flag), "average_attn_weights": draw(flag)}
    return LayerCase("MultiheadAttention", (e, heads), kwargs, (q, k, v), fwd)


@st.composite
def transformer_layer(draw: st.DrawFn, decoder: bool) -> LayerCase:
    heads = draw(st.integers(1, 2))
    e = heads * draw(st.integers(1, 3)) + draw(st.sampled_from((0, 0, 0, 1)))
    kwargs = {"dim_feedforward": draw(small), "batch_first": draw(flag), "norm_first": draw(flag),
              "bias": draw(flag), "activation": draw(st.sampled_from(("relu", "gelu")))}
    S, N = draw(small), draw(small)
    shape = (N, S, draw(near(e))) if kwargs["batch_first"] else (S, N, draw(near(e)))
    name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"
    inputs = (In(shape), In((*shape[:2], draw(near(e))))) if decoder else (In(shape),)
    return LayerCase(name, (e, heads), kwargs, inputs)


@st.composite
def transformer_stack(draw: st.DrawFn, decoder: bool) -> LayerCase:
    inner = draw(transformer_layer(decoder))
    stack_kwargs: dict[str, Any] = {}
    if draw(flag):
        stack_kwargs["norm"] = Sub("LayerNorm", (inner.args[0],))
    sub = Sub(inner.name, inner.args, inner.kwargs)
    name = "TransformerDecoder" if decoder else "TransformerEncoder"
    if not decoder:
        stack_kwargs["enable_nested_tensor"] = False
    return LayerCase(name, (sub, draw(st.integers(1, 3))), stack_kwargs, inner.inputs)


@st.composite
def upsample(draw: st.DrawFn, name: str) -> LayerCase:
    rank = 4 if name != "Upsample" else draw(st.integers(3, 5))
    shape = (draw(small), draw(small), *[draw(small) for _ in range(rank - 2)])
    nd = rank - 2
    kwargs: dict[str, Any] = {}
    if draw(flag):
        kwargs["size"] = draw(st.one_of(small, st.tuples(*[small] * nd)))
    else:
        kwargs["scale_factor"] = draw(st.one_of(st.integers(1, 3), st.sampled_from((0.5, 1.5, 2.0, 2.5))))
    if name == "Upsample":
        kwargs["mode"] = draw(st.sampled_from(("nearest", "nearest-exact", "linear", "bilinear", "bicubic",
                                               "trilinear")))
        if kwargs["mode"] in ("linear", "bilinear", "bicubic", "trilinear") and draw(flag):
            kwargs["align_corners"] = draw(flag)
    return LayerCase(name, (), kwargs, (In(shape),))


@st.composite
def pixel(draw: st.DrawFn, shuffle: bool) -> LayerCase:
    r = draw(st.integers(1, 3))
    lead = draw(batch_dims(0, 2))
    if shuffle:
        shape = (*lead, r * r * draw(st.integers(1, 2)) + draw(st.sampled_from((0, 0, 1))), draw(small), draw(small))
    else:
        shape = (*lead, draw(small), r * draw(st.integers(1, 3)) + draw(st.sampled_from((0, 0, 1))),
                 r * draw(st.integers(1, 3)))
    return LayerCase("PixelShuffle" if shuffle else "PixelUnshuffle", (r,), {}, (In(shape),))


@st.composite
def pad(draw: st.DrawFn, kind: str, nd: int) -> LayerCase:
    padding = draw(st.one_of(st.integers(0, 3), st.tuples(*[st.integers(0, 3)] * (2 * nd))))
    args: tuple[Any, ...] = (padding, 0.5) if kind == "Constant" else (padding,)
    lead = draw(batch_dims(1, 2))
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    return LayerCase(f"{kind}Pad{nd}d", args, {}, (In((*lead, *spatial)),))


# ------------------------------------------------------------------------------ operations

@dataclass(frozen=True)
class OpCase:
    name: str  # catalogue name: "torch.cat", "torch.Tensor.view", "operator.getitem"...
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def shape(min_rank: int = 0, max_rank: int = 4,
          sizes: st.SearchStrategy[int] = small) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(sizes, min_size=min_rank, max_size=max_rank).map(tuple)


F = "torch.nn.functional."
T = "torch.Tensor."


@st.composite
def unary_op(draw: st.DrawFn) -> OpCase:
    name = draw(st.sampled_from((F + "relu", F + "gelu", F + "dropout", "torch.tanh", "torch.exp", T + "sigmoid",
                                 T + "contiguous", T + "float", T + "detach", "torch.zeros_like", "operator.neg")))
    return OpCase(name, (In(draw(shape())),))


@st.composite
def broadcast_shapes(draw: st.DrawFn, n: int = 2) -> tuple[tuple[int, ...], ...]:
    base = draw(shape(0, 4, st.integers(1, 4)))
    out = []
    for _ in range(n):
        s = list(base[draw(st.integers(0, len(base))):])
        for i in range(len(s)):
            s[i] = draw(st.sampled_from((s[i], s[i], 1, draw(st.integers(1, 4)))))
        out.append(tuple(s))
    return tuple(out)


@st.composite
def binary_op(draw: st.DrawFn) -> OpCase:
    a, b = draw(broadcast_shapes())
    name = draw(st.sampled_from(("operator.add", "operator.mul", "operator.truediv", "torch.maximum", T + "add",
                                 "torch.sub", "operator.eq", T + "__add__")))
    right: Any = In(b) if draw(st.integers(0, 4)) else draw(st.sampled_from((2, 0.5)))
    return OpCase(name, (In(a), right))


@st.composite
def where_op(draw: st.DrawFn) -> OpCase:
    c, a, b = draw(broadcast_shapes(3))
    return OpCase("torch.where", (In(c, "bool"), In(a), In(b)))


@st.composite
def matmul_op(draw: st.DrawFn) -> OpCase:
    k = draw(small)
    name = draw(st.sampled_from(("torch.matmul", "operator.matmul", T + "matmul", "torch.mm", "torch.bmm")))
    if name == "torch.mm":
        return OpCase(name, (In((draw(small), k)), In((draw(near(k)), draw(small)))))
    if name == "torch.bmm":
        b = draw(small)
        return OpCase(name, (In((b, draw(small), k)), In((draw(near(b)), draw(near(k)), draw(small)))))
    batch_a, batch_b = draw(broadcast_shapes())
    left = (*batch_a[:2], draw(small), k) if draw(st.integers(0, 3)) else (k,)
    right = (*batch_b[:2], draw(near(k)), draw(small)) if draw(st.integers(0, 3)) else (draw(near(k)),)
    return OpCase(name, (In(left), In(right)))


@st.composite
def linear_op(draw: st.DrawFn) -> OpCase:
    i, o = draw(small), draw(small)
    weight = In((o, draw(near(i)))) if draw(st.integers(0, 4)) else In((draw(near(i)),))
    bias = In((o,)) if draw(flag) and len(weight.shape) == 2 else None
    return OpCase(F + "linear", (In((*draw(batch_dims()), i)), weight, bias))


_EINSUMS = ("ij,jk->ik", "bij,bjk->bik", "bhqd,bhkd->bhqk", "i,i->", "ij->ji", "...ij,...jk->...ik", "bi,bi->b",
            "ij,kj", "ii->i", "bnd,nd->bn")


@st.composite
def einsum_op(draw: st.DrawFn) -> OpCase:
    equation = draw(st.sampled_from(_EINSUMS))
    lhs = equation.split("->")[0]
    sizes = {c: draw(st.integers(1, 4)) for c in "ijkbhqdn"}
    operands = []
    for term in lhs.split(","):
        dims: list[int] = []
        for part in term.replace("...", "E"):
            if part == "E":
                dims.extend(draw(shape(0, 2, st.integers(1, 3))))
            else:
                dims.append(draw(near(sizes[part], 1, 4)))
        operands.append(In(tuple(dims)))
    return OpCase("torch.einsum", (equation, *operands))


@st.composite
def reduction_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 4))
    name = draw(st.sampled_from(("torch.sum", T + "mean", "torch.amax", T + "max", "torch.argmax", T + "std",
                                 "torch.min", T + "logsumexp")))
    dims = st.integers(-5, 4)
    if name in (T + "max", "torch.min", "torch.argmax"):
        dim = draw(st.one_of(st.none(), dims))
    elif name == T + "logsumexp":
        dim = draw(st.one_of(dims, st.lists(dims, min_size=1, max_size=2).map(tuple)))
    else:
        dim = draw(st.one_of(st.none(), dims, st.lists(dims, min_size=1, max_size=3).map(tuple)))
    kwargs: dict[str, Any] = {}
    if dim is not None:
        kwargs = {"dim": dim, "keepdim": draw(flag)}
    return OpCase(name, (In(x),), kwargs)


@st.composite
def reshape_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 4, st.sampled_from((1, 2, 3, 4, 6))))
    total = 1
    for d in x:
        total *= d
    divisors = [d for d in range(1, 13) if total % d == 0]
    sizes = draw(st.sampled_from([(total,), (-1,), (1, -1), (-1, draw(st.sampled_from(divisors))),
                                  (draw(st.sampled_from(divisors)), -1, 1), (2, -1), (5, -1), (-1, -1), (total + 1,),
                                  (draw(st.sampled_from(divisors)), total // draw(st.sampled_from(divisors)))]))
    name = draw(st.sampled_from((T + "view", T + "reshape", "torch.reshape")))
    if name == "torch.reshape":
        return OpCase(name, (In(x), sizes))
    if draw(flag):
        return OpCase(name, (In(x), sizes))
    return OpCase(name, (In(x), *sizes))


@st.composite
def dims_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 4, st.integers(1, 3)))
    dim = st.integers(-5, 4)
    kind = draw(st.sampled_from(("flatten", "squeeze", "unsqueeze", "transpose", "permute", "t", "size", "unbind",
                                 "shape", "numel", "dim", "T")))
    if kind == "flatten":
        return OpCase(draw(st.sampled_from(("torch.flatten", T + "flatten"))), (In(x),),
                      {"start_dim": draw(dim), "end_dim": draw(dim)} if draw(flag) else {})
    if kind == "squeeze":
        extra = (draw(st.one_of(dim, st.lists(dim, max_size=2).map(tuple))),) if draw(flag) else ()
        return OpCase(T + "squeeze", (In(x), *extra))
    if kind in ("unsqueeze", "size", "unbind"):
        return OpCase(T + kind, (In(x), draw(dim)))
    if kind == "transpose":
        return OpCase("torch.transpose", (In(x), draw(dim), draw(dim)))
    if kind == "permute":
        order = list(range(len(x)))
        perm = draw(st.permutations(order)) if order else []
        if draw(st.integers(0, 4)) == 0:
            perm = [*perm, 0] if draw(flag) else perm[:-1]
        return OpCase(T + "permute", (In(x), *perm))
    return OpCase(T + kind, (In(x),))


@st.composite
def expand_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 3, st.integers(1, 3)))
    if draw(flag):
        sizes = [*draw(shape(0, 2, st.integers(1, 3))),
                 *[draw(st.sampled_from((d, -1, 3) if d == 1 else (d, -1, d + 1))) for d in x]]
        return OpCase(T + "expand", (In(x), *sizes))
    reps = [*draw(shape(0, 2, st.integers(1, 3))), *[draw(st.integers(1, 3)) for _ in x]]
    if draw(st.integers(0, 5)) == 0 and reps:
        reps = reps[1:]
    return OpCase(T + "repeat", (In(x), *reps))


@st.composite
def split_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 3, st.integers(1, 7)))
    dim = draw(st.integers(-3, 2))
    if draw(flag):
        name = draw(st.sampled_from(("torch.chunk", T + "chunk")))
        return OpCase(name, (In(x), draw(st.integers(1, 4))), {"dim": dim})
    spec: Any = draw(st.integers(1, 4))
    if draw(flag) and x:
        size = x[dim] if -len(x) <= dim < len(x) else 3
        first = draw(st.integers(0, size))
        spec = [first, size - first] if draw(st.integers(0, 3)) else [first, size - first + 1]
    return OpCase("torch.split", (In(x), spec), {"dim": dim})


@st.composite
def cat_op(draw: st.DrawFn) -> OpCase:
    base = draw(shape(0, 3, st.integers(1, 3)))
    n = draw(st.integers(1, 3))
    dim = draw(st.integers(-3, 3))
    tensors = []
    for _ in range(n):
        s = list(base)
        if s and draw(flag):
            i = draw(st.integers(0, len(s) - 1))
            s[i] = draw(st.integers(1, 3))
        tensors.append(In(tuple(s)))
    return OpCase(draw(st.sampled_from(("torch.cat", "torch.stack"))), (tensors,), {"dim": dim})


@st.composite
def index_item(draw: st.DrawFn) -> Any:
    ints = st.integers(-6, 5)
    return draw(st.one_of(ints, st.just(slice(None)),
                          st.builds(slice, st.one_of(st.none(), ints), st.one_of(st.none(), ints),
                                    st.one_of(st.none(), st.integers(1, 3))),
                          st.none(), st.just(Ellipsis)))


@st.composite
def getitem_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 4, st.integers(1, 5)))
    items = tuple(draw(st.lists(index_item(), max_size=4).filter(lambda xs: xs.count(Ellipsis) <= 1)))
    if draw(st.integers(0, 6)) == 0:
        items = (*items[:1], In((draw(st.integers(1, 3)),), "long"))
    if draw(st.integers(0, 5)) == 0:
        return OpCase("operator.getitem", (In(x), draw(index_item())))
    return OpCase("operator.getitem", (In(x), items))


@st.composite
def softmax_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(0, 4, st.sampled_from((1, 2, 4))))
    name = draw(st.sampled_from((F + "softmax", F + "log_softmax", "torch.softmax", T + "softmax", F + "glu",
                                 F + "normalize")))
    return OpCase(name, (In(x),), {"dim": draw(st.integers(-4, 3))})


@st.composite
def conv_op(draw: st.DrawFn, transposed: bool) -> OpCase:
    nd = draw(st.integers(1, 3))
    case = draw(conv(nd, transposed=transposed))
    cin, cout, kernel = case.args
    groups = case.kwargs["groups"]
    ks = kernel if isinstance(kernel, tuple) else (kernel,) * nd
    if transposed:
        weight = In((cin, cout // groups, *ks))
    else:
        weight = In((cout, max(cin // groups, 1), *ks))
    kwargs = {k: v for k, v in case.kwargs.items() if k not in ("bias", "padding_mode")}
    bias = In((draw(near(cout)),)) if draw(flag) else None
    name = f"{F}conv{'_transpose' if transposed else ''}{nd}d"
    return OpCase(name, (case.inputs[0], weight, bias), kwargs)


@st.composite
def pool_op(draw: st.DrawFn) -> OpCase:
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(("Max", "Avg")))
    case = draw(pool(kind, nd))
    name = f"{F}{kind.lower()}_pool{nd}d"
    return OpCase(name, (case.inputs[0], *case.args), case.kwargs)


@st.composite
def adaptive_op(draw: st.DrawFn) -> OpCase:
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(("Max", "Avg")))
    case = draw(adaptive(kind, nd))
    return OpCase(f"{F}adaptive_{kind.lower()}_pool{nd}d", (case.inputs[0], *case.args), case.kwargs)


@st.composite
def interpolate_op(draw: st.DrawFn) -> OpCase:
    case = draw(upsample("Upsample"))
    return OpCase(F + "interpolate", case.inputs, case.kwargs)


@st.composite
def pad_op(draw: st.DrawFn) -> OpCase:
    x = draw(shape(1, 5, st.integers(1, 5)))
    pads = tuple(draw(st.lists(st.integers(0, 3), min_size=1, max_size=6)))
    mode = draw(st.sampled_from(("constant", "constant", "reflect", "replicate", "circular")))
    return OpCase(F + "pad", (In(x), pads), {"mode": mode})


@st.composite
def sdpa_op(draw: st.DrawFn) -> OpCase:
    batch_q, batch_k = draw(broadcast_shapes())
    batch_q, batch_k = batch_q[:2], batch_k[:2]
    L, S, E, Ev = draw(small), draw(small), draw(small), draw(small)
    q = In((*batch_q, L, E))
    k = In((*batch_k, S, draw(near(E))))
    v = In((*batch_k, draw(near(S)), Ev))
    return OpCase(F + "scaled_dot_product_attention", (q, k, v))


@st.composite
def norm_op(draw: st.DrawFn) -> OpCase:
    kind = draw(st.sampled_from(("layer_norm", "group_norm", "batch_norm")))
    x = draw(shape(1, 4, st.integers(1, 4)))
    if kind == "layer_norm":
        n = draw(st.integers(1, len(x)))
        normalized = tuple(draw(near(d, 1, 4)) for d in x[-n:])
        return OpCase(F + kind, (In(x), normalized))
    if kind == "group_norm":
        return OpCase(F + kind, (In((2, *x)), draw(st.integers(1, 3))))
    c = x[1] if len(x) > 1 else 1
    stats = In((draw(near(c, 1, 4)),))
    return OpCase(F + kind, (In((2, *x[1:])) if len(x) > 1 else In(x), stats, stats))


@st.composite
def misc_op(draw: st.DrawFn) -> OpCase:
    kind = draw(st.sampled_from(("embedding", "pixel_shuffle", "pixel_unshuffle", "one_hot", "zeros", "unflatten")))
    if kind == "embedding":
        return OpCase(F + kind, (In(draw(shape(0, 3)), "long"), In((draw(small), draw(small)))))
    if kind in ("pixel_shuffle", "pixel_unshuffle"):
        case = draw(pixel(kind == "pixel_shuffle"))
        return OpCase(F + kind, (case.inputs[0], *case.args))
    if kind == "one_hot":
        return OpCase(F + kind, (In(draw(shape(0, 3)), "long"), draw(small)))
    if kind == "zeros":
        return OpCase(draw(st.sampled_from(("torch.zeros", "torch.ones", "torch.randn"))), tuple(draw(shape(0, 3))))
    case = draw(unflatten())
    return OpCase("torch.unflatten", (case.inputs[0], *case.args))


OP_STRATEGIES = {
    "unary": unary_op(), "binary": binary_op(), "where": where_op(), "matmul": matmul_op(), "linear": linear_op(),
    "einsum": einsum_op(), "reduction": reduction_op(), "reshape": reshape_op(), "dims": dims_op(),
    "expand": expand_op(), "split": split_op(), "cat": cat_op(), "getitem": getitem_op(), "softmax": softmax_op(),
    "conv": conv_op(False), "conv_transpose": conv_op(True), "pool": pool_op(), "adaptive": adaptive_op(),
    "interpolate": interpolate_op(), "pad": pad_op(), "sdpa": sdpa_op(), "norm": norm_op(), "misc": misc_op(),
}


@st.composite
def creation_op(draw: st.DrawFn) -> OpCase:
    kind = draw(st.sampled_from(("arange", "arange", "eye", "full", "linspace", "new_zeros")))
    if kind == "arange":
        numbers = st.one_of(st.integers(-5, 12), st.sampled_from((0.5, 2.5, -1.5)))
        args = tuple(draw(st.lists(numbers, min_size=1, max_size=3)))
        if len(args) == 3 and draw(flag):
            args = (*args[:2], draw(st.sampled_from((1, 2, -1, 3))))
        return OpCase("torch.arange", args)
    if kind == "eye":
        return OpCase("torch.eye", (draw(small),) + ((draw(small),) if draw(flag) else ()))
    if kind == "full":
        return OpCase("torch.full", (draw(shape(0, 3)), 1.5))
    if kind == "linspace":
        return OpCase("torch.linspace", (0.0, 1.0, draw(st.integers(0, 6))))
    return OpCase(T + "new_zeros", (In(draw(shape(0, 2))), draw(shape(0, 3))))


OP_STRATEGIES["creation"] = creation_op()


_POINTWISE_LOSSES = ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss")


@st.composite
def loss_inputs(draw: st.DrawFn, name: str) -> tuple[In, In, str]:
    """(input, target, reduction) for a loss: mostly fitting targets, sometimes the usual porting mistakes."""
    reduction = draw(st.sampled_from(("mean", "sum", "none")))
    if name.removesuffix("Loss") in ("MSE", "L1", "SmoothL1", "Huber", "BCE", "BCEWithLogits"):
        x, t = draw(broadcast_shapes())
        if draw(flag):
            t = x
        return In(x), In(t), reduction
    x = (draw(small), draw(small), *draw(shape(0, 2, st.integers(1, 3)))) if draw(st.integers(0, 5)) else (draw(small),)
    without = (x[0], *x[2:]) if len(x) > 1 else ()
    kind = draw(st.sampled_from(("indices", "indices", "probabilities", "column", "other")))
    if kind == "indices":
        return In(x), In(tuple(draw(near(d)) for d in without), "long"), reduction
    if kind == "probabilities":
        return In(x), In(tuple(draw(near(d)) for d in x)), reduction
    if kind == "column":  # Keras habit: (N, 1) integer labels
        return In(x), In((x[0], 1), "long"), reduction
    return In(x), In(draw(shape(0, 3)), "long"), reduction


@st.composite
def loss(draw: st.DrawFn, name: str) -> LayerCase:
    x, t, reduction = draw(loss_inputs(name))
    return LayerCase(name, (), {"reduction": reduction}, (x, t))


_F_LOSSES = {"MSELoss": "mse_loss", "L1Loss": "l1_loss", "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss",
             "BCELoss": "binary_cross_entropy", "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
             "CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss"}


@st.composite
def loss_op(draw: st.DrawFn) -> OpCase:
    name = draw(st.sampled_from(sorted(_F_LOSSES)))
    x, t, reduction = draw(loss_inputs(name))
    return OpCase(F + _F_LOSSES[name], (x, t), {"reduction": reduction})


OP_STRATEGIES["loss"] = loss_op()
