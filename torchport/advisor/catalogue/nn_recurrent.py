"""Recurrent layers: RNN, LSTM (with projections), GRU and their cells; tuple outputs."""

from __future__ import annotations

from typing import Any

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Invalid,
    Problem,
    Tensor,
    Undecidable,
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
    LayerSpec,
    OutputRule,
    Validate,
    check_sizes,
    checked_arg,
    input_shape,
    probability,
    simple,
    size_arg,
)
from torchport.advisor.dims import Dim, Unknown, fmt


_RNN_INIT = {
    "RNN": f"input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False, dropout=0.0, "
           f"bidirectional=False, {FACTORY}",
    "LSTM": f"input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False, "
            f"proj_size=0, {FACTORY}",
    "GRU": f"input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False, "
           f"{FACTORY}",
}


_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, "RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}


def _rnn_validate(kind: str) -> Validate:
    def validate(a: Args) -> None:
        probability("dropout")(a)
        for n in ("hidden_size", "num_layers"):
            v = a[n]
            if isinstance(v, int) and not isinstance(v, bool) and v <= 0:
                raise invalid(f"{kind}: {n} must be greater than zero, got {v}", n, v, 1)
        if kind == "RNN" and isinstance(a["nonlinearity"], str) and a["nonlinearity"] not in ("tanh", "relu"):
            raise invalid(f"RNN: unknown nonlinearity {a['nonlinearity']!r}, select 'tanh' or 'relu'", "nonlinearity")
        if kind == "LSTM":
            p, h = a["proj_size"], a["hidden_size"]
            if isinstance(p, int) and p < 0:
                raise invalid("LSTM: proj_size should be a positive integer or zero to disable projections",
                              "proj_size", p, 0)
            if isinstance(p, int) and isinstance(h, int) and p >= h:
                raise invalid(f"LSTM: proj_size ({p}) has to be smaller than hidden_size ({h})", "proj_size", p, h)
    return validate


def _rnn_out(kind: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = input_shape(f)
        check_rank(x, (2, 3), kind)
        batched = len(x) == 3
        batch_first = as_bool(a["batch_first"])
        shapes.channels(ctx, kind, x, len(x) - 1, checked_arg(a, "input_size"), "input_size")
        seq, batch = (x[1], x[0]) if batched and batch_first else (x[0], x[1] if batched else None)
        d = 2 if as_bool(a["bidirectional"]) else 1
        hidden = size_arg(a, "hidden_size")
        proj = size_arg(a, "proj_size") if kind == "LSTM" else 0
        h_out = proj if not (isinstance(proj, int) and proj == 0) else hidden
        layers = size_arg(a, "num_layers")
        lead = (batch, seq) if batched and batch_first else (seq, batch) if batched else (seq,)
        output = Tensor((*lead, d * h_out))  # type: ignore[operator]
        state = (d * layers, batch) if batched else (d * layers,)  # type: ignore[operator]
        h = Tensor((*state, h_out))
        expected: tuple[Tensor, ...] = (h, Tensor((*state, hidden))) if kind == "LSTM" else (h,)
        _check_state(ctx, kind, f["hx"], expected)
        return (output, expected if kind == "LSTM" else h)
    return out


def _check_state(ctx: Ctx, kind: str, hx: Any, expected: tuple[Tensor, ...]) -> None:
    """An initial state passed to forward must have the shapes the layer returns."""
    if hx is None or isinstance(hx, Unknown):
        return
    given = hx if isinstance(hx, tuple) else (hx,)
    for i, (g, e) in enumerate(zip(given, expected)):
        if not isinstance(g, Tensor) or isinstance(g.shape, Unknown) or isinstance(e.shape, Unknown):
            continue
        if len(g.shape) != len(e.shape):
            raise Invalid(Problem("rank", f"{kind}: the initial state {i} should be {len(e.shape)}-d, got "
                                          f"{len(g.shape)}-d", operand=1, got=len(g.shape), expected=len(e.shape)))
        for d, (p, q) in enumerate(zip(g.shape, e.shape)):
            ctx.equal(p, q, size_mismatch(f"{kind}: dim {d} of the initial state {i} is {fmt(p)}, expected {fmt(q)}",
                                          1, d, p, q))


def _rnn_count(kind: str) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        gates = _GATES[kind]
        i, h = size_arg(a, "input_size"), size_arg(a, "hidden_size")
        layers = need(a["num_layers"])
        if not isinstance(layers, int):
            raise Undecidable
        proj = size_arg(a, "proj_size") if kind == "LSTM" else 0
        h_out = proj if proj else h
        d = 2 if as_bool(a["bidirectional"]) else 1
        bias = as_bool(a["bias"])
        total: Dim = 0
        for layer in range(layers):
            layer_in = i if layer == 0 else d * h_out  # type: ignore[operator]
            per = gates * h * layer_in + gates * h * h_out + (2 * gates * h if bias else 0)  # type: ignore[operator]
            if proj:
                per = per + proj * h  # type: ignore[operator]
            total = total + d * per  # type: ignore[operator]
        return total, 0
    return count


def _cell_out(kind: str) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Any:
        x = input_shape(f)
        check_rank(x, (1, 2), kind)
        shapes.channels(ctx, kind, x, len(x) - 1, checked_arg(a, "input_size"), "input_size")
        h = Tensor((*x[:-1], size_arg(a, "hidden_size")))
        expected = (h, h) if kind == "LSTMCell" else (h,)
        _check_state(ctx, kind, f["hx"], expected)
        return expected if kind == "LSTMCell" else h
    return out


def _cell_count(kind: str) -> CountRule:
    def count(a: Args, x: Any) -> tuple[Dim, Dim]:
        g, i, h = _GATES[kind], size_arg(a, "input_size"), size_arg(a, "hidden_size")
        return g * h * (i + h) + (2 * g * h if as_bool(a["bias"]) else 0), 0  # type: ignore[operator]
    return count


SPECS: list[LayerSpec] = [
    *(simple(kind, _RNN_INIT[kind], _rnn_out(kind), forward="input, hx=None", count=_rnn_count(kind),
             validate=_rnn_validate(kind), constrains=(Constraint("input_size", 0, -1),))
      for kind in ("RNN", "LSTM", "GRU")),
    *(simple(kind, "input_size, hidden_size, bias=True" + (", nonlinearity='tanh'" if kind == "RNNCell" else "")
             + f", {FACTORY}", _cell_out(kind), forward="input, hx=None", count=_cell_count(kind),
             validate=check_sizes("input_size", "hidden_size"), constrains=(Constraint("input_size", 0, -1),))
      for kind in ("RNNCell", "LSTMCell", "GRUCell")),
]
