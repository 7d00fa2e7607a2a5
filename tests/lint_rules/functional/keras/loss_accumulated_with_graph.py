"""loss-accumulated-with-graph: loss tensors kept, with their graphs, across training steps."""
import torch
import torch.nn.functional as F
from torch import nn

model = nn.Linear(10, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(64, 10), torch.randn(64, 1)
loader = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 64, 8)]


def fit(criterion: nn.Module, epochs: int = 3) -> list:
    history = []
    for epoch in range(epochs):
        running_loss = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running_loss += loss * xb.size(0)  # [loss-accumulated-with-graph]
            history.append(loss)  # [loss-accumulated-with-graph]
        print(epoch, running_loss / 64)
    return history


def fit_functional() -> float:
    total = 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        total = total + loss  # [loss-accumulated-with-graph]
    return total / len(loader)


class Trainer:
    def __init__(self) -> None:
        self.criterion = nn.SmoothL1Loss().to("cpu")
        self.losses = []

    def epoch(self) -> None:
        epoch_loss = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = self.criterion(model(xb), yb)
            scaled = loss / 2
            scaled.backward()
            optimizer.step()
            epoch_loss += scaled  # [loss-accumulated-with-graph]


def main() -> None:
    fit(nn.MSELoss())
    fit(nn.L1Loss())


# --- correct ---------------------------------------------------------------------------------------


def fit_with_items(criterion=nn.MSELoss()) -> float:
    total, losses = 0.0, []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item()
        losses.append(loss.detach())
    return total


def evaluate(criterion: nn.Module) -> float:
    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += criterion(model(xb), yb)  # no graph under no_grad
    return float(total)


@torch.inference_mode()
def evaluate_decorated() -> float:
    total = 0.0
    for xb, yb in loader:
        total += F.l1_loss(model(xb), yb)
    return float(total)


def sequence_loss(outputs, targets) -> torch.Tensor:
    """One graph over the time steps, back-propagated once: accumulating is the point."""
    loss = 0
    for t in range(len(outputs)):
        loss += F.cross_entropy(outputs[t], targets[t])
    return loss


def train_seq2seq(outputs, targets) -> None:
    total = 0
    for t in range(len(outputs)):
        total = total + F.nll_loss(outputs[t], targets[t])
    total.backward()


def per_step_list() -> None:
    for xb, yb in loader:
        step_losses = []  # rebuilt every iteration
        loss = F.mse_loss(model(xb), yb)
        step_losses.append(loss)
        loss.backward()


def unknown_criterion(criterion, xb, yb) -> float:
    total = 0.0
    for _ in range(3):
        loss = criterion(model(xb), yb)  # criterion is not known to be a loss
        loss.backward()
        total += loss
    return total
