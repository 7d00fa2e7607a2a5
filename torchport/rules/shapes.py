"""Rules of the shapes family (73xx), on the advisor's shape inference.

Each top-level model of the module (as `torchport summary` selects them) is traced with the constructor
arguments and input shapes summary would choose, except that only the module itself is searched for
instantiations and calls (`Net(10)`, `model(torch.randn(...))`): measured on the 31 zoo files (36 models),
summary's project scan (up to 400 files per model) costs 2.55 s CPU against 0.13 s for the module alone,
while the whole 73xx family adds about 0.6 s CPU to pylint's 5.6 s on those files.
Only errors that hold for every value of the symbols, and for every input rank the first layer allows when
the input is guessed from it, are reported, and only where they point into this module; conditions on the
input sizes are left to `torchport summary`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from astroid import nodes

from torchport.advisor import inputs as sources
from torchport.advisor.interpreter import ModelBuild
from torchport.advisor.shape_findings import ERROR, certain, shape_findings
from torchport.advisor.summarize import SummaryError, choose_inputs, constructor_arguments
from torchport.advisor.summary_model import top_level_models
from torchport.advisor.target import Target
from torchport.advisor.usages import find_usages
from torchport.analysis.model import find_method
from torchport.rules.finding import Finding


def check(module: nodes.Module) -> Iterator[Finding]:
    """Findings of the shapes family in one module."""
    path = Path(module.file) if module.file else None
    if path is None or not path.is_file():
        return
    for cls in top_level_models(module):
        for finding in _model_findings(path, module, cls):
            yield finding


def _model_findings(path: Path, module: nodes.Module, cls: nodes.ClassDef) -> Iterator[Finding]:
    usages = find_usages(cls, [module])
    args, kwargs, _, _ = constructor_arguments(cls, Target(str(path)), usages)
    forward = find_method(cls, "forward")
    required, optional = sources.tensor_parameters(forward)
    model = ModelBuild(cls, args, kwargs)
    try:
        chosen = choose_inputs(path, cls, forward, required, optional, [], usages, args, kwargs, model=model)
    except SummaryError:  # a malformed [tool.torchport.input-shapes]: summary reports it, pylint stays silent
        return
    found = shape_findings(model.trace(list(chosen.values), last=not chosen.alternatives), conditions=False)
    if found and chosen.alternatives:
        found = certain(found, [shape_findings(model.trace(list(values)), conditions=False)
                                for values in chosen.alternatives])
    for finding in found:
        if finding.kind == ERROR and finding.symbol is not None and finding.node.root() is module:
            yield Finding(finding.symbol, finding.node, finding.args)
