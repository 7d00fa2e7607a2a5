"""Messages of the structure family (71xx): how a Module is built and registered."""

from torchport.messages.catalogue import Message

MESSAGES: tuple[Message, ...] = (
    Message(
        msgid="E7101",
        symbol="module-super-init-missing",
        template=(
            "%s defines __init__ but never calls super().__init__(): nn.Module is left uninitialised, so "
            "assigning a layer raises AttributeError and calling the model fails; call super().__init__() "
            "first in __init__"
        ),
        description="An nn.Module subclass defines __init__ without calling the base class initialiser.",
        what=(
            "A subclass of `nn.Module` (directly, through a project base class, or a Lightning module) whose "
            "`__init__` never calls the base initialiser: neither `super().__init__(...)`, "
            "`super(Cls, self).__init__(...)` nor `Base.__init__(self, ...)`."
        ),
        why=(
            "`nn.Module.__init__` creates the dictionaries that hold parameters, buffers and submodules. "
            "Without it, the first layer assigned to `self` raises `AttributeError: cannot assign module "
            "before Module.__init__() call`, and a module without layers fails as soon as it is called "
            "(`AttributeError: ... has no attribute '_backward_hooks'`). Subclassed Keras layers need the "
            "same call."
        ),
        bad='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, features: int = 4, classes: int = 2) -> None:
        self.fc = nn.Linear(features, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()  # AttributeError: cannot assign module before Module.__init__() call
''',
        good='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, features: int = 4, classes: int = 2) -> None:
        super().__init__()
        self.fc = nn.Linear(features, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()
''',
    ),
    Message(
        msgid="E7102",
        symbol="module-assigned-before-super-init",
        template=(
            "self.%s is set to a %s before super().__init__() runs, so torch raises AttributeError: %s; "
            "call super().__init__() before assigning layers, parameters or buffers"
        ),
        description="A submodule, parameter or buffer is assigned to self before nn.Module.__init__ has run.",
        what=(
            "In the `__init__` of an `nn.Module` subclass, a layer, an `nn.Parameter` or a buffer "
            "(`nn.Buffer`, `self.register_buffer`) assigned to `self` before the call to "
            "`super().__init__()`. Plain values (numbers, strings, tensors) may come first: torch accepts "
            "them."
        ),
        why=(
            "`nn.Module.__setattr__` files layers and parameters into dictionaries that "
            "`nn.Module.__init__` creates; before that call they do not exist and torch raises "
            "`AttributeError: cannot assign module before Module.__init__() call` (or `parameters`, "
            "`buffer`). The model cannot even be built."
        ),
        bad='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, features: int = 4, classes: int = 2) -> None:
        self.features = features  # a plain int is fine here
        self.fc = nn.Linear(features, classes)
        super().__init__()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()  # AttributeError: cannot assign module before Module.__init__() call
''',
        good='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self, features: int = 4, classes: int = 2) -> None:
        super().__init__()
        self.features = features
        self.fc = nn.Linear(features, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()
''',
    ),
    Message(
        msgid="E7103",
        symbol="layer-built-in-forward",
        template="%s(...) is built inside %s, so %s; build it once in __init__ and call it in forward%s",
        description="A layer with weights, buffers or train/eval behaviour is constructed on every forward call.",
        what=(
            "A layer that has parameters or buffers (`Linear`, `Conv2d`, `BatchNorm2d`, `LayerNorm`, "
            "`Embedding`, `LSTM`, `MultiheadAttention`, `Lazy*`, ...), a `Dropout` layer, or a project "
            "Module class that builds such layers, constructed in `forward`, in a method `forward` calls, "
            "or in a function of the same file it calls (a ported Keras functional-API block). A layer "
            "stored on `self` only on a first call (`if self.fc is None: self.fc = ...`) or in a "
            "`build()`-style helper is left alone."
        ),
        why=(
            "A layer built in `forward` is a new object on every call: its weights are new random numbers "
            "each time, the optimizer never sees them, `.to(device)` does not move them and `state_dict()` "
            "does not save them, so the model cannot learn and gives a different answer on every call. A "
            "`Dropout` built there starts in training mode, so `model.eval()` never turns it off. Keras "
            "creates weights once in `build()`; in PyTorch that place is `__init__` (or a `Lazy*` layer "
            "when the input size is unknown)."
        ),
        bad='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(4, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.hidden(x))
        return nn.Linear(8, 2)(x)  # new random weights on every call, never trained


model = Classifier()
x = torch.randn(3, 4)
print(torch.equal(model(x), model(x)))  # False
''',
        good='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(4, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.hidden(x))
        return self.out(x)


model = Classifier()
x = torch.randn(3, 4)
print(torch.equal(model(x), model(x)))  # True
''',
    ),
    Message(
        msgid="R7104",
        symbol="stateless-layer-built-in-forward",
        template="%s(...) is rebuilt on every call of %s; %s",
        description="A layer without parameters is constructed on every forward call instead of once.",
        what=(
            "A parameter-free layer (`ReLU`, `Flatten`, `MaxPool2d`, `Softmax`, padding, `Upsample`, ...) "
            "constructed in `forward`, in a method `forward` calls, or in a function of the same file it "
            "calls. Losses built there (`nn.CrossEntropyLoss()(logits, labels)`) are left alone."
        ),
        why=(
            "The result is right, but every call builds and throws away a Module object, and the layer is "
            "invisible to `print(model)`, `model.modules()` and forward hooks. Call the function that does "
            "the same thing (`F.relu`, `torch.flatten`, `F.max_pool2d`, ...) or build the layer once in "
            "`__init__`."
        ),
        bad='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.ReLU()(self.fc(x))  # a new ReLU module on every call


model = Classifier()
print(model(torch.randn(3, 4)).shape)
''',
        good='''\
import torch
import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.fc(x))


model = Classifier()
print(model(torch.randn(3, 4)).shape)
''',
    ),
    Message(
        msgid="E7105",
        symbol="module-container-not-registered",
        template=(
            "self.%s is a plain Python %s of layers, which torch does not register: their parameters are "
            "not trained, and .to(device), .eval() and state_dict() skip them; use nn.%s instead"
        ),
        description="Layers are kept in a plain list, tuple or dict instead of nn.ModuleList or nn.ModuleDict.",
        what=(
            "A Python list, tuple, set or dict of layers with weights or train/eval behaviour, assigned to "
            "`self` in `__init__` (or a helper it calls): a literal, a comprehension, or a list filled with "
            "`append`, `extend` or `+=`. Lists of plain values, lists of layers that are also registered elsewhere "
            "(`nn.Sequential(*layers)`), `nn.ModuleList` and `nn.ModuleDict` are fine."
        ),
        why=(
            "torch registers a submodule only when the attribute's value is itself a Module. Layers inside "
            "a Python list are invisible to `model.parameters()` (the optimizer never trains them), to "
            "`.to(device)` (they stay on the CPU), to `state_dict()` (they are not saved) and to "
            "`model.eval()` (their dropout and batch norm stay in training mode). Keras tracks layers in "
            "lists; PyTorch needs `nn.ModuleList` or `nn.ModuleDict`."
        ),
        bad='''\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes: tuple[int, ...] = (4, 8, 2)) -> None:
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


model = MLP()
print(len(list(model.parameters())))  # 0: the optimizer has nothing to train
''',
        good='''\
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes: tuple[int, ...] = (4, 8, 2)) -> None:
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


