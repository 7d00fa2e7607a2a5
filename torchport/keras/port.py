"""Write the PyTorch `nn.Module` for a Keras model read from source (`torchport port`).

    ported = port(model)              # model: a KerasModel from torchport.keras.reader
    ported.source                     # the Python module: imports, one class, its __init__ and forward
    ported.notes                      # what could not be translated, one line each (also TODO comments)
    ported.inputs, ported.outputs     # forward's tensors: Keras shape, torch layout, dtype

Layers go to `__init__` with the sizes torch needs (in_features, in_channels...) taken from the Keras
shapes the reader inferred (a subclass model's under its attribute names); activations and the data flow
go to `forward`, one call per Keras call (a shared layer is one attribute called several times). Convolutions and their
neighbours run channels-first; Dense, RNNs and attention keep Keras's layout; the porter inserts a
`permute` where two layers disagree. A final softmax or sigmoid is dropped (torch losses take logits),
with a comment naming the loss. The per-layer table is `torchport.keras.port_layers.RULES`.
"""

from __future__ import annotations

import builtins
import keyword
import re
import textwrap
from dataclasses import dataclass

from torchport.keras.model import KerasInput, KerasLayer, KerasModel, Shape
from torchport.keras.layouts import BATCH_MAJOR, CHANNELS_FIRST, Layout, to_torch
from torchport.keras.port_layers import (
    RULES, Incoming, Rule, Translation, Untranslatable, activation_code, torch_dim,
)

_WIDTH = 100
# names a layer attribute or a local variable must not take: nn.Module's own attributes (from
# `dir(nn.Module)`, kept in step by a test), Python's keywords and builtins, the imported modules
_MODULE_ATTRIBUTES = frozenset({
    "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile",
    "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer",
    "get_extra_state", "get_parameter", "get_submodule", "half", "ipu", "load_state_dict", "modules", "mtia",
    "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
    "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook",
    "register_full_backward_hook", "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
    "register_load_state_dict_pre_hook", "register_module", "register_parameter",
    "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state",
    "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu",
    "zero_grad",
})
_RESERVED = _MODULE_ATTRIBUTES | frozenset(dir(builtins)) | {"self", "torch", "nn", "F", "_"}
# a final activation torch's losses include: dropped from the model, with the loss to use
_LOGIT_LOSSES = {
    "softmax": ("nn.CrossEntropyLoss", "log_softmax", "F.softmax(logits, dim={dim})"),
    "sigmoid": ("nn.BCEWithLogitsLoss", "sigmoid", "torch.sigmoid(logits)"),
}
# names for the dims the reader left unknown, in Keras order (batch excluded), by rank
_DIM_NAMES = {2: ("F",), 3: ("T", "C"), 4: ("H", "W", "C"), 5: ("D", "H", "W", "C")}


@dataclass(frozen=True)
class PortedTensor:
    """An argument or a result of the ported `forward`."""

    name: str  # the Keras input's or output layer's name
    keras_shape: Shape | None  # as Keras has it: channels-last, None batch
    layout: Layout  # how the torch model holds it
    dtype: str = "float32"  # a torch dtype name; "int64" for token ids

    @property
    def shape(self) -> Shape | None:
        """The shape forward takes or returns (None batch)."""
        return None if self.keras_shape is None else to_torch(self.keras_shape, self.layout)


@dataclass(frozen=True)
class Ported:
    class_name: str
    source: str
    notes: tuple[str, ...]  # what could not be translated, "line N: name (Type): why"
    inputs: tuple[PortedTensor, ...]
    outputs: tuple[PortedTensor, ...]
    untranslated: tuple[str, ...] = ()  # the Keras layers left as TODO comments (their input passes through)


@dataclass
class _Value:
    var: str  # the Python expression holding it in forward
    shape: Shape | None
    layout: Layout


# a tensor of forward: (the Keras layer or input, which call of it produced it, which output: None for the only one)
Key = tuple[str, int, int | None]


