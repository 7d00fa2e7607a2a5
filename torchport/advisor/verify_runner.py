"""The child process of `torchport.advisor.verify`: runs model files' texts (the original and its fixed
versions) with torch on the meta device and writes what happened as JSON lines.

Run as `python -P -B verify_runner.py JOB.json`, never imported by torchport: it needs only the standard
library and torch, and it is the one place where torchport runs user code. The job file holds the result
file's path and a list of jobs; a job names the file, the module name and sys.path entries it is imported
with, the class, the constructor arguments as source text, the texts and the candidate inputs (shapes
and dtypes) to try.

Protocol (one JSON object per line, appended to the result file and flushed as written):
- {"ready": true} once torch is imported and warmed up (a first module call on meta), {"done": true} after the last job;
- {"job": j, "at": [variant, stage, candidate]} before each stage ("import", "build", "forward"), so that
  the parent knows where a process that hangs or ends abruptly was;
- {"job": j, "variant": i, "stage": s, "ok": false, "error": "..."} when a stage fails, and
  {"job": j, "variant": i, "stage": "forward", "ok": true, "candidate": c, "output": nesting} when
  forward runs.
Variant 0 is the original text; variants 1.. are fixed texts. A fixed text's forward pass is tried on each
candidate in order until one runs; the original then runs on candidate 0 and on those its fixes chose.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import types
import warnings
from typing import Any, TextIO

_ERROR_LIMIT = 300  # characters of an error message


class _Result:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.job = 0

    def write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps({"job": self.job, **record}) + "\n")
        self.stream.flush()

    def failed(self, variant: int, stage: str, error: BaseException, path: str, candidate: int | None = None) -> None:
        self.write({"variant": variant, "stage": stage, "ok": False, "candidate": candidate,
                    "error": one_line(error, path)})


def one_line(error: BaseException, path: str) -> str:
    """`TypeError: message (line 22)`: the first line of the message and the innermost line of the file."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = lines[0] if lines else ""
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    if len(message) > _ERROR_LIMIT:
        message = message[:_ERROR_LIMIT - 1] + "…"
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    frames = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == path]
    return f"{text} (line {frames[-1]})" if frames else text


def nesting(value: Any, torch: Any) -> Any:
    """A forward output as shapes: a tensor's shape as a list, tuples/lists as lists, dicts as dicts."""
    if isinstance(value, torch.Tensor):
        return [int(d) for d in value.shape]
    if isinstance(value, (tuple, list)):
        return [nesting(v, torch) for v in value]
    if isinstance(value, dict):
        return {str(k): nesting(v, torch) for k, v in value.items()}
    return None


