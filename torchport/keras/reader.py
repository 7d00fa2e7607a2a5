"""Read Keras models from source without importing them: `read_models(path)` -> [KerasModel].

Styles: `Sequential([...])` (an `Input` or `input_shape=` first, or `.build(shape)` later),
`Sequential()` + `.add(...)`, the Functional API (`Input`, layer calls, `Model(inputs, outputs)`),
`keras.Model` subclasses (layers assigned in `__init__`, data flow in `call`, which may take several
inputs; the input shapes from `.build(shape)` or a call on `keras.Input` tensors of an instance in the
same file, else unknown), and models used as layers of others. Every call of a layer is recorded (a
shared layer has several). A model is a module-level assignment (named by its variable), the return
value of a top-level function (named by the function), a model built inside a function and not
returned (named by its variable) or a subclass (named by the class); a name taken twice is
`name:line` the second time.

Names resolve through astroid's lexical lookup (`analysis.names`), never by inference. A bounded
symbolic evaluator (`evaluator.py`, with Keras's values in `reader_eval.py`) follows the code:
constants, arithmetic, strings, loops over constants, conditions on constants (or on parameters at
their defaults, noted as an assumption), calls of the file's own functions. What it cannot follow is
unknown, with a note whose kind (`model.Note`) says whether layers may be missing. Shapes and counts come from the layer
table (`layers.py`). Automatic layer names are Keras's ("dense", "dense_1", ...) counted per model, as
when each model is built in a fresh Keras session.
"""

from __future__ import annotations

from pathlib import Path

from astroid import nodes

from torchport.advisor.sources import SourceError, parse_file, parse_text
from torchport.keras.model import KerasModel
from torchport.keras.reader_eval import FileReader

def read_models(path: Path, text: str | None = None) -> list[KerasModel]:
    """Every Keras model defined in the file (`text` stands for its contents when given).

    [] when the file has no Keras model; SourceError (one line) when it cannot be read or parsed.
    """
    if text is None:
        if b"keras" not in _read(path):
            return []
        module = parse_file(str(path), path.stem)
    elif "keras" not in text:
        return []
    else:
        module = parse_text(text, path.stem, str(path))
    return read_module(module, str(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: cannot read the file: {error.strerror or error}") from None


def read_module(module: nodes.Module, file: str) -> list[KerasModel]:
    """The Keras models of a parsed module; never raises on odd code (an unreadable part is a note)."""
    try:
        return FileReader(module, file).models()
    except RecursionError:  # a graph or nesting deeper than Python's stack: nothing is read
        return []


def find_model(models: list[KerasModel], name: str | None) -> KerasModel:
    """The model called `name`, or the only model when `name` is None; ValueError (one line) otherwise."""
    names = ", ".join(model.name for model in models) or "none"
    if name is None:
        if len(models) == 1:
            return models[0]
        if not models:
            raise ValueError("no Keras model found")
        raise ValueError(f"several Keras models, name one of: {names}")
    for model in models:
        if model.name == name:
            return model
    raise ValueError(f"no Keras model named {name!r}; available: {names}")
