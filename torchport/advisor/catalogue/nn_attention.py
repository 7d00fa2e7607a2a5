"""Attention: MultiheadAttention, Transformer encoder/decoder layers and their stacks."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
    arg_mismatch,
    as_bool,
    check_rank,
    invalid,
    need,
    size_mismatch,
)
from torchport.advisor.catalogue.layer import (
    FACTORY,
    Args,
    Constraint,
    CountRule,
    Layer,
    LayerSpec,
    OutputRule,
    ParamCount,
    input_shape,
    probability,
    simple,
    size_arg,
)
from torchport.advisor.dims import UNKNOWN, Dim, Unknown, fmt


def _mha_validate(a: Args) -> None:
    probability("dropout")(a)
    e, h = a["embed_dim"], a["num_heads"]
    if isinstance(e, int) and isinstance(h, int):
        if e <= 0 or h <= 0:
            raise invalid(f"embed_dim and num_heads must be greater than 0, got {e} and {h}", "embed_dim", e)
        if e % h:
            raise invalid(f"embed_dim={e} must be divisible by num_heads={h}", "num_heads", h, e)


def _mha_count(a: Args, x: Any) -> tuple[Dim, Dim]:
    e = size_arg(a, "embed_dim")
    k = e if a["kdim"] is None else size_arg(a, "kdim")
    v = e if a["vdim"] is None else size_arg(a, "vdim")
    bias = as_bool(a["bias"])
    weights = e * e + e * k + e * v  # q, k, v projections (packed or separate: same count)  # type: ignore[operator]
    total = weights + (3 * e if bias else 0) + e * e + (e if bias else 0)  # type: ignore[operator]
    if as_bool(a["add_bias_kv"]):
        total = total + 2 * e  # type: ignore[operator]
    return total, 0


def _mha_out(ctx: Ctx, a: Args, f: Args) -> Any:
    q, k, v = input_shape(f, "query"), input_shape(f, "key"), input_shape(f, "value")
    name = "MultiheadAttention"
    check_rank(q, (2, 3), name)
    batched = len(q) == 3
    for operand, t in ((1, k), (2, v)):
        if len(t) != len(q):
            raise Invalid(Problem("rank", f"{name}: key and value must have as many dims as query ({len(q)}), "
                                          f"got {len(t)}", operand=operand, got=len(t), expected=len(q)))
    e = size_arg(a, "embed_dim")
    kdim = e if a["kdim"] is None else size_arg(a, "kdim")
    vdim = e if a["vdim"] is None else size_arg(a, "vdim")
    last = len(q) - 1
    shapes.channels(ctx, name, q, last, e, "embed_dim")
    ctx.equal(kdim, k[last], arg_mismatch(name, "kdim", kdim, k[last], 1, last), defer=True)
    ctx.equal(vdim, v[last], arg_mismatch(name, "vdim", vdim, v[last], 2, last), defer=True)
    batch_first = batched and as_bool(a["batch_first"])
    seq_dim = 1 if batch_first else 0
    ctx.equal(v[seq_dim], k[seq_dim], size_mismatch(f"{name}: key and value have different sequence lengths "
                                                    f"({fmt(k[seq_dim])} and {fmt(v[seq_dim])})", 2, seq_dim,
                                                    v[seq_dim], k[seq_dim]))
    if batched:
        bdim = 0 if batch_first else 1
        for operand, t in ((1, k), (2, v)):
            ctx.equal(t[bdim], q[bdim], size_mismatch(f"{name}: batch size {fmt(t[bdim])} differs from the "
                                                      f"query's {fmt(q[bdim])}", operand, bdim, t[bdim], q[bdim]))
    out = Tensor(q)
    if not as_bool(f["need_weights"]):
        return (out, None)
    L, S = q[seq_dim], k[seq_dim]
    S = S + int(as_bool(a["add_bias_kv"])) + int(as_bool(a["add_zero_attn"]))  # type: ignore[operator]
    heads = () if as_bool(f["average_attn_weights"]) else (size_arg(a, "num_heads"),)
    batch = (q[0 if batch_first else 1],) if batched else ()
    return (out, Tensor((*batch, *heads, L, S)))


def _transformer_validate(a: Args) -> None:
    probability("dropout")(a)
    _mha_validate({"embed_dim": a["d_model"], "num_heads": a["nhead"], "dropout": 0.0})
    act = a["activation"]
    if isinstance(act, str) and act not in ("relu", "gelu"):
        raise invalid(f"activation should be relu/gelu, not {act}", "activation", act)


def _ln_params(e: Dim, bias: bool) -> Dim:
    return e * 2 if bias else e  # type: ignore[operator]


def _transformer_layer_count(decoder: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        e, ff = size_arg(a, "d_model"), size_arg(a, "dim_feedforward")
        bias = as_bool(a["bias"])
        attn = {"embed_dim": e, "kdim": None, "vdim": None, "bias": bias, "add_bias_kv": False}
        attention = _mha_count(attn, None)[0]
        mlp = e * ff + ff * e + ((ff + e) if bias else 0)  # type: ignore[operator]
        attentions, norms = (2, 3) if decoder else (1, 2)
        return attentions * attention + mlp + norms * _ln_params(e, bias), 0  # type: ignore[operator]
    return count


def _transformer_layer_out(decoder: bool) -> OutputRule:
    name = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f, "tgt" if decoder else "src")
        check_rank(x, (2, 3), name)
        e = size_arg(a, "d_model")
        shapes.channels(ctx, name, x, len(x) - 1, e, "d_model")
        if decoder:
            m = input_shape(f, "memory")
            check_rank(m, (len(x),), name, operand=1)
            ctx.equal(e, m[-1], arg_mismatch(name, "d_model", e, m[-1], 1, len(m) - 1), defer=True)
        return Tensor(x)
    return out


def _stack_validate(a: Args) -> None:
    layer = a.get("encoder_layer", a.get("decoder_layer"))
    if isinstance(layer, Layer) and layer.errors:
        raise Invalid(layer.errors[0])


def _stack_out(decoder: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        layer = a["decoder_layer" if decoder else "encoder_layer"]
        if not isinstance(layer, Layer):
            raise Undecidable
        keys = ("tgt", "memory") if decoder else ("src",)
        inner = layer(*(f[k] for k in keys))
        ctx.constraints.extend(inner.constraints)
        if inner.errors:
            raise Invalid(inner.errors[0], inner.assumed)
        value = need(inner.value)
        norm = a["norm"]
        if isinstance(norm, Layer):
            normed = norm(value)
            ctx.constraints.extend(normed.constraints)
            if normed.errors:
                raise Invalid(normed.errors[0], normed.assumed)
            return normed.value
        if norm is not None:
            raise Undecidable
        return value
    return out


def _stack_count(decoder: bool) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        layer = a["decoder_layer" if decoder else "encoder_layer"]
        n = need(a["num_layers"])
        if not isinstance(layer, Layer) or not isinstance(n, int):
            raise Undecidable
        inner = layer.param_count()
        norm = a["norm"]
        extra = ParamCount(0, 0, 0) if norm is None else norm.param_count() if isinstance(norm, Layer) else UNKNOWN
        if isinstance(inner, Unknown) or isinstance(extra, Unknown):
            raise Undecidable
        return n * inner.total + extra.total, n * inner.buffers + extra.buffers
    return count


_LAYER_INIT = ("d_model, nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-05, "
               f"batch_first=False, norm_first=False, bias=True, {FACTORY}")
_DECODER_FORWARD = ("tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, "
                    "memory_key_padding_mask=None, tgt_is_causal={causal}, memory_is_causal=False")

SPECS: list[LayerSpec] = [
    simple("MultiheadAttention", "embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, "
           f"add_zero_attn=False, kdim=None, vdim=None, batch_first=False, {FACTORY}", _mha_out,
           forward="query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, "
                   "average_attn_weights=True, is_causal=False",
           count=_mha_count, validate=_mha_validate,
           constrains=(Constraint("embed_dim", 0, -1), Constraint("kdim", 1, -1), Constraint("vdim", 2, -1))),
    simple("TransformerEncoderLayer", _LAYER_INIT, _transformer_layer_out(False),
           forward="src, src_mask=None, src_key_padding_mask=None, is_causal=False",
           count=_transformer_layer_count(False), validate=_transformer_validate,
           constrains=(Constraint("d_model", 0, -1),)),
    simple("TransformerDecoderLayer", _LAYER_INIT, _transformer_layer_out(True),
           forward=_DECODER_FORWARD.format(causal=False), count=_transformer_layer_count(True),
           validate=_transformer_validate, constrains=(Constraint("d_model", 0, -1),)),
    simple("TransformerEncoder", "encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True",
           _stack_out(False), forward="src, mask=None, src_key_padding_mask=None, is_causal=None",
           count=_stack_count(False), validate=_stack_validate),
    simple("TransformerDecoder", "decoder_layer, num_layers, norm=None", _stack_out(True),
           forward=_DECODER_FORWARD.format(causal=None), count=_stack_count(True), validate=_stack_validate),
]
