"""How torch holds a Keras tensor. Keras's shapes are batch first and channels last; a torch model may hold
the same tensor channels first (convolutions, pooling, BatchNorm) or time first (an RNN without
batch_first). `port` writes the first two, `compare` reads all three."""

from __future__ import annotations

from typing import Any, Literal

Layout = Literal["batch-major", "channels-first", "time-major"]
BATCH_MAJOR: Layout = "batch-major"  # Keras's own axis order: (N, ..., C), (N, T, F)
CHANNELS_FIRST: Layout = "channels-first"  # Keras's last axis moved to dim 1: (N, C, ...)
TIME_MAJOR: Layout = "time-major"  # (T, N, F)


def to_torch(shape: tuple[Any, ...], layout: Layout | str) -> tuple[Any, ...]:
    """A Keras shape (any dims: ints, None, symbols) in `layout`: (N, H, W, C) -> (N, C, H, W) channels-first,
    (N, T, F) -> (T, N, F) time-major; a shape of rank 0-2 (or 3 for channels-first's others) unchanged."""
    if layout == CHANNELS_FIRST and len(shape) >= 3:
        return (shape[0], shape[-1], *shape[1:-1])
    if layout == TIME_MAJOR and len(shape) == 3:
        return (shape[1], shape[0], shape[2])
    return shape
