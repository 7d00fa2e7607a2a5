"""The README demo: pylint with torchport's plugin over samples/ reports each sample's intended
structure (71xx) and loss (72xx) messages, at the intended lines, and nothing else of those families.

Each expectation names the flagged code by a snippet that occurs once in its file, so the manifest
reads as what is wrong and survives edits above it. The samples' other mistakes (shapes, Keras
conventions) belong to the 73xx/74xx families and are not checked here.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pylint.lint import Run
from pylint.reporters import CollectingReporter

from torchport.messages import FAMILIES

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
RC_FILE = ROOT / "tests" / "lint_rules" / "torchport.rc"
# 71xx/72xx messages, and torchport's own F7100 (never expected); pylint's fatal messages too
CHECKED = re.compile(r"^(?:[A-Z]7[124]\d\d|F\d{4}|E0001)$")

MANIFEST: dict[str, set[tuple[str, str]]] = {
    "mnist_convnet.py": {
        ("x = nn.Flatten()(x)", "stateless-layer-built-in-forward"),
        ("return F.softmax(self.fc(x))", "softmax-without-dim"),
        ("loss = criterion(outputs, targets)", "softmax-before-cross-entropy"),
    },
    "churn_mlp.py": {
        ("def __init__(self, n_features: int = 20", "module-super-init-missing"),
        ("loss = loss_fn(probabilities, churned)", "sigmoid-before-bce-with-logits"),
        ("x = F.dropout(x, p=self.dropout)", "dropout-always-active"),
    },
    "imdb_lstm.py": {
        ("loss = criterion(model(reviews), sentiment)", "bce-loss-without-sigmoid"),
        ("last = outputs[:, -1, :]", "rnn-batch-first-mismatch"),
    },
    "cifar_resnet_subclass.py": {
        ("self.stem = nn.Conv2d(3, width", "module-assigned-before-super-init"),
        ("x = self.block1.forward(x)", "forward-called-directly"),
        ("x = self.block2.forward(x)", "forward-called-directly"),
        ("self.bn1 = nn.BatchNorm2d(channels, momentum=0.99", "keras-batchnorm-momentum"),
        ("self.bn2 = nn.BatchNorm2d(channels, momentum=0.99", "keras-batchnorm-momentum"),
    },
    "house_prices_layer_list.py": {
        ("self.hidden = [nn.Linear(n_in, n_out)", "module-container-not-registered"),
        ("self.norms = []", "module-container-not-registered"),
        ('self.heads = {"price"', "module-container-not-registered"),
        ("optimizer.step()", "zero-grad-missing"),
    },
    "functional_api_blocks.py": {
        ("x = nn.Linear(x.shape[-1], units)(x)", "layer-built-in-forward"),
        ("x = nn.BatchNorm1d(units)(x)", "layer-built-in-forward"),
        ("x = nn.ReLU()(x)", "stateless-layer-built-in-forward"),
        ("return nn.Dropout(0.2)(x)", "layer-built-in-forward"),
        ("return nn.Linear(32, self.n_classes)(x)", "layer-built-in-forward"),
    },
    "fashion_mnist_training.py": {
        ("loss = criterion(predictions, targets)", "softmax-before-cross-entropy"),
        ("nn.BatchNorm1d(256, momentum=0.99)", "keras-batchnorm-momentum"),
        ("running_loss += loss", "loss-accumulated-with-graph"),
    },
    "sensor_activity_sequential.py": {
        ('nn.Conv1d(n_channels, 32, kernel_size=5, stride=2, padding="same")', "keras-argument"),
        ("nn.LSTM(32, 64, batch_first=True),", "rnn-in-sequential"),
    },
    "activity_standardized.py": {
        ("self.mean = torch.tensor(mean)", "tensor-attribute-not-registered"),
        ("self.std = torch.tensor(std)", "tensor-attribute-not-registered"),
        ("loss = criterion(model(features), activity)", "nll-loss-without-log-softmax"),
    },
}
CHECKED_SYMBOLS = {m.symbol for family in ("structure", "losses", "keras") for m in FAMILIES[family]}


def expected_findings(name: str) -> set[tuple[int, str]]:
    """The manifest's (line, symbol) pairs of one sample, each snippet located on its one line."""
    lines = (SAMPLES / name).read_text().splitlines()
    found = set()
    for snippet, symbol in MANIFEST[name]:
        numbers = [number for number, line in enumerate(lines, 1) if snippet in line]
        assert len(numbers) == 1, f"{name}: snippet {snippet!r} is on lines {numbers}, not on one line"
        found.add((numbers[0], symbol))
    return found


@pytest.fixture(scope="module")
def reported() -> dict[str, set[tuple[int, str]]]:
    """(line, symbol) of every checked message pylint reports, by sample file name."""
    reporter = CollectingReporter()
    Run(["--rcfile", str(RC_FILE), "--persistent=n", "--score=n", str(SAMPLES)], reporter=reporter, exit=False)
    by_file: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for message in reporter.messages:
        if CHECKED.match(message.msg_id):
            by_file[Path(message.path).name].add((message.line, message.symbol))
    return by_file


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_sample_gets_exactly_its_intended_messages(name: str, reported: dict[str, set[tuple[int, str]]]) -> None:
    expected = expected_findings(name)
    actual = reported.get(name, set())
    missing, unexpected = sorted(expected - actual), sorted(actual - expected)
    assert not missing and not unexpected, f"{name}: missing {missing}; unexpected {unexpected}"


def test_every_sample_is_in_the_manifest_and_parses() -> None:
    on_disk = sorted(path.name for path in SAMPLES.glob("*.py"))
    assert on_disk == sorted(MANIFEST)
    for name in on_disk:
        ast.parse((SAMPLES / name).read_text(), name)


def test_samples_cover_every_structure_and_loss_message() -> None:
    intended = {symbol for findings in MANIFEST.values() for _, symbol in findings}
    assert CHECKED_SYMBOLS <= intended, f"no sample shows {sorted(CHECKED_SYMBOLS - intended)}"


def test_manifest_names_only_catalogue_symbols() -> None:
    intended = {symbol for findings in MANIFEST.values() for _, symbol in findings}
    assert intended <= CHECKED_SYMBOLS, f"not structure, loss or Keras-convention messages: {sorted(intended - CHECKED_SYMBOLS)}"
