"""torchvision's classification models as a shape reference: torch's shapes on the meta device, and, once
`torchport summary` exists, how torchport's inferred shapes compare.

    python bench/torchvision_models.py [--only resnet18 ...] [--json OUT.json]

The model sources are real code nobody here wrote. They come from the torchvision wheel, fetched once with
`pip download --no-deps` (torchvision 0.29.1 declares torch>=2.14, which must not be installed here) and
unzipped under bench/.corpus/ with numpy and pillow, which torchvision's own imports need. The wheel is a
CUDA build: this process pre-registers `torchvision._meta_registrations` and `_autograd_registrations`
as empty modules, so it imports with our CPU torch 2.13.0 (see /work/shared/keras-to-pytorch.md).

A model whose constructor arguments are literals is named directly (`alexnet.py::AlexNet`); the others
(`ResNet(BasicBlock, [2, 2, 2, 2])`) get a subclass with a no-argument constructor in a generated
`torchvision/models/torchport_targets.py`, which both torch and torchport read.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / ".corpus"
TORCHVISION = "torchvision==0.29.1"
TORCHVISION_RUNTIME = ("numpy", "pillow")  # imported by torchvision/__init__; torch is deliberately not fetched
SOURCE_DIR = CORPUS / "torchvision-0.29.1"
MODELS_DIR = SOURCE_DIR / "torchvision" / "models"
TARGETS_MODULE = "torchport_targets"
# names a builder expression may use that do not come from the model's own module
STDLIB_NAMES = {"partial": "from functools import partial", "nn": "from torch import nn"}
TORCHPORT = [sys.executable, "-c", "import sys; from torchport.advisor.cli import main; sys.exit(main())"]


@dataclass(frozen=True)
class TorchvisionModel:
    name: str  # torchvision's builder function
    module: str  # file of torchvision/models without .py
    builder: str  # the constructor call torchvision's builder makes (weights=None), in the module's names
    weights: str  # the builder's weights enum, whose meta holds torchvision's own parameter count
    input: tuple[int, ...] = (1, 3, 224, 224)

    @property
    def literal_args(self) -> bool:
        call = ast.parse(self.builder, mode="eval").body
        assert isinstance(call, ast.Call)
        try:
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                ast.literal_eval(arg)
        except ValueError:
            return False
        return True

    @property
    def class_name(self) -> str:
        """The class torchport is pointed at: torchvision's own, or the generated wrapper."""
        if self.literal_args:
            return self.builder.split("(", 1)[0]
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def target(self) -> str:
        """The `FILE::Class(args)` argument of `torchport summary`."""
        if self.literal_args:
            return f"{MODELS_DIR / self.module}.py::{self.builder}"
        return f"{MODELS_DIR / TARGETS_MODULE}.py::{self.class_name}"


MODELS: tuple[TorchvisionModel, ...] = (
    TorchvisionModel("alexnet", "alexnet", "AlexNet()", "AlexNet_Weights"),
    TorchvisionModel("vgg11", "vgg", 'VGG(make_layers(cfgs["A"], batch_norm=False))', "VGG11_Weights"),
    TorchvisionModel("vgg16_bn", "vgg", 'VGG(make_layers(cfgs["D"], batch_norm=True))', "VGG16_BN_Weights"),
    TorchvisionModel("resnet18", "resnet", "ResNet(BasicBlock, [2, 2, 2, 2])", "ResNet18_Weights"),
    TorchvisionModel("resnet50", "resnet", "ResNet(Bottleneck, [3, 4, 6, 3])", "ResNet50_Weights"),
    TorchvisionModel(
        "resnext50_32x4d", "resnet", "ResNet(Bottleneck, [3, 4, 6, 3], groups=32, width_per_group=4)",
        "ResNeXt50_32X4D_Weights",
    ),
    TorchvisionModel("squeezenet1_0", "squeezenet", 'SqueezeNet("1_0")', "SqueezeNet1_0_Weights"),
    TorchvisionModel("squeezenet1_1", "squeezenet", 'SqueezeNet("1_1")', "SqueezeNet1_1_Weights"),
    TorchvisionModel("mobilenet_v2", "mobilenetv2", "MobileNetV2()", "MobileNet_V2_Weights"),
    TorchvisionModel(
        "mobilenet_v3_large", "mobilenetv3", 'MobileNetV3(*_mobilenet_v3_conf("mobilenet_v3_large"))',
        "MobileNet_V3_Large_Weights",
    ),
    TorchvisionModel(
        "mobilenet_v3_small", "mobilenetv3", 'MobileNetV3(*_mobilenet_v3_conf("mobilenet_v3_small"))',
        "MobileNet_V3_Small_Weights",
    ),
    TorchvisionModel("densenet121", "densenet", "DenseNet(32, (6, 12, 24, 16), 64)", "DenseNet121_Weights"),
    TorchvisionModel(
        "efficientnet_b0", "efficientnet",
        'EfficientNet(_efficientnet_conf("efficientnet_b0", width_mult=1.0, depth_mult=1.0)[0], 0.2)',
        "EfficientNet_B0_Weights",
    ),
    TorchvisionModel(
        "efficientnet_v2_s", "efficientnet",
        'EfficientNet(_efficientnet_conf("efficientnet_v2_s")[0], 0.2, last_channel=1280, '
        "norm_layer=partial(nn.BatchNorm2d, eps=1e-03))",
        "EfficientNet_V2_S_Weights", (1, 3, 384, 384),
    ),
    # the pretrained GoogLeNet drops its auxiliary heads; Inception v3 keeps them (unused in eval mode)
    TorchvisionModel("googlenet", "googlenet", "GoogLeNet(aux_logits=False, init_weights=False)", "GoogLeNet_Weights"),
    TorchvisionModel(
        "inception_v3", "inception", "Inception3(aux_logits=True, init_weights=False)", "Inception_V3_Weights",
        (1, 3, 299, 299),
    ),
)


