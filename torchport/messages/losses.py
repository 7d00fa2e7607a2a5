"""Messages of the losses family (72xx): activations that do not match the loss they feed."""

from torchport.messages.catalogue import Message

_SOFTMAX_BEFORE_CROSS_ENTROPY_BAD = '''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.softmax = nn.Softmax(dim=1)  # Keras habit: Dense(3, activation="softmax")

    def forward(self, x):
        return self.softmax(self.fc(x))


torch.manual_seed(0)
x = torch.tensor([[4.0, 0.0], [0.0, 4.0], [-4.0, -4.0]])
y = torch.tensor([0, 1, 2])
model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(300):
    optimizer.zero_grad()
    loss = criterion(model(x), y)  # log_softmax(softmax(z)): the loss never gets below 0.55
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
'''

_SOFTMAX_BEFORE_CROSS_ENTROPY_GOOD = '''\
import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        return self.fc(x)  # logits: CrossEntropyLoss applies log_softmax itself


torch.manual_seed(0)
x = torch.tensor([[4.0, 0.0], [0.0, 4.0], [-4.0, -4.0]])
y = torch.tensor([0, 1, 2])
model = Classifier()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(300):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
probabilities = torch.softmax(model(x), dim=1)  # softmax only where probabilities are wanted
'''

_SIGMOID_BEFORE_BCE_WITH_LOGITS_BAD = '''\
import torch
from torch import nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))  # Keras habit: Dense(1, activation="sigmoid")


torch.manual_seed(0)
x = torch.tensor([[2.0, 1.0], [-2.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
model = Detector()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(300):
    optimizer.zero_grad()
    loss = criterion(model(x), y)  # sigmoid applied twice: the loss never gets below 0.31
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
'''

_SIGMOID_BEFORE_BCE_WITH_LOGITS_GOOD = '''\
import torch
from torch import nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)  # logits: BCEWithLogitsLoss applies sigmoid itself, stably


torch.manual_seed(0)
x = torch.tensor([[2.0, 1.0], [-2.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
model = Detector()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
for step in range(300):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
probabilities = torch.sigmoid(model(x))  # sigmoid only where probabilities are wanted
'''

_NLL_LOSS_WITHOUT_LOG_SOFTMAX_BAD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)  # -mean(p[y]): negative, not the negative log-likelihood
print(f"loss {loss.item():.3f}")
'''

_NLL_LOSS_WITHOUT_LOG_SOFTMAX_GOOD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)  # -mean(log p[y]): the negative log-likelihood
print(f"loss {loss.item():.3f}")
'''

_BCE_LOSS_WITHOUT_SIGMOID_BAD = '''\
import torch
from torch import nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)  # unbounded logits


torch.manual_seed(0)
x = torch.tensor([[2.0, 1.0], [-2.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
model = Detector()
criterion = nn.BCELoss()
loss = criterion(model(x), y)  # RuntimeError unless every logit happens to lie in [0, 1]
'''

_BCE_LOSS_WITHOUT_SIGMOID_GOOD = '''\
import torch
from torch import nn


class Detector(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)

    def forward(self, x):
        return self.fc(x)  # unbounded logits


torch.manual_seed(0)
x = torch.tensor([[2.0, 1.0], [-2.0, -1.0]])
y = torch.tensor([[1.0], [0.0]])
model = Detector()
criterion = nn.BCEWithLogitsLoss()  # sigmoid and binary cross-entropy in one stable step
loss = criterion(model(x), y)
print(f"loss {loss.item():.3f}")
'''

_SOFTMAX_WITHOUT_DIM_BAD = '''\
import torch
from torch import nn


class Tagger(nn.Module):
    """Scores 3 tags at every step of a (batch, time, features) sequence."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)
        self.softmax = nn.Softmax()  # Keras' Softmax() means axis=-1; torch picks dim 0 for 3-D input

    def forward(self, x):
        return self.softmax(self.fc(x))


torch.manual_seed(0)
probabilities = Tagger()(torch.randn(4, 5, 8))
print(probabilities.sum(dim=-1))  # not 1: the softmax ran over the batch
'''

_SOFTMAX_WITHOUT_DIM_GOOD = '''\
import torch
from torch import nn


class Tagger(nn.Module):
    """Scores 3 tags at every step of a (batch, time, features) sequence."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 3)
        self.softmax = nn.Softmax(dim=-1)  # over the tags, like Keras' default axis=-1

    def forward(self, x):
        return self.softmax(self.fc(x))


torch.manual_seed(0)
probabilities = Tagger()(torch.randn(4, 5, 8))
print(probabilities.sum(dim=-1))  # all ones
'''