@dataclass(frozen=True)
class _Call:
    """One call of a Keras layer, as forward makes it: a shared layer is one attribute called several times."""

    layer: KerasLayer
    index: int  # which call of the layer
    sources: tuple[Key, ...]  # the tensors it reads

    @property
    def key(self) -> Key:
        return (self.layer.name, self.index, None)

    @property
    def output_shape(self) -> Shape | None:
        return _single(self.layer.call_list()[self.index].output_shape)


def port(model: KerasModel, class_name: str | None = None) -> Ported:
    """The PyTorch module for `model`, as source text."""
    return _Porter(model, class_name or default_class_name(model.name)).run()


def default_class_name(name: str) -> str:
    """`build_mnist_model` -> `MnistModel`, `model` -> `Model`."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+|_", re.sub(r"^(build|make|create|get)_", "", name)) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words)
    if not text or not text[0].isalpha() or text in _RESERVED:
        text = f"Ported{text}"
    return text


class _Porter:
    def __init__(self, model: KerasModel, class_name: str, outer: _Porter | None = None) -> None:
        self.model = model
        self.class_name = class_name
        self.outer = outer  # the porter of the model this one is a layer of (its final softmax is kept)
        self.classes: set[str] = outer.classes if outer is not None else {class_name}  # the module's class names
        self.nested: dict[str, tuple[_Porter, Ported]] = {}  # Keras layer name -> the port of its model
        self.class_texts: list[str] = []  # the module's classes, once written (`_source`)
        self.sequential = model.style == "sequential"
        self.init: list[str] = []
        self.forward: list[str] = []
        self.notes: list[str] = []
        self.values: dict[Key, _Value] = {}
        self.converted: dict[tuple[Key, Layout], str] = {}
        self.taken: set[str] = set()
        self.attributes: dict[str, str] = {}  # Keras layer name -> its attribute (taken at its first call)
        self.calls = self._calls()
        self.consumers: dict[str, list[KerasLayer]] = {}
        for call in self.calls:
            for source, _, _ in call.sources:
                if call.layer not in self.consumers.setdefault(source, []):
                    self.consumers[source].append(call.layer)
        self.dropped: dict[str, str] = {}  # output layer -> the activation dropped from it
        self.untranslated: list[str] = []

    # -------------------------------------------------------------- graph

    def _inputs(self) -> tuple[KerasInput, ...]:
        return self.model.inputs or (KerasInput("x", None),)  # type: ignore[arg-type]  # shape never read

    def _calls(self) -> list[_Call]:
        """Every call of every layer, each with the tensors it reads (as the reader recorded them, else the
        previous layer's output: a Sequential), in an order where each comes after what it reads."""
        previous: Key = (self._inputs()[0].name, 0, None)
        calls = []
        for layer in self.model.layers:
            for index, call in enumerate(layer.call_list()):
                calls.append(_Call(layer, index, tuple((r.layer, r.call, r.index) for r in call.inputs) or (previous,)))
                previous = (layer.name, index, None)
        return _in_data_order(calls, {(i.name, 0) for i in self._inputs()})

    def _outputs(self) -> tuple[Key, ...]:
        if self.model.outputs:
            return tuple((ref.layer, ref.call, ref.index) for ref in self.model.output_tensors())
        return (self.calls[-1].key,) if self.calls else ((self._inputs()[0].name, 0, None),)

    def _preferred_layout(self, name: str, seen: frozenset[str] = frozenset()) -> Layout:
        """The layout the first layer that cares wants for this tensor (through element-wise layers)."""
        for consumer in self.consumers.get(name, ()):
            rule = RULES.get(consumer.type)
            if rule is None or consumer.name in seen:
                continue
            wanted = rule.wants(consumer)
            if wanted is not None:
                return wanted
            return self._preferred_layout(consumer.name, seen | {name})
        return BATCH_MAJOR

    # -------------------------------------------------------------- names

    def _name(self, wanted: str) -> str:
        """A fresh identifier close to `wanted`, safe as an attribute and as a local variable."""
        name = re.sub(r"\W", "_", wanted).strip("_") or "layer"
        if name[0].isdigit():
            name = f"layer_{name}"
        if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _RESERVED:
            name = f"{name}_"
        candidate, count = name, 1
        while candidate in self.taken:
            count += 1
            candidate = f"{name}_{count}"
        self.taken.add(candidate)
        return candidate

    # -------------------------------------------------------------- the pass over the layers

    def run(self) -> Ported:
        inputs = []
        for keras_input in self._inputs():
            var = "x" if self.sequential else self._name(keras_input.name)
            shape = keras_input.shape if self.model.inputs else None
            layout = self._preferred_layout(keras_input.name)
            self.values[(keras_input.name, 0, None)] = _Value(var, shape, _effective(layout, shape))
            inputs.append(PortedTensor(keras_input.name, shape, _effective(layout, shape), self._dtype(keras_input)))
        outputs = set(self._outputs())
        for call in self.calls:
            self._call(call, call.key in outputs)
        results, variables = [], []
        for name, index, output in self._outputs():
            value = self.values.get((name, index, output))
            if value is None:
                self.notes.append(f"output {name!r} is not produced by any layer torchport read")
                continue
            results.append(PortedTensor(name if index == 0 else f"{name} (call {index + 1})", value.shape,
                                        value.layout))
            variables.append(value.var)
        self.forward.append("return " + (", ".join(variables) or "None"))
        source = self._source(inputs, results)
        return Ported(self.class_name, source, tuple(self.notes), tuple(inputs), tuple(results),
                      tuple(self.untranslated))

    def _dtype(self, keras_input: KerasInput) -> str:
        consumers = self.consumers.get(keras_input.name, [])
        if any(c.type == "Embedding" for c in consumers) or (keras_input.dtype or "").startswith(("int", "uint")):
            return "int64"
        return "float32"

    def _call(self, call: _Call, is_output: bool) -> None:
        layer = call.layer
        rule = self._nested_rule(layer) if layer.model is not None else RULES.get(layer.type)
        missing = [name if output is None else f"{name}[{output}]" for name, index, output in call.sources
                   if (name, index, output) not in self.values]
        first = layer.name not in self.attributes
        if first:
            self.attributes[layer.name] = self._name(layer.attribute or layer.name)
        attribute = self.attributes[layer.name]
        try:
            if rule is None:
                raise Untranslatable("torchport has no translation for this layer type")
            if missing:
                raise Untranslatable(f"its input {missing[0]!r} was not read")
            variables, incoming = self._incoming(call, rule.wants(layer))
            translation = rule.build(layer, incoming)
        except Untranslatable as error:
            self._untranslated(call, attribute, str(error))
            return
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as error:
            # an argument of a shape the table does not expect (the reader keeps what the code says)
            self._untranslated(call, attribute, f"its arguments are not understood ({type(error).__name__}: {error})")
            return
        out = "x" if self.sequential else attribute if call.index == 0 else \
            self._name(f"{attribute}_call{call.index + 1}")
        if translation.module is not None and first:
            self._comments(self.init, translation.init_comments)
            self.init.extend(f"self.{attribute} = {translation.module}".split("\n"))  # a module may take lines
            if layer.params and layer.trainable_params == 0:
                self._comments(self.init, ["frozen in Keras (trainable=False): no gradients; a frozen Keras "
                                           "BatchNormalization also runs in inference mode: call .eval() on it"
                                           if layer.type == "BatchNormalization" else
                                           "frozen in Keras (trainable=False): no gradients"])
                self.init.append(f"self.{attribute}.requires_grad_(False)")
        layout = translation.layout or incoming.layout
        layout = _effective(layout, call.output_shape)
        fields = {"out": out, "m": f"self.{attribute}", "x": variables[0],
                  **{f"x{i}": var for i, var in enumerate(variables)}}
        lines = [line.format(**fields) for line in translation.forward]
        comments = list(translation.comments) if first else []
        for note in translation.notes if first else ():
            self.notes.append(f"line {layer.line}: {layer.name} ({layer.type}): {note}")
            comments.append(f"TODO(torchport): {note}")
        if not first:
            comments.append(f"self.{attribute} again: Keras's {layer.name} is shared ({len(layer.call_list())} "
                            "calls, one set of weights)")
        lines = self._activation(layer, call, translation, lines, fields, layout, is_output, comments)
        self._comments(self.forward, comments)
        self.forward.extend(lines)
        var = out if lines else variables[0]
        self.values[call.key] = _Value(var, call.output_shape, layout)
        shapes = layer.call_list()[call.index].output_shape
        for index, template in enumerate(translation.outputs):  # a layer of several outputs: each its own
            shape = shapes[index] if isinstance(shapes, tuple) and index < len(shapes) else None
            self.values[(layer.name, call.index, index)] = _Value(template.format(**fields), _single(shape), layout)

    def _incoming(self, call: _Call, wanted: Layout | None) -> tuple[list[str], Incoming]:
        """The variables a call reads, converted to the layout its layer wants (or the first input's)."""
        sources = call.sources
        target = wanted or self.values[sources[0]].layout
        variables = [self._as(source, target) for source in sources]
        shapes = tuple(self.values[source].shape for source in sources)
        return variables, Incoming(shapes, tuple(_effective(target, shape) for shape in shapes))

    def _as(self, key: Key, layout: Layout) -> str:
        """The variable holding tensor `key` in `layout`, adding the permute when needed."""
        value = self.values[key]
        layout = _effective(layout, value.shape)
        if value.layout == layout:
            return value.var
        if (key, layout) in self.converted:
            return self.converted[(key, layout)]
        expression = f"{value.var}.{_reorder(layout, value.shape)}"
        why = "channels-last to channels-first" if layout == CHANNELS_FIRST else \
            "channels-first to channels-last (Keras's order)"
        var = value.var if self.sequential else self._name(f"{value.var}_{'cf' if layout == CHANNELS_FIRST else 'cl'}")
        self.forward.append(f"{var} = {expression}  # {why}")
        if self.sequential:
            self.values[key] = _Value(var, value.shape, layout)
        else:
            self.converted[(key, layout)] = var
        return var

    def _activation(self, layer: KerasLayer, call: _Call, translation: Translation, lines: list[str],
                    fields: dict[str, str], layout: Layout, is_output: bool, comments: list[str]) -> list[str]:
        """`lines` with the layer's activation applied, or the comment saying why it was dropped."""
        name = translation.activation
        if name is None or name == "linear":
            return lines
        shape = call.output_shape
        rank = len(shape) if shape is not None else 4 if layout == CHANNELS_FIRST else 2
        dim = torch_dim(translation.activation_axis, rank, layout)
        if is_output and self.outer is None and name in _LOGIT_LOSSES and not self.consumers.get(layer.name) \
                and len(layer.call_list()) == 1:  # no layer reads it, and it is not a shared layer's
            loss, included, inverse = _LOGIT_LOSSES[name]
            comments.append(f"Keras applied {name} here: this returns logits; train with {loss} (it applies "
                            f"{included} itself) and take {inverse.format(dim=dim)} for probabilities")
            self.dropped[layer.name] = name
            return lines
        out = fields["out"]
        single = len(lines) == 1 and lines[0].startswith(f"{out} = ")
        if single:
            return [f"{out} = {activation_code(name, lines[0][len(out) + 3:], dim)}"]
        source = out if lines else fields["x"]
        return [*lines, f"{out} = {activation_code(name, source, dim)}"]

    def _nested_rule(self, layer: KerasLayer) -> Rule:
        """A model used as a layer: its own class (ported first), called like a layer."""
        if layer.name not in self.nested:
            name = default_class_name(layer.name)
            while name in self.classes:
                name += "Block"
            self.classes.add(name)
            porter = _Porter(layer.model, name, outer=self)  # type: ignore[arg-type]
            self.nested[layer.name] = (porter, porter.run())
            if not self.nested[layer.name][1].untranslated:  # its notes (a documented difference) are ours too
                self.notes.extend(f"{layer.name} ({name}): {note}" for note in self.nested[layer.name][1].notes)
        porter, ported = self.nested[layer.name]
        if ported.untranslated or len(ported.outputs) != 1:
            reason = f"its model is not ported whole: {'; '.join(ported.notes) or 'it has several outputs'}"

            def build(_: KerasLayer, __: Incoming) -> Translation:
                raise Untranslatable(reason)
            return Rule(build, lambda _: None)
        wanted = ported.inputs[0].layout if ported.inputs else None
        arguments = ", ".join(f"{{x{i}}}" for i in range(len(ported.inputs)))
        translation = Translation(f"{ported.class_name}()", (f"{{out}} = {{m}}({arguments})",),
                                  layout=ported.outputs[0].layout)
        return Rule(lambda _, __: translation, lambda _: wanted)

    def _untranslated(self, call: _Call, attribute: str, reason: str) -> None:
        layer = call.layer
        if layer.name not in self.untranslated:
            self.notes.append(f"line {layer.line}: {layer.name} ({layer.type}) is not translated: {reason}")
            self.untranslated.append(layer.name)
            self._comments(self.init, [f"TODO(torchport): Keras's {layer.name} ({layer.type}, line {layer.line}) "
                                       f"is not translated: {reason}"])
            self.taken.discard(attribute)
        self._comments(self.forward, [f"TODO(torchport): {layer.name} ({layer.type}) belongs here; its input "
                                      "passes through unchanged"])
        sources = [s for s in call.sources if s in self.values]
        first = self.values[sources[0]] if sources else _Value("None", None, BATCH_MAJOR)
        self.values[call.key] = _Value(first.var, call.output_shape, first.layout)

    @staticmethod
    def _comments(lines: list[str], comments: list[str] | tuple[str, ...]) -> None:
        for comment in comments:
            lines.extend(textwrap.wrap(comment, _WIDTH - 10, initial_indent="# ", subsequent_indent="# "))

    # -------------------------------------------------------------- the source text

    def _uses_functional(self) -> bool:
        code = "\n".join(line.split("  #")[0] for line in self.init + self.forward if not line.startswith("#"))
        return bool(re.search(r"\bF\.", code)) or any(p._uses_functional() for p, _ in self.nested.values())

    def _classes(self, inputs: list[PortedTensor], outputs: list[PortedTensor]) -> list[str]:
        """The module's classes: those of the models used as layers first, then this model's."""
        classes = [text for porter, _ in self.nested.values() for text in porter.class_texts]
        return [*classes, self._class(inputs, outputs)]

    def _source(self, inputs: list[PortedTensor], outputs: list[PortedTensor]) -> str:
        self.class_texts = self._classes(inputs, outputs)
        imports = ["import torch", "import torch.nn as nn"]
        if self._uses_functional():
            imports.append("import torch.nn.functional as F")
        model = self.model
        header = textwrap.wrap(f"PyTorch port of the Keras model `{model.name}` ({model.file}), written by "
                               "`torchport port`: a starting point you own.", _WIDTH - 3)
        parts = [
            '"""' + "\n".join(_escape(line) for line in header) + ('"""' if len(header) == 1 else '\n"""'),
            "",
            *imports,
            "",
            "",
            "\n\n\n".join(self.class_texts),
        ]
        return "\n".join(line.rstrip() for line in parts) + "\n"

    def _class(self, inputs: list[PortedTensor], outputs: list[PortedTensor]) -> str:
        arguments = ", ".join(f"{self.values[(t.name, 0, None)].var}: torch.Tensor" for t in inputs)
        returns = "torch.Tensor" if len(outputs) == 1 else "tuple[torch.Tensor, ...]"
        parts = [
            f"class {self.class_name}(nn.Module):",
            textwrap.indent(self._docstring(inputs, outputs), "    "),
            "",
            "    def __init__(self) -> None:",
            "        super().__init__()",
            *("        " + line for line in self.init),
            "",
            f"    def forward(self, {arguments}) -> {returns}:",
            *("        " + line for line in self.forward),
        ]
        return "\n".join(line.rstrip() for line in parts)

    def _docstring(self, inputs: list[PortedTensor], outputs: list[PortedTensor]) -> str:
        model = self.model
        where = f"{model.file}:{model.line}" if self.outer is None else f"line {model.line}, used as a layer"
        paragraphs = [f"Ported from the Keras {model.style} model `{model.name}` ({where})."]
        for tensor in inputs:
            paragraphs.append(f"Input {self.values[(tensor.name, 0, None)].var}: {_describe(tensor, True)}")
        for tensor in outputs:
            dropped = self.dropped.get(tensor.name)
            text = f"Output {tensor.name}: {_describe(tensor, False)}"
            if dropped:
                loss = _LOGIT_LOSSES[dropped][0]
                text += f" Logits: Keras's final {dropped} is left out; train with {loss}."
            paragraphs.append(text)
        if self.notes:
            paragraphs.append("Not translated (see the TODO(torchport) comments):")
        lines = ['"""' + paragraphs[0]]
        for paragraph in paragraphs[1:]:
            lines.append("")
            lines.extend(textwrap.wrap(_escape(paragraph), _WIDTH - 4))
        for note in self.notes:
            lines.extend(textwrap.wrap(_escape(note), _WIDTH - 4, initial_indent="- ", subsequent_indent="  "))
        lines.append('"""')
        return "\n".join(lines)


def _in_data_order(calls: list[_Call], ready: set[tuple[str, int]]) -> list[_Call]:
    """The calls in Keras's order, each moved after the calls it reads (a shared layer's later call may read
    a layer listed after it); a call reading what nothing produces keeps its place (it is not translated)."""
    pending, ordered, produced = list(calls), [], set(ready)
    while pending:
        call = next((c for c in pending if all(s[:2] in produced for s in c.sources)), pending[0])
        pending.remove(call)
        ordered.append(call)
        produced.add(call.key[:2])
    return ordered


def _single(shape: Shape | tuple[Shape, ...] | None) -> Shape | None:
    """One layer output's shape; None when unknown or when the layer has several outputs."""
    if shape is None or any(isinstance(dim, tuple) for dim in shape):
        return None
    return shape  # type: ignore[return-value]


def _reorder(layout: Layout, shape: Shape | None) -> str:
    """The method call putting a tensor into `layout`: a permute when the rank is known (torchport's own
    shape inference follows it), else a movedim."""
    if shape is None:
        return "movedim(-1, 1)" if layout == CHANNELS_FIRST else "movedim(1, -1)"
    rank = len(shape)
    order = (0, rank - 1, *range(1, rank - 1)) if layout == CHANNELS_FIRST else (0, *range(2, rank), 1)
    return f"permute({', '.join(map(str, order))})"


def _effective(layout: Layout, shape: Shape | None) -> Layout:
    """Rank 0-2 tensors have one layout only: Keras's."""
    return layout if shape is None or len(shape) >= 3 else BATCH_MAJOR


def _describe(tensor: PortedTensor, is_input: bool) -> str:
    """`(N, 1, 28, 28) float32; Keras's (None, 28, 28, 1) is channels-last: ...`."""
    keras_shape = tensor.keras_shape
    if keras_shape is None:
        return "shape unknown (the Keras model declares no input shape)."
    names = _DIM_NAMES.get(len(keras_shape), tuple(f"D{i}" for i in range(1, len(keras_shape))))
    dims = ["N", *(str(d) if d is not None else names[i] for i, d in enumerate(keras_shape[1:]))]
    torch_dims = to_torch(tuple(dims), tensor.layout)  # type: ignore[arg-type]
    text = f"({', '.join(map(str, torch_dims))}), {tensor.dtype}."
    if tensor.layout == CHANNELS_FIRST:
        rank = len(keras_shape)
        keras_text = ", ".join("None" if d is None else str(d) for d in keras_shape)
        if is_input:
            order = ", ".join(map(str, (0, rank - 1, *range(1, rank - 1))))
            text += f" Keras's ({keras_text}) is channels-last: permute your data, x.permute({order})."
        else:
            order = ", ".join(map(str, (0, *range(2, rank), 1)))
            text += f" Keras's ({keras_text}) is channels-last: y.permute({order}) gives Keras's order."
    return text


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