# --- the corpus ----------------------------------------------------------------------------------------


def fetch_corpus() -> Path:
    """Download and unzip torchvision (and its import-time needs) under bench/.corpus/, once."""
    if (MODELS_DIR / "resnet.py").exists():
        return SOURCE_DIR
    CORPUS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CORPUS) as tmp:
        wheels = Path(tmp) / "wheels"
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(wheels),
             TORCHVISION, *TORCHVISION_RUNTIME],
            check=True,
        )
        unpacked = Path(tmp) / "site"
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(unpacked)
        if SOURCE_DIR.exists():  # a half-written earlier attempt
            shutil.rmtree(SOURCE_DIR)
        unpacked.rename(SOURCE_DIR)
    return SOURCE_DIR


def write_targets(models: tuple[TorchvisionModel, ...]) -> Path:
    """Generate torchport_targets.py: a no-argument subclass per model whose arguments are not literals."""
    imports: dict[str, set[str]] = {}
    stdlib: set[str] = set()
    classes = []
    for model in models:
        if model.literal_args:
            continue
        call = ast.parse(model.builder, mode="eval").body
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        base = call.func.id
        for node in ast.walk(call):
            if isinstance(node, ast.Name):
                if node.id in STDLIB_NAMES:
                    stdlib.add(node.id)
                else:
                    imports.setdefault(model.module, set()).add(node.id)
        arguments = ast.unparse(call)[len(base) + 1 : -1]
        classes.append(
            f"\n\nclass {model.class_name}({base}):\n"
            f"    def __init__(self):\n"
            f"        super().__init__({arguments})\n"
        )
    lines = [
        '"""Generated by bench/torchvision_models.py: torchvision models whose constructor arguments are not',
        'literals, as subclasses `torchport summary` can name. Regenerated on every run."""',
        *sorted(STDLIB_NAMES[name] for name in stdlib),
        "",
        *(f"from .{module} import {', '.join(sorted(names))}" for module, names in sorted(imports.items())),
    ]
    path = MODELS_DIR / f"{TARGETS_MODULE}.py"
    path.write_text("\n".join(lines) + "\n" + "".join(classes))
    return path


def import_torchvision_models() -> None:
    """Make `torchvision.models` importable in this process with the CPU torch (see the module docstring)."""
    for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.path.insert(0, str(SOURCE_DIR))
    import torchvision.models  # noqa: F401 - fails loudly here rather than in the first model


# --- torch, the oracle ---------------------------------------------------------------------------------


@dataclass
class OracleRecord:
    name: str
    target: str
    input: tuple[int, ...]
    output: Any
    layers_called: int  # named submodules torch called at least once
    layers: int  # all named submodules
    total_params: int
    documented_params: int  # torchvision's own count, from the weights' meta
    seconds: float