MESSAGES: tuple[Message, ...] = (
    Message(
        msgid="E7201",
        symbol="softmax-before-cross-entropy",
        template=(
            "%s receives softmax probabilities (%s), but it applies log_softmax itself: "
            "pass the logits and keep softmax for inference"
        ),
        description="Softmax output is passed to CrossEntropyLoss, which applies log_softmax itself.",
        what=(
            "Softmax output (F.softmax, torch.softmax, x.softmax(...), an nn.Softmax layer, or a model "
            "whose forward ends in one) that reaches nn.CrossEntropyLoss or F.cross_entropy."
        ),
        why=(
            "Keras' categorical_crossentropy takes probabilities by default, so Keras models end in "
            "Dense(n, activation='softmax'). PyTorch's CrossEntropyLoss takes logits and computes "
            "log_softmax itself, so softmax is applied twice: the loss is squeezed into a narrow "
            "range, its gradients shrink, and training plateaus without any error (with 3 classes "
            "the loss can never get below 0.55, even on perfectly separable data). Return logits from "
            "forward and apply softmax only where probabilities are needed (prediction, metrics)."
        ),
        bad=_SOFTMAX_BEFORE_CROSS_ENTROPY_BAD,
        good=_SOFTMAX_BEFORE_CROSS_ENTROPY_GOOD,
    ),
    Message(
        msgid="E7202",
        symbol="sigmoid-before-bce-with-logits",
        template=(
            "%s receives sigmoid probabilities (%s), but it applies sigmoid itself: "
            "pass the logits and keep sigmoid for inference"
        ),
        description="Sigmoid output is passed to BCEWithLogitsLoss, which applies sigmoid itself.",
        what=(
            "Sigmoid output (torch.sigmoid, F.sigmoid, x.sigmoid(), an nn.Sigmoid layer, or a model "
            "whose forward ends in one) that reaches nn.BCEWithLogitsLoss or "
            "F.binary_cross_entropy_with_logits."
        ),
        why=(
            "BCEWithLogitsLoss computes sigmoid and binary cross-entropy in one numerically stable "
            "step, so its input must be logits. After an explicit sigmoid the input lies in (0, 1), "
            "the loss applies sigmoid a second time and can never reach its minimum (above 0.31 even "
            "on separable data), and gradients vanish. Return logits, or keep the sigmoid and use "
            "nn.BCELoss."
        ),
        bad=_SIGMOID_BEFORE_BCE_WITH_LOGITS_BAD,
        good=_SIGMOID_BEFORE_BCE_WITH_LOGITS_GOOD,
    ),
    Message(
        msgid="E7203",
        symbol="nll-loss-without-log-softmax",
        template=(
            "%s expects log-probabilities but receives %s (%s): apply log_softmax instead, "
            "or use nn.CrossEntropyLoss on the logits"
        ),
        description="NLLLoss receives logits or probabilities instead of log-probabilities.",
        what=(
            "nn.NLLLoss or F.nll_loss whose input is known not to be log-probabilities: the logits of "
            "a Linear or convolution layer, or softmax or sigmoid probabilities."
        ),
        why=(
            "NLLLoss only picks -input[target]; it is the negative log-likelihood only when the input "
            "holds log-probabilities (log_softmax output). On probabilities it computes -p, a negative "
            "number that is not a likelihood; on logits it is unbounded below and training diverges. "
            "Nothing raises an error. End the model in nn.LogSoftmax(dim=1) / F.log_softmax, or return "
            "logits and use nn.CrossEntropyLoss, which is log_softmax and NLLLoss in one."
        ),
        bad=_NLL_LOSS_WITHOUT_LOG_SOFTMAX_BAD,
        good=_NLL_LOSS_WITHOUT_LOG_SOFTMAX_GOOD,
    ),
    Message(
        msgid="W7204",
        symbol="bce-loss-without-sigmoid",
        template=(
            "%s expects probabilities in [0, 1] but receives unbounded logits (%s): "
            "use nn.BCEWithLogitsLoss on the logits, or apply torch.sigmoid first"
        ),
        description="BCELoss receives unbounded logits instead of probabilities.",
        what=(
            "nn.BCELoss or F.binary_cross_entropy whose input is known logits, such as the output of a "
            "model whose forward ends in a Linear or convolution layer."
        ),
        why=(
            "Keras' binary_crossentropy follows a sigmoid output layer. PyTorch's BCELoss takes "
            "probabilities and raises 'all elements of input should be between 0 and 1' as soon as one "
            "logit leaves [0, 1]; when they happen to stay inside, it silently computes a wrong loss. "
            "nn.BCEWithLogitsLoss takes the logits directly and is numerically stabler than sigmoid "
            "followed by BCELoss."
        ),
        bad=_BCE_LOSS_WITHOUT_SIGMOID_BAD,
        good=_BCE_LOSS_WITHOUT_SIGMOID_GOOD,
    ),
    Message(
        msgid="W7205",
        symbol="softmax-without-dim",
        template="%s without dim: %s; pass dim explicitly, e.g. dim=-1 for the class scores",
        description="A softmax-family function or layer is used without an explicit dim.",
        what=(
            "nn.Softmax(), nn.LogSoftmax(), nn.Softmin(), F.softmax(x), F.log_softmax(x), F.softmin(x), "
            "torch.softmax(x) and torch.log_softmax(x) without dim (or with dim=None); arguments such "
            "as dtype do not count."
        ),
        why=(
            "Keras' Softmax defaults to the last axis. In PyTorch the module and functional forms "
            "without dim are deprecated (UserWarning 'Implicit dimension choice') and pick dim 0 for "
            "0-, 1- and 3-D input and dim 1 otherwise: on a (batch, time, classes) tensor the softmax "
            "runs over the batch. torch.softmax and torch.log_softmax have no default and raise "
            "TypeError. Always name the dimension that holds the classes."
        ),
        bad=_SOFTMAX_WITHOUT_DIM_BAD,
        good=_SOFTMAX_WITHOUT_DIM_GOOD,
    ),
)
