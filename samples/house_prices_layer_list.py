# Ported from a Keras model whose hidden layers were built in a loop from a config
# (hidden = [Dense(units, activation="relu") for units in HIDDEN_UNITS]), each followed by
# LayerNormalization, with one Dense(1) regression head per target column.
"""Multi-target regressor for house prices and rents from tabular listing features."""

import torch
import torch.nn.functional as F
from torch import nn

HIDDEN_UNITS = (256, 128, 64)


class ListingRegressor(nn.Module):
    def __init__(self, n_features: int = 48, hidden_units: tuple[int, ...] = HIDDEN_UNITS) -> None:
        super().__init__()
        sizes = [n_features, *hidden_units]
        self.hidden = [nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes, sizes[1:])]
        self.norms = []
        for units in hidden_units:
            self.norms.append(nn.LayerNorm(units))
        self.heads = {"price": nn.Linear(hidden_units[-1], 1), "rent": nn.Linear(hidden_units[-1], 1)}
        self.hidden_units = list(hidden_units)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        for layer, norm in zip(self.hidden, self.norms):
            x = norm(F.relu(layer(x)))
        return {name: head(x).squeeze(-1) for name, head in self.heads.items()}


def fit(model: ListingRegressor, features: torch.Tensor, targets: dict[str, torch.Tensor]) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(50):
        predictions = model(features)
        loss = sum(F.mse_loss(predictions[name], targets[name]) for name in predictions)
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0:
            print(epoch, float(loss))


if __name__ == "__main__":
    listings = torch.randn(256, 48)
    fit(ListingRegressor(), listings, {"price": torch.randn(256), "rent": torch.randn(256)})
