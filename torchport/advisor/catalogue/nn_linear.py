"""Linear, LazyLinear, Bilinear, Identity, Embedding and EmbeddingBag."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    as_bool,
    integer_indices,
    invalid,
    need,
    shape_of,
    size_mismatch,
)
from torchport.advisor.catalogue.layer import (
    ANY_ARGS,
    FACTORY,
    Args,
    Constraint,
    LayerSpec,
    check_sizes,
    checked_arg,
    input_shape,
    simple,
    size_arg,
)
from torchport.advisor.dims import UNKNOWN, Dim, fmt


def _linear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    in_features, out_features = checked_arg(a, "in_features"), size_arg(a, "out_features")
    return Tensor(shapes.linear(ctx, "Linear", input_shape(f), in_features, out_features))


def _linear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    i, o = size_arg(a, "in_features"), size_arg(a, "out_features")
    return i * o + (o if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _lazy_linear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x = input_shape(f)
    return Tensor(shapes.linear(ctx, "LazyLinear", x, x[-1] if x else 0, size_arg(a, "out_features")))


def _lazy_linear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    s = shape_of(x)
    return _linear_count({**a, "in_features": need(s[-1] if s else UNKNOWN)}, None)


def _bilinear_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    x1, x2 = input_shape(f, "input1"), input_shape(f, "input2")
    out = shapes.linear(ctx, "Bilinear", x1, size_arg(a, "in1_features"), size_arg(a, "out_features"), "in1_features")
    shapes.linear(ctx, "Bilinear", x2, size_arg(a, "in2_features"), size_arg(a, "out_features"), "in2_features",
                  operand=1)
    if len(x1) != len(x2):
        raise Invalid(Problem("rank", f"Bilinear: input1 ({len(x1)}-d) and input2 ({len(x2)}-d) must have the same "
                                      "number of dims", operand=1, got=len(x2), expected=len(x1)))
    for d, (p, q) in enumerate(zip(x1[:-1], x2[:-1])):
        ctx.equal(q, p, size_mismatch(f"Bilinear: input2's dim {d} ({fmt(q)}) differs from input1's ({fmt(p)})",
                                      1, d, q, p))
    return Tensor(out)


def _bilinear_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    i1, i2, o = size_arg(a, "in1_features"), size_arg(a, "in2_features"), size_arg(a, "out_features")
    return i1 * i2 * o + (o if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]


def _identity_out(ctx: Ctx, a: Args, f: Args) -> Any:
    return f["input"]


def _embedding_validate(a: Args) -> None:
    check_sizes("num_embeddings", "embedding_dim")(a)
    n, pad = a["num_embeddings"], a["padding_idx"]
    if isinstance(n, int) and isinstance(pad, int) and not -n <= pad < n:
        raise invalid(f"padding_idx={pad} must be within num_embeddings={n}", "padding_idx", pad, (-n, n - 1))


def _embedding_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    integer_indices("Embedding", f["input"])
    return Tensor((*input_shape(f), size_arg(a, "embedding_dim")))


def _embedding_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    return size_arg(a, "num_embeddings") * size_arg(a, "embedding_dim"), 0  # type: ignore[operator]


def _bag_validate(a: Args) -> None:
    _embedding_validate(a)
    if isinstance(a["mode"], str) and a["mode"] not in ("sum", "mean", "max"):
        raise invalid(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {a['mode']!r}", "mode", a["mode"])


def _bag_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    integer_indices("EmbeddingBag", f["input"])
    x = input_shape(f)
    dim = size_arg(a, "embedding_dim")
    offsets = f["offsets"]
    if len(x) == 2:
        if offsets is not None:
            raise invalid("EmbeddingBag: offsets must be None for a 2-d input", "offsets")
        return Tensor((x[0], dim))
    if len(x) != 1:
        raise Invalid(Problem("rank", f"EmbeddingBag expects a 1-d or 2-d input, got {len(x)}-d", got=len(x),
                              expected=(1, 2)))
    if offsets is None:
        raise invalid("EmbeddingBag: offsets are required for a 1-d input", "offsets")
    o = shape_of(offsets)
    if len(o) != 1:
        raise Invalid(Problem("rank", f"EmbeddingBag: offsets must be 1-d, got {len(o)}-d", operand=1, got=len(o),
                              expected=1))
    bags = o[0] - 1 if as_bool(a["include_last_offset"]) else o[0]  # type: ignore[operator]
    return Tensor((bags, dim))


SPECS: list[LayerSpec] = [
    simple("Linear", f"in_features, out_features, bias=True, {FACTORY}", _linear_out, count=_linear_count,
           validate=check_sizes("in_features", "out_features"), constrains=(Constraint("in_features", 0, -1),)),
    simple("LazyLinear", f"out_features, bias=True, {FACTORY}", _lazy_linear_out, count=_lazy_linear_count,
           validate=check_sizes("out_features"), lazy=True),
    simple("Bilinear", f"in1_features, in2_features, out_features, bias=True, {FACTORY}", _bilinear_out,
           forward="input1, input2", count=_bilinear_count,
           validate=check_sizes("in1_features", "in2_features", "out_features"),
           constrains=(Constraint("in1_features", 0, -1), Constraint("in2_features", 1, -1))),
    simple("Identity", ANY_ARGS, _identity_out),
    simple("Embedding", "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, "
           f"scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, {FACTORY}", _embedding_out,
           count=_embedding_count, validate=_embedding_validate),
    simple("EmbeddingBag", "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, "
           f"mode='mean', sparse=False, _weight=None, include_last_offset=False, padding_idx=None, {FACTORY}",
           _bag_out, forward="input, offsets=None, per_sample_weights=None", count=_embedding_count,
           validate=_bag_validate),
]
