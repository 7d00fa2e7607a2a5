"""Messages of the Keras-conventions family (74xx): Keras habits copied into PyTorch code."""

from torchport.messages.catalogue import Message

_BATCHNORM_MOMENTUM_BAD = '''\
import torch
from torch import nn

torch.manual_seed(0)
norm = nn.BatchNorm1d(4, momentum=0.99)  # Keras: BatchNormalization(momentum=0.99)
for step in range(500):
    norm(torch.randn(32, 4) * 2 + 5)  # the data: mean 5
norm(torch.randn(32, 4) - 5)  # one unusual batch: mean -5
norm.eval()
print(norm.running_mean)  # about -5: the running mean is the last batch's mean
'''

_BATCHNORM_MOMENTUM_GOOD = '''\
import torch
from torch import nn

torch.manual_seed(0)
norm = nn.BatchNorm1d(4, momentum=0.01)  # Keras momentum=0.99 is torch momentum=1 - 0.99
for step in range(500):
    norm(torch.randn(32, 4) * 2 + 5)
norm(torch.randn(32, 4) - 5)
norm.eval()
print(norm.running_mean)  # about 5: one batch moves it by 1%
'''

_DROPOUT_ALWAYS_ACTIVE_BAD = '''\
import torch
import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(8, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        x = F.dropout(F.relu(self.hidden(x)), p=0.5)  # Keras: Dropout(0.5)
        return self.out(x)


torch.manual_seed(0)
model = Classifier()
model.eval()
x = torch.randn(4, 8)
with torch.no_grad():
    first, second = model(x), model(x)
print(torch.equal(first, second))  # False: dropout still runs after eval()
'''

_DROPOUT_ALWAYS_ACTIVE_GOOD = '''\
import torch
import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(8, 8)
        self.out = nn.Linear(8, 2)

    def forward(self, x):
        x = F.dropout(F.relu(self.hidden(x)), p=0.5, training=self.training)
        return self.out(x)


torch.manual_seed(0)
model = Classifier()
model.eval()
x = torch.randn(4, 8)
with torch.no_grad():
    first, second = model(x), model(x)
print(torch.equal(first, second))  # True
'''

_RNN_BATCH_FIRST_BAD = '''\
import torch
from torch import nn


class SequenceRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=3, hidden_size=5)  # Keras: LSTM(5)
        self.head = nn.Linear(5, 1)

    def forward(self, x):  # x: (batch, time, features), as Keras fed it
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


torch.manual_seed(0)
model = SequenceRegressor()
x = torch.randn(4, 7, 3)  # 4 sequences of 7 steps
print(model(x).shape)  # torch.Size([4, 1]), as expected, but row i is not sequence i's last step:
# the LSTM ran over the 4 sequences as 4 time steps, and out[:, -1] is the 7th step read as a sequence
'''

_RNN_BATCH_FIRST_GOOD = '''\
import torch
from torch import nn


class SequenceRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=3, hidden_size=5, batch_first=True)
        self.head = nn.Linear(5, 1)

    def forward(self, x):  # x: (batch, time, features)
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])  # the last time step of every sequence


torch.manual_seed(0)
model = SequenceRegressor()
x = torch.randn(4, 7, 3)
print(model(x).shape)  # torch.Size([4, 1])
'''

_KERAS_ARGUMENT_BAD = '''\
import torch
from torch import nn

# Keras: Sequential([Dense(128, activation="relu"), Dense(10)])
model = nn.Sequential(
    nn.Linear(784, 128, activation="relu"),  # TypeError: unexpected keyword argument 'activation'
    nn.Linear(128, 10),
)
print(model(torch.randn(2, 784)).shape)
'''

_KERAS_ARGUMENT_GOOD = '''\
import torch
from torch import nn

model = nn.Sequential(
    nn.Linear(784, 128),
    nn.ReLU(),  # the activation is a layer of its own (or F.relu in forward)
    nn.Linear(128, 10),
)
print(model(torch.randn(2, 784)).shape)
'''

_ZERO_GRAD_MISSING_BAD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(16, 3), torch.randn(16, 1)
optimizer.zero_grad()  # once, before the loop
for step in range(3):
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()  # adds this step's gradient to the previous ones
    optimizer.step()  # steps along the sum of all gradients so far
'''

_ZERO_GRAD_MISSING_GOOD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(16, 3), torch.randn(16, 1)
for step in range(3):
    optimizer.zero_grad()  # every step starts from zero gradients
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
'''

_RNN_IN_SEQUENTIAL_BAD = '''\
import torch
from torch import nn

# Keras: Sequential([LSTM(16), Dense(1)])
model = nn.Sequential(
    nn.LSTM(input_size=8, hidden_size=16, batch_first=True),
    nn.Linear(16, 1),
)
print(model(torch.randn(2, 5, 8)).shape)  # TypeError: linear(): ... must be Tensor, not tuple
'''

