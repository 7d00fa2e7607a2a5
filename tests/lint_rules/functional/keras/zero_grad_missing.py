"""zero-grad-missing: training loops that never clear the gradients."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Adam

model = nn.Linear(10, 1)
criterion = nn.MSELoss()
x, y = torch.randn(64, 10), torch.randn(64, 1)
loader = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 64, 8)]


def fit_once_cleared(epochs: int = 5) -> None:
    """Keras' model.fit, written out: zero_grad only before the loops."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    optimizer.zero_grad()
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()  # [zero-grad-missing]


def fit_while(optimizer: torch.optim.Optimizer) -> None:
    step = 0
    while step < 100:
        F.mse_loss(model(x), y).backward()
        optimizer.step()  # [zero-grad-missing]
        step += 1


def fit_cleared_per_epoch(opt, epochs: int = 5) -> None:
    for epoch in range(epochs):
        opt.zero_grad()  # once per epoch: the batches of an epoch still add up
        for xb, yb in loader:
            criterion(model(xb), yb).backward()
            opt.step()  # [zero-grad-missing]


class Trainer:
    def __init__(self, net: nn.Module) -> None:
        self.net = net
        self.optimizer = Adam(net.parameters())
        self.scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=10)

    def fit(self, epochs: int) -> None:
        for epoch in range(epochs):
            for xb, yb in loader:
                criterion(self.net(xb), yb).backward()
                self.optimizer.step()  # [zero-grad-missing]
            self.scheduler.step()  # a scheduler: its loop clears nothing, but it steps no weights


# --- correct ---------------------------------------------------------------------------------------


def fit_with_model_zero_grad(optimizer: torch.optim.Optimizer) -> None:
    for xb, yb in loader:
        model.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()


def fit_set_to_none() -> None:
    optimizer = torch.optim.AdamW(model.parameters())
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)  # after the step works as well


def fit_accumulating(optimizer: torch.optim.Optimizer, accumulate: int = 4) -> None:
    """Gradient accumulation: several backward() calls per step, cleared after each step."""
    for i, (xb, yb) in enumerate(loader):
        loss = criterion(model(xb), yb) / accumulate
        loss.backward()
        if (i + 1) % accumulate == 0:
            optimizer.step()
            optimizer.zero_grad()


def fit_grads_to_none(optimizer: torch.optim.Optimizer) -> None:
    for xb, yb in loader:
        for p in model.parameters():
            p.grad = None
        criterion(model(xb), yb).backward()
        optimizer.step()


def fit_grads_zeroed(optimizer: torch.optim.Optimizer) -> None:
    for xb, yb in loader:
        criterion(model(xb), yb).backward()
        optimizer.step()
        for p in model.parameters():
            if p.grad is not None:
                p.grad.data.zero_()


def reset(optimizer: torch.optim.Optimizer) -> None:
    optimizer.zero_grad()


def fit_with_helper(optimizer: torch.optim.Optimizer) -> None:
    for xb, yb in loader:
        reset(optimizer)
        criterion(model(xb), yb).backward()
        optimizer.step()


def fit_lbfgs() -> None:
    optimizer = torch.optim.LBFGS(model.parameters())
    for _ in range(10):
        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        optimizer.step(closure)


def accumulate_over_micro_batches(optimizer: torch.optim.Optimizer) -> None:
    """The step's loop clears; the inner loop accumulates on purpose."""
    for _ in range(10):
        optimizer.zero_grad()
        for xb, yb in loader:
            criterion(model(xb), yb).backward()
        optimizer.step()


def reinforce(env, policy_optimizer: torch.optim.Optimizer) -> None:
    """env.step(action) is not an optimizer step."""
    for _ in range(10):
        policy_optimizer.zero_grad()
        observation, reward = env.step(0)
        (-reward * model(observation).sum()).backward()
        policy_optimizer.step()
        env.step(1)


def schedule_only(scheduler, epochs: int) -> None:
    for _ in range(epochs):
        model(x).sum().backward()
        scheduler.step()  # not an optimizer


def single_step() -> None:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()  # no loop: nothing accumulates
