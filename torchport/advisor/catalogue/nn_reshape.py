"""Layers that rearrange or resize: Flatten, Unflatten, Upsample, PixelShuffle/Unshuffle, padding."""

from __future__ import annotations

from torchport.advisor.catalogue import shapes
from torchport.advisor.catalogue.core import (
    Ctx,
    Tensor,
    as_tuple,
    check_rank,
    need,
)
from torchport.advisor.catalogue.layer import (
    Args,
    LayerSpec,
    OutputRule,
    input_shape,
    simple,
    size_arg,
)


def _flatten_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(shapes.flatten(input_shape(f), a["start_dim"], a["end_dim"], "Flatten"))


def _unflatten_out(ctx: Ctx, a: Args, f: Args) -> Tensor:
    return Tensor(shapes.unflatten(ctx, input_shape(f), a["dim"], need(a["unflattened_size"]), "Unflatten"))


def _upsample_out(mode: str | None) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        m = need(a["mode"]) if mode is None else mode
        if mode is not None:
            check_rank(x, (4,), "Upsampling")
        align = a.get("align_corners") if mode is None else (True if mode == "bilinear" else None)
        return Tensor(shapes.interpolate(ctx, "Upsample", x, a["size"], a["scale_factor"], m, align))
    return out


def _pixel_out(shuffle: bool) -> OutputRule:
    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        if shuffle:
            return Tensor(shapes.pixel_shuffle(ctx, "PixelShuffle", x, size_arg(a, "upscale_factor", 1)))
        return Tensor(shapes.pixel_unshuffle(ctx, "PixelUnshuffle", x, size_arg(a, "downscale_factor", 1)))
    return out


_PAD_MODES = {"Zero": "constant", "Constant": "constant", "Reflection": "reflect", "Replication": "replicate",
              "Circular": "circular"}


def _pad_out(kind: str, nd: int) -> OutputRule:
    name = f"{kind}Pad{nd}d"

    def out(ctx: Ctx, a: Args, f: Args) -> Tensor:
        x = input_shape(f)
        check_rank(x, (nd + 1, nd + 2), name)
        pads = as_tuple(a["padding"], 2 * nd, "padding")
        return Tensor(shapes.pad(ctx, name, x, pads, _PAD_MODES[kind]))
    return out


def _pad(kind: str, nd: int) -> LayerSpec:
    init = "padding, value" if kind == "Constant" else "padding"
    return LayerSpec(f"torch.nn.{kind}Pad{nd}d", init, "input", _pad_out(kind, nd))


SPECS: list[LayerSpec] = [
    simple("Flatten", "start_dim=1, end_dim=-1", _flatten_out),
    simple("Unflatten", "dim, unflattened_size", _unflatten_out),
    simple("Upsample", "size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None",
           _upsample_out(None)),
    simple("UpsamplingNearest2d", "size=None, scale_factor=None", _upsample_out("nearest")),
    simple("UpsamplingBilinear2d", "size=None, scale_factor=None", _upsample_out("bilinear")),
    simple("PixelShuffle", "upscale_factor", _pixel_out(True)),
    simple("PixelUnshuffle", "downscale_factor", _pixel_out(False)),
    *(_pad(kind, nd) for nd in (1, 2, 3) for kind in _PAD_MODES),
]
