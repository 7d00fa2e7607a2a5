"""The summary of one model: its layers, output shapes and parameter counts, and where its inputs and
constructor arguments came from. Built from the interpreter's trace; rendered by `summary_render`.

Decisions:
- A model of a file (when no class is named) is a Module class that no other Module class of the file
  instantiates, refers to (`ResNet(BasicBlock, ...)`) or derives from, directly or through a module-level
  helper function it calls. A class used only under `if __name__ == "__main__":` is still a model.
- `layers` lists every module of `named_modules()` but the model itself, in torch's order and names.
  A layer's `params` counts its whole subtree (as `sum(p.numel() for p in layer.parameters())`).
- A layer called several times (shared layers, loops) has its first call's output as `output`; the table
  also lists the other, different outputs of its later calls. A layer never called has no output (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor import dims
from torchport.advisor.dims import Unknown
from torchport.advisor.inputs import SourceKind
from torchport.advisor.interpreter import Trace
from torchport.advisor.shape_findings import ERROR, certain, shape_findings
from torchport.advisor.values import ModuleInstance, ParamValue, TensorValue
from torchport.analysis.model import module_classes
from torchport.analysis.names import qualified_name
from torchport.analysis.node_index import descendants

Nesting = Any  # list of dims (int or str) for a tensor, list / dict of nestings, None, or "?" when unknown


@dataclass(frozen=True)
class LayerRow:
    name: str  # as torch's named_modules() spells it
    type: str  # class name, e.g. "Conv2d"
    output: Nesting  # of the first call
    params: int | None  # None: unknown
    other_outputs: tuple[Nesting, ...] = ()  # later calls' outputs that differ from the first


@dataclass(frozen=True)
class Finding:
    line: int
    where: str  # the layer ("fc1 (Linear)") or the operation ("torch.cat")
    kind: str  # "error": torch raises; "condition": holds only for some input sizes
    message: str
    symbol: str | None = None  # the 73xx message, None for an error no 73xx message describes
    # a condition's example: the symbol values its message gives ("e.g. a 34x34 input": {"H": 34, "W": 34})
    example: dict[str, int] | None = field(default=None, compare=False)


@dataclass
class ModelSummary:
    class_name: str
    file: str
    line: int
    inputs: list[Nesting]
    input_dtypes: list[str | None]  # "int64" for token ids (Embedding's input), None when not said
    input_source: str
    args: str  # the constructor arguments as written, e.g. "num_classes=10"
    args_source: str
    output: Nesting
    layers: list[LayerRow]
    total_params: int | None
    trainable_params: int | None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the interpreter could not follow
    input_kind: SourceKind = SourceKind.UNKNOWN  # where the input shapes came from, as data (input_source's kind)


def top_level_models(module: nodes.Module) -> list[nodes.ClassDef]:
    """The models of a file (see the module docstring)."""
    classes = module_classes(module)
    if not classes:
        return []
    last_names = {cls.name for cls in classes} | _function_names(module)
    names = _names_reaching(module, last_names)
    used: set[str] = set()
    for cls in classes:
        for reference in _references(cls, module, lambda node: _may_reach(node, names, last_names)):
            if reference != cls.qname():
                used.add(reference)
    return [cls for cls in classes if cls.qname() not in used and isinstance(cls.parent, nodes.Module)]


def class_references(cls: nodes.ClassDef, module: nodes.Module) -> set[str]:
    """Qualified names referred to by a class (bases included) and the module-level helpers it calls."""
    return _references(cls, module, lambda node: True)


def _references(cls: nodes.ClassDef, module: nodes.Module, wanted: Callable[[nodes.NodeNG], bool]) -> set[str]:
    """`class_references`, resolving only the names for which `wanted` is true."""
    found: set[str] = set()
    pending: list[nodes.NodeNG] = [cls]
    seen: set[int] = set()
    while pending and len(seen) < 200:
        scope = pending.pop()
        if id(scope) in seen:
            continue
        seen.add(id(scope))
        for name_node in _names_in(scope):
            name = qualified_name(name_node) if wanted(name_node) else None
            if name is None:
                continue
            found.add(name)
            for definition in module.locals.get(name.rpartition(".")[2], []):
                if isinstance(definition, nodes.FunctionDef) and definition.qname() == name:
                    pending.append(definition)
    return found


def _names_in(scope: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    for node in descendants(scope, (nodes.Name, nodes.Attribute)):
        if isinstance(node, nodes.Name) or isinstance(node.expr, nodes.Name):
            yield node


# A file's models follow from the references that name one of its Module classes or module-level functions.
# Resolving every name of every class costs a lexical lookup each (about a fifth of the shapes family on
# timm), so `top_level_models` resolves only the names whose qualified name can end in one of those names:
# the canonical name of `a.X` ends in `X`, and a plain name `N` resolves to a name ending in `N` unless an
# alias binds it (`from m import X as N`, `import a.X as N`, `N = a.X`, `N = M` with M such an alias).

def _function_names(module: nodes.Module) -> set[str]:
    return {name for name, found in module.locals.items() if any(isinstance(d, nodes.FunctionDef) for d in found)}


def _names_reaching(module: nodes.Module, last_names: set[str]) -> set[str]:
    """The plain names that may resolve to a qualified name ending in one of `last_names`: those names
    and every alias of the module that may lead to one (astroid's builtins bind no aliases)."""
    names = set(last_names)
    copies: list[tuple[str, str]] = []  # (N, M) of `N = M`
    for node in descendants(module, (nodes.Import, nodes.ImportFrom, nodes.Assign)):
        if isinstance(node, nodes.Assign):
            for target in node.targets:
                if not isinstance(target, nodes.AssignName):
                    continue
                if isinstance(node.value, nodes.Attribute) and node.value.attrname in last_names:
                    names.add(target.name)
                elif isinstance(node.value, nodes.Name):
                    copies.append((target.name, node.value.name))
        else:
            for imported, alias in node.names:
                if alias and imported.rpartition(".")[2] in last_names:
                    names.add(alias)
    grown = True
    while grown:
        grown = False
        for name, source in copies:
            if source in names and name not in names:
                names.add(name)
                grown = True
    return names


def _may_reach(node: nodes.NodeNG, names: set[str], last_names: set[str]) -> bool:
    """Whether the qualified name of a `_names_in` node may end in one of `last_names`."""
    return node.name in names if isinstance(node, nodes.Name) else node.attrname in last_names


# -------------------------------------------------------------------------------- assembling

def layer_rows(trace: Trace) -> list[LayerRow]:
    if trace.root is None:
        return []
    rows = []
    calls = trace.calls_by_module()
    for name, module in trace.root.named_modules():
        if module is trace.root:
            continue
        outputs: list[Nesting] = []
        for call in calls.get(id(module), ()):
            if nesting(call.output) not in outputs:
                outputs.append(nesting(call.output))
        rows.append(LayerRow(name, module.short_type, outputs[0] if outputs else None, param_count(module),
                             tuple(outputs[1:])))
    return rows


def param_count(module: ModuleInstance, trainable_only: bool = False) -> int | None:
    """Parameters of a module's subtree; None when any of them is unknown."""
    if not module.is_complete():
        return None
    total = 0
    for param in module.parameters():
        if trainable_only:
            if param.trainable is None:
                return None
            if not param.trainable:
                continue
        size = _numel(param)
        if size is None:
            return None
        total += size
    return total


def _numel(param: ParamValue) -> int | None:
    if isinstance(param.shape, Unknown):
        return None
    size = dims.prod(param.shape)
    return size if isinstance(size, int) else None


def findings(trace: Trace, alternatives: Callable[[], tuple[Trace, ...]] = tuple) -> list[Finding]:
    """Errors torch would raise, and conditions the input sizes must meet, as
    `torchport.advisor.shape_findings` words them (the same findings as the 73xx pylint messages); an
    error must also hold on each of the traces `alternatives()` gives (other inputs a guessed input cannot
    exclude), which are asked for only when there is an error."""
    found = shape_findings(trace)
    if any(f.kind == ERROR for f in found):
        others = alternatives()
        if others:
            found = certain(found, [shape_findings(other) for other in others])
    return [Finding(f.line, f.where, f.kind, f.text, f.symbol, f.example) for f in found]


def notes(trace: Trace) -> list[str]:
    texts = [f"line {_line(node) or '?'}: {text}" for node, text in trace.notes]
    if trace.stopped:
        texts.append(trace.stopped)
    return texts


def _line(node: nodes.NodeNG | None) -> int | None:
    return getattr(node, "lineno", None) if node is not None else None


def nesting(value: Any) -> Nesting:
    """A value as JSON: a tensor's shape as a list of dims (int, or the expression as a string), a
    tuple/list of outputs as a list, a dict as a dict, None as None, anything unknown as "?"."""
    if isinstance(value, (TensorValue, ParamValue)):
        if isinstance(value.shape, Unknown):
            return "?"
        return [d if isinstance(d, int) else dims.fmt(d) for d in value.shape]
    if isinstance(value, (tuple, list)):
        return [nesting(v) for v in value]
    if isinstance(value, dict):
        return {str(k): nesting(v) for k, v in value.items()}
    if value is None:
        return None
    return "?"