class _Variant:
    """One text of the file: its module namespace and a way to build the model from it."""

    def __init__(self, job: dict[str, Any], index: int, torch: Any, result: _Result) -> None:
        self.job, self.index, self.torch, self.result = job, index, torch, result
        self.namespace: dict[str, Any] | None = None
        self.model: Any = None
        self.failed = False

    def fail(self, stage: str, error: BaseException) -> None:
        self.failed = True
        self.result.failed(self.index, stage, error, self.job["path"])

    def load(self) -> None:
        job = self.job
        self.result.write({"at": [self.index, "import", None]})
        module = types.ModuleType(job["module"])
        module.__file__ = job["path"]
        module.__package__ = job["package"]
        sys.modules[job["module"]] = module  # dataclasses and relative imports look the module up
        try:
            code = compile(job["texts"][self.index], job["path"], "exec")
            with self.torch.device("meta"):  # module-level tensors too: nothing allocated, nothing computed
                exec(code, module.__dict__)  # noqa: S102 - verifying a fix runs the user's model on purpose
        except BaseException as error:  # noqa: BLE001 - SystemExit included: the error is the result
            self.fail("import", error)
            return
        self.namespace = module.__dict__
        self.model = self.build()

    def build(self) -> Any:
        """A new model on meta; None (and the failure written) when the constructor raises."""
        if self.namespace is None:
            return None
        self.result.write({"at": [self.index, "build", None]})
        namespace = {**self.namespace, "__torchport_class__": self.namespace.get(self.job["class"])}
        if namespace["__torchport_class__"] is None:
            self.fail("build", NameError(f"the file defines no {self.job['class']}"))
            return None
        try:
            with self.torch.device("meta"):
                return eval(f"__torchport_class__({self.job['args']})", namespace)  # noqa: S307
        except BaseException as error:  # noqa: BLE001
            self.fail("build", error)
            return None

    def forward(self, candidate: int) -> BaseException | None:
        """Run the model on the candidate input: None when it runs (the output written), else the error."""
        torch = self.torch
        self.result.write({"at": [self.index, "forward", candidate]})
        model, self.model = self.model or self.build(), None  # a model runs once: lazy layers keep their sizes
        if model is None:
            return RuntimeError("the model could not be built")
        chosen = self.job["candidates"][candidate]
        try:
            tensors = [torch.empty(tuple(shape), dtype=getattr(torch, dtype), device="meta")
                       for shape, dtype in zip(chosen["shapes"], chosen["dtypes"])]
            model.eval()
            with torch.no_grad(), torch.device("meta"):  # layers built in forward too
                output = model(*tensors)
        except BaseException as error:  # noqa: BLE001
            return error
        self.result.write({"variant": self.index, "stage": "forward", "ok": True, "candidate": candidate,
                           "output": nesting(output, torch)})
        return None


def run_job(job: dict[str, Any], torch: Any, result: _Result) -> None:
    """Verify one file's fixes; then forget its folders and the modules imported from them, so that the
    next file (of another project, perhaps) imports its own `models.py`."""
    if job["module"] in sys.modules:  # a module already loaded (`json.py`): keep it, rename the user's
        job = {**job, "module": f"_torchport_verified_{job['module']}"}
    path, modules = list(sys.path), set(sys.modules)
    sys.path[:0] = job["sys_path"]
    try:
        _run_variants(job, torch, result)
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            if _is_project_file(getattr(sys.modules.get(name), "__file__", None), job["sys_path"]):
                sys.modules.pop(name, None)


def _is_project_file(file: str | None, folders: list[str]) -> bool:
    """Whether a module comes from the project's folders (not from a virtual environment inside them:
    extension modules cannot be imported twice)."""
    if not file or "site-packages" in file or "dist-packages" in file:
        return False
    return any(file.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _run_variants(job: dict[str, Any], torch: Any, result: _Result) -> None:
    variants = [_Variant(job, index, torch, result) for index in range(len(job["texts"]))]
    for variant in variants:
        variant.load()
    chosen: list[int] = []
    for variant in variants[1:]:
        if variant.failed:
            continue
        first: BaseException | None = None
        for candidate in range(len(job["candidates"])):
            error = variant.forward(candidate)
            if error is None:
                chosen.append(candidate)
                break
            first = first or error
            if variant.failed:  # the model could not even be rebuilt
                break
        else:
            result.failed(variant.index, "forward", first or RuntimeError("no candidate input"), job["path"], 0)
    original = variants[0]
    for candidate in sorted({0, *chosen}):  # 0: where the fixes that fail were tried first
        if original.failed:
            break
        error = original.forward(candidate)
        if error is not None:
            result.failed(0, "forward", error, job["path"], candidate)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        work = json.load(handle)
    with open(work["result"], "a", encoding="utf-8") as stream:
        result = _Result(stream)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Failed to initialize NumPy": the meta device needs no numpy
            import torch  # noqa: PLC0415 - imported before the user's folders go on sys.path
        with torch.no_grad(), torch.device("meta"):  # the first meta module call loads torch's meta kernels
            torch.nn.Linear(1, 1).eval()(torch.empty(1, 1))  # and torch._dynamo (~2.5 s of CPU in all)
        result.write({"ready": True})
        for index, job in enumerate(work["jobs"]):
            result.job = index
            run_job(job, torch, result)
        result.write({"done": True})


if __name__ == "__main__":
    main()