_RNN_IN_SEQUENTIAL_GOOD = '''\
import torch
from torch import nn


class LastStepRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=8, hidden_size=16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, _ = self.lstm(x)  # (output, (h_n, c_n)): keep the output
        return self.head(out[:, -1])  # Keras' LSTM returned the last step by default


model = LastStepRegressor()
print(model(torch.randn(2, 5, 8)).shape)  # torch.Size([2, 1])
'''

_LOSS_ACCUMULATED_BAD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(16, 3), torch.randn(16, 1)
total = 0.0
for step in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total += loss  # a tensor with a graph: every step's graph stays alive
print(f"mean loss {total / 5:.3f}")
'''

_LOSS_ACCUMULATED_GOOD = '''\
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Linear(3, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(16, 3), torch.randn(16, 1)
total = 0.0
for step in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    total += loss.item()  # a Python float: the graph is freed after each step
print(f"mean loss {total / 5:.3f}")
'''

MESSAGES: tuple[Message, ...] = (
    Message(
        msgid="W7401",
        symbol="keras-batchnorm-momentum",
        template=(
            "%s(momentum=%s) uses Keras' momentum convention: torch's momentum is the weight of each new "
            "batch, not of the running average, so the running statistics follow the last batch; "
            "write momentum=%s (1 - the Keras value)"
        ),
        description="A batch-norm layer has a Keras-style momentum (>= 0.5), which torch reads the other way round.",
        what=(
            "`nn.BatchNorm1d/2d/3d`, their lazy forms, `nn.SyncBatchNorm`, and `nn.InstanceNorm1d/2d/3d` "
            "built with `track_running_stats=True`, whose `momentum` is a constant of at least 0.5 (a "
            "keyword or positional argument, or a name bound to a constant). Layers that keep no running "
            "statistics and `momentum=None` (a cumulative average) are not reported."
        ),
        why=(
            "Keras updates the moving statistics as `moving = m * moving + (1 - m) * batch`, with "
            "`m = 0.99` by default; torch updates them as `running = (1 - m) * running + m * batch`, with "
            "`m = 0.1`. The Keras value copied as is makes the running mean and variance almost exactly "
            "those of the last training batch, so `model.eval()` normalises with one batch's statistics "
            "and predictions change with whatever batch came last. The torch equivalent of Keras' `m` is "
            "`1 - m`: 0.01 for 0.99. (Keras' `epsilon=1e-3` differs from torch's `eps=1e-5` too; pass "
            "`eps=1e-3` where results must match Keras.)"
        ),
        bad=_BATCHNORM_MOMENTUM_BAD,
        good=_BATCHNORM_MOMENTUM_GOOD,
    ),
    Message(
        msgid="E7402",
        symbol="dropout-always-active",
        template="%s(...) in %s() has no training argument: %s; pass training=self.training, or use %s",
        description="Functional dropout in a Module method ignores model.train()/model.eval().",
        what=(
            "`F.dropout`, `F.dropout1d/2d/3d`, `F.alpha_dropout` and `F.feature_alpha_dropout` called in "
            "a method of an `nn.Module` subclass without a `training` argument (by keyword or as the "
            "third positional argument). Any explicit value, `training=self.training`, "
            "`training=False` or a flag of your own, is accepted; calls in plain functions are not "
            "reported."
        ),
        why=(
            "Keras' `Dropout` layer knows whether it is training or predicting. torch's dropout "
            "functions do not look at the Module: `F.dropout` and `F.dropout1d/2d/3d` default to "
            "`training=True`, so dropout keeps zeroing activations after `model.eval()` and every "
            "prediction is random. `F.alpha_dropout` and `F.feature_alpha_dropout` default to "
            "`training=False`, so they never drop anything, not even during training. Pass "
            "`training=self.training`, or build an `nn.Dropout` layer in `__init__`, which "
            "`model.train()` and `model.eval()` switch."
        ),
        bad=_DROPOUT_ALWAYS_ACTIVE_BAD,
        good=_DROPOUT_ALWAYS_ACTIVE_GOOD,
    ),
    Message(
        msgid="W7403",
        symbol="rnn-batch-first-mismatch",
        template=(
            "%s is built without batch_first=True, so it reads and returns (time, batch, features) "
            "tensors, but %s; pass batch_first=True where it is built"
        ),
        description="A time-major RNN/LSTM/GRU is used with batch-major data.",
        what=(
            "An `nn.RNN`, `nn.LSTM` or `nn.GRU` built without `batch_first=True` (stored on `self` in "
            "`__init__` or in a local variable), whose output is then indexed batch-first, as in "
            "`out[:, -1, :]` or `out[:, -1]` after `out, _ = self.lstm(x)`, or which receives a tensor "
            "certain to be batch-major: a batch of a `DataLoader` (default collation), passed to the "
            "model and through layers that keep the leading dimensions, such as `nn.Embedding`. A "
            "`permute`, `transpose` or any other reshaping in between makes the layout unknown and "
            "nothing is reported."
        ),
        why=(
            "Keras' recurrent layers take `(batch, time, features)`. torch's take `(time, batch, "
            "features)` unless built with `batch_first=True`. Fed batch-major data, a time-major LSTM "
            "runs over the batch as if it were time, mixing the sequences of a batch into one another. "
            "On its output, `out[:, -1]` picks the last sample of every time step instead of the last "
            "time step of every sequence; the shapes often still fit the next layer, so nothing fails "
            "and the model silently learns the wrong thing."
        ),
        bad=_RNN_BATCH_FIRST_BAD,
        good=_RNN_BATCH_FIRST_GOOD,
    ),
    Message(
        msgid="E7404",
        symbol="keras-argument",
        template="%s does not take Keras' %s: torch raises %s; %s",
        description="A torch layer is given a Keras-only argument or padding mode.",
        what=(
            "A call that builds a `torch.nn` layer with an argument spelled the Keras way: "
            "`activation=`, `units=`, `filters=`, `input_shape=`, `input_dim=`, `output_dim=`, "
            "`kernel_initializer=`, `use_bias=`, `rate=`, `strides=`, `pool_size=`, `epsilon=`, "
            "`kernel_regularizer=` and more, each with its torch spelling; `padding='same'` on a "
            "convolution with a stride above 1, `padding='causal'`, and string padding on transposed "
            "convolutions and pooling layers. Layers that do take such an argument (the Transformer "
            "layers' `activation=`) and Keras layers in the same file are not reported."
        ),
        why=(
            "torch layers have their own argument names (`out_features`, `out_channels`, `stride`, "
            "`bias`, `p`, `eps`) and no activation, initialiser or regulariser arguments: activations "
            "are separate modules or functions, initialisation is done with `torch.nn.init`, "
            "regularisation with the optimizer's `weight_decay`. An unknown keyword is a `TypeError` "
            "when the model is built. torch's convolutions accept `padding='same'` only with stride 1 "
            "and have no `'causal'` mode (`ValueError`); transposed convolutions and pooling layers "
            "take only numbers and fail with `TypeError` on their first call."
        ),
        bad=_KERAS_ARGUMENT_BAD,
        good=_KERAS_ARGUMENT_GOOD,
    ),
    Message(
        msgid="W7405",
        symbol="zero-grad-missing",
        template=(
            "%s.step() runs in a loop that calls backward() but never clears the gradients: backward() "
            "adds to .grad, so each step follows the sum of all gradients so far; call %s.zero_grad() "
            "in the loop, before backward()"
        ),
        description="A training loop calls backward() and optimizer.step() without zero_grad().",
        what=(
            "A `for` or `while` loop (the innermost one around `optimizer.step()`) that calls "
            "`.backward()` and `optimizer.step()` but clears no gradient: no `zero_grad()` of the "
            "optimizer or the model (`set_to_none` or not), no `p.grad = None` and no `p.grad.zero_()`, "
            "neither in the loop nor in a function of the file it calls. A `zero_grad()` before the "
            "loop only clears the first step. Gradient accumulation that clears after every "
            "`step()`, inside an `if`, is correct and not reported."
        ),
        why=(
            "Keras' `model.fit` computes fresh gradients on every batch. In torch, `backward()` adds "
            "the new gradients to the `.grad` the parameters already hold; only `zero_grad()` (or "
            "setting `.grad` to None) empties them. Without it, step n moves the weights along the "
            "sum of the gradients of steps 1 to n: the effective learning rate grows with every step "
            "and training diverges or stalls."
        ),
        bad=_ZERO_GRAD_MISSING_BAD,
        good=_ZERO_GRAD_MISSING_GOOD,
    ),
    Message(
        msgid="E7406",
        symbol="rnn-in-sequential",
        template=(
            "%s returns a tuple %s, not a tensor, so the %s after it in nn.Sequential fails "
            "on its first call; put the RNN in a Module whose forward unpacks it: output, _ = "
            "self.rnn(x), then pass output[:, -1] (batch_first=True) on"
        ),
        description="An RNN/LSTM/GRU inside nn.Sequential is followed by a layer that receives its output tuple.",
        what=(
            "`nn.Sequential(...)` (positional layers or an `OrderedDict`) in which an `nn.RNN`, "
            "`nn.LSTM`, `nn.GRU` or `nn.LSTMCell` is directly followed by another torch layer. A layer "
            "class of your own after it (one that unpacks the tuple) and an RNN as the last layer are "
            "not reported."
        ),
        why=(
            "Keras' `Sequential([LSTM(16), Dense(1)])` works because Keras' LSTM returns one tensor, "
            "the last step. torch's recurrent layers return a tuple: `(output, h_n)` for `RNN` and "
            "`GRU`, `(output, (h_n, c_n))` for `LSTM`, `(h, c)` for `LSTMCell`. `nn.Sequential` hands "
            "that tuple to the next layer, which fails with `TypeError: ... must be Tensor, not tuple` "
            "or `AttributeError: 'tuple' object has no attribute ...`."
        ),
        bad=_RNN_IN_SEQUENTIAL_BAD,
        good=_RNN_IN_SEQUENTIAL_GOOD,
    ),
    Message(
        msgid="W7407",
        symbol="loss-accumulated-with-graph",
        template=(
            "%s accumulates the loss tensor %s across iterations, which keeps every step's autograd "
            "graph alive; accumulate %s.item() (or %s.detach()) instead"
        ),
        description="A running total or list keeps loss tensors, and their autograd graphs, across training steps.",
        what=(
            "In a loop that calls `.backward()`, a loss tensor (the result of a torch loss function or "
            "of a criterion such as `nn.CrossEntropyLoss()`) added to a total that lives across "
            "iterations (`total += loss`, `total = total + loss`, also scaled: `total += loss * n`) or "
            "appended to a list built before the loop (`losses.append(loss)`). Totals that are "
            "themselves back-propagated, accumulations under `torch.no_grad()`, and `loss.item()` or "
            "`loss.detach()` are not reported."
        ),
        why=(
            "Keras' `fit` reports losses as numbers. In torch the loss is a tensor that holds the "
            "autograd graph of the step that computed it; adding it to a total or keeping it in a list "
            "chains those graphs together, so memory grows with every step (the PyTorch FAQ's "
            "\"accumulating history across your training loop\"), and the total is a tensor that "
            "requires grad. `loss.item()` is a Python number and `loss.detach()` a tensor without a "
            "graph."
        ),
        bad=_LOSS_ACCUMULATED_BAD,
        good=_LOSS_ACCUMULATED_GOOD,
    ),
)

_BATCHNORM_EPSILON_BAD = '''\
import torch
from torch import nn

torch.manual_seed(0)
norm = nn.BatchNorm1d(4, eps=1e-3)  # Keras: BatchNormalization() (epsilon=1e-3)
x = torch.randn(64, 4) * 0.01  # features of a small variance
print(norm(x).std(dim=0))  # about 0.3: 1e-3 outweighs the variance, the output is not unit variance
'''

_BATCHNORM_EPSILON_GOOD = '''\
import torch
from torch import nn

torch.manual_seed(0)
norm = nn.BatchNorm1d(4, eps=1e-5)  # torch's default; keep 1e-3 only to match weights trained in Keras
x = torch.randn(64, 4) * 0.01
print(norm(x).std(dim=0))  # about 0.95
'''

# Notes that only `torchport report` shows, after a model's findings: not mistakes, so no rule emits them
# and they are not in MESSAGES (neither `torchport check` nor the pylint plugin registers or reports them).
REPORT_NOTES: tuple[Message, ...] = (
    Message(
        msgid="I7408",
        symbol="keras-batchnorm-epsilon",
        template=(
            "%s(eps=%s) uses Keras's default epsilon (BatchNormalization's 1e-3); torch's default is 1e-5: "
            "write eps=1e-5, or keep it deliberately to match weights trained in Keras"
        ),
        description="A batch-norm layer uses Keras's default epsilon, 1e-3, instead of torch's 1e-5 (report only).",
        what=(
            "`nn.BatchNorm1d/2d/3d`, their lazy forms, `nn.SyncBatchNorm` and `F.batch_norm` whose `eps` "
            "is Keras's default 1e-3 (written `1e-3`, `0.001`, `1E-3`, or a name bound to that constant). "
            "It is a note of `torchport report` only, shown after the model's findings: the value is not "
            "wrong, so `torchport check`, its JSON and SARIF output and the pylint plugin never report it. "
            "`disable = [\"keras-batchnorm-epsilon\"]` in `[tool.torchport]` turns it off."
        ),
        why=(
            "Keras's `BatchNormalization` adds `epsilon=1e-3` to the variance before dividing by its square "
            "root; torch's batch norms add `eps=1e-5`. A port that copies Keras's value normalises slightly "
            "differently from a model written for torch: features whose variance is near 1e-3 or below are "
            "scaled down instead of brought to unit variance. Keep 1e-3 when the port loads weights trained "
            "in Keras, whose moving statistics and following layers expect it (the outputs then match "
            "Keras's); for a model trained in torch, torch's default is the usual choice."
        ),
        bad=_BATCHNORM_EPSILON_BAD,
        good=_BATCHNORM_EPSILON_GOOD,
    ),
)