model = MLP()
print(len(list(model.parameters())))  # 4
''',
    ),
    Message(
        msgid="W7106",
        symbol="tensor-attribute-not-registered",
        template=(
            "self.%s = %s(...) is a plain tensor attribute: state_dict() does not save it and .to(device) "
            "does not move it; use self.register_buffer('%s', ...), or nn.Parameter(...) if it should be "
            "trained"
        ),
        description="A tensor is stored on a Module in __init__ without being a parameter or a buffer.",
        what=(
            "In the `__init__` of an `nn.Module` subclass, a tensor made by a torch factory (`torch.zeros`, "
            "`torch.ones`, `torch.randn`, `torch.tensor([...])`, `torch.arange`, `torch.eye`, ...) assigned "
            "to `self` without `nn.Parameter`, `nn.Buffer` or `self.register_buffer`."
        ),
        why=(
            "torch only tracks parameters and buffers. A plain tensor attribute is not in `state_dict()`, "
            "so a saved model loses it; `.to(device)` and `.double()` leave it where it was, so the model "
            "fails with a device or dtype mismatch on the GPU; and if it was meant to be learned, the "
            "optimizer never sees it. Keras' `add_weight(trainable=False)` corresponds to a buffer."
        ),
        bad='''\
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, features: int = 4) -> None:
        super().__init__()
        self.mean = torch.zeros(features)
        self.std = torch.ones(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


model = Standardize().to(torch.float64)
print(list(model.state_dict()), model.mean.dtype)  # [] torch.float32: not saved, not converted
''',
        good='''\
import torch
from torch import nn


class Standardize(nn.Module):
    def __init__(self, features: int = 4) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(features))
        self.register_buffer("std", torch.ones(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


model = Standardize().to(torch.float64)
print(list(model.state_dict()), model.mean.dtype)  # ['mean', 'std'] torch.float64
''',
    ),
    Message(
        msgid="W7107",
        symbol="forward-called-directly",
        template="%s.forward(...) bypasses the module's __call__ and skips its hooks; call %s(...) instead",
        description="A module's forward method is called directly instead of calling the module.",
        what=(
            "A call `m.forward(x)` where `m` is known to be a Module: a layer or Module instance built in "
            "the same function, or a `self.<attr>` assigned a layer in `__init__`. `super().forward(x)` and "
            "`Base.forward(self, x)` in a subclass are correct and not reported; neither is "
            "`self.forward(x)` inside the class itself (common, e.g. in Lightning steps, and it skips only "
            "hooks registered on that same module)."
        ),
        why=(
            "`m(x)` runs `nn.Module.__call__`, which runs the forward pre-hooks and hooks around "
            "`forward`: the hooks that torchinfo, pruning, quantization observers, FSDP and feature "
            "extractors rely on. `m.forward(x)` skips all of them, silently. Keras' `layer.call(x)` has the "
            "same trap."
        ),
        bad='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()
seen = []
model.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
model.forward(torch.randn(3, 4))
print(seen)  # []: the hook never ran
''',
        good='''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


model = Classifier()
seen = []
model.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
model(torch.randn(3, 4))
print(seen)  # [torch.Size([3, 2])]
''',
    ),
)