def run_oracle(model: TorchvisionModel) -> tuple[OracleRecord, Any]:
    """Build and run the model on meta: the printed record and the full OracleResult."""
    import importlib

    from tests.support.torch_oracle import build, meta_inputs, trace

    module = importlib.import_module(f"torchvision.models.{model.module}")
    if model.literal_args:
        call = ast.parse(model.builder, mode="eval").body
        assert isinstance(call, ast.Call)
        cls = getattr(module, model.class_name)
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        factory = lambda: cls(*args, **kwargs)  # noqa: E731
    else:
        targets = importlib.import_module(f"torchvision.models.{TARGETS_MODULE}")
        factory = getattr(targets, model.class_name)
    start = time.perf_counter()
    result = trace(build(factory), meta_inputs([model.input]))
    seconds = time.perf_counter() - start
    weights = getattr(module, model.weights)
    submodules = [layer for name, layer in result.layers.items() if name]
    record = OracleRecord(
        name=model.name,
        target=model.target,
        input=model.input,
        output=result.output,
        layers_called=sum(1 for layer in submodules if layer.calls),
        layers=len(submodules),
        total_params=result.total_params,
        documented_params=weights.DEFAULT.meta["num_params"],
        seconds=seconds,
    )
    return record, result


# --- torchport, once `torchport summary` exists ---------------------------------------------------------


def torchport_summary_available() -> bool:
    done = subprocess.run([*TORCHPORT, "summary", "--help"], capture_output=True, text=True, cwd=ROOT)
    return done.returncode == 0


def torchport_summary(model: TorchvisionModel) -> dict[str, Any]:
    """torchport's JSON summary of the model at its input shape (raises if torchport fails)."""
    shape = ",".join(str(d) for d in model.input)
    done = subprocess.run(
        [*TORCHPORT, "summary", model.target, "--input-shape", shape, "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    return json.loads(done.stdout)


def compare_with_torchport(name: str, result: Any, summary_json: dict[str, Any]) -> str:
    """How torchport's summary JSON for a model agrees with torch's OracleResult: one line, plus the
    first wrong layers."""
    from tests.support.torch_oracle import compare_summary

    models = summary_json.get("models", [])
    if len(models) != 1:
        return f"{name}: torchport summarised {len(models)} models, expected 1"
    c = compare_summary(result, models[0])
    compared = len(c.matches) + len(c.mismatches) + len(c.unresolved)
    line = (
        f"{name}: output {c.output}, total_params {c.total_params}, layers {len(c.matches)}/{compared} match,"
        f" {len(c.mismatches)} wrong, {len(c.unresolved)} symbolic, {len(c.missing)} missing, {len(c.extra)} unknown,"
        f" {len(c.param_mismatches)} wrong param counts"
    )
    for name, expected, got in c.mismatches[:3]:
        line += f"\n    {name}: torch {expected}, torchport {got}"
    return line


# --- the command ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=[m.name for m in MODELS])
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the oracle's records (and comparisons)")
    args = parser.parse_args(argv)
    models = tuple(m for m in MODELS if not args.only or m.name in args.only)

    sys.path.insert(0, str(ROOT))
    fetch_corpus()
    write_targets(MODELS)
    import_torchvision_models()

    records, results = [], []
    print(f"{'model':20} {'input':16} {'output':12} {'layers':>9} {'params':>11} {'torchvision':>11} {'s':>5}")
    for model in models:
        record, result = run_oracle(model)
        records.append(record)
        results.append(result)
        same = "=" if record.total_params == record.documented_params else "!="
        print(
            f"{record.name:20} {'x'.join(map(str, record.input)):16} {'x'.join(map(str, record.output)):12}"
            f" {record.layers_called:>4}/{record.layers:<4} {record.total_params:>11,} {same}{record.documented_params:>10,}"
            f" {record.seconds:5.2f}"
        )

    comparisons: dict[str, str] = {}
    if torchport_summary_available():
        for model, result in zip(models, results):
            try:
                comparisons[model.name] = compare_with_torchport(model.name, result, torchport_summary(model))
            except subprocess.CalledProcessError as error:
                comparisons[model.name] = f"{model.name}: torchport failed ({error.returncode}): {error.stderr.strip()[-300:]}"
            print(comparisons[model.name])
    else:
        print("torchport summary not available yet")

    if args.json:
        rows = [asdict(record) for record in records]
        for row, result in zip(rows, results):
            row["layer_outputs"] = {name: list(layer.calls) for name, layer in result.layers.items() if name}
            row["torchport"] = comparisons.get(row["name"], "torchport summary not available yet")
        args.json.write_text(json.dumps(rows, indent=1))
    mismatched = [r.name for r in records if r.total_params != r.documented_params]
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
