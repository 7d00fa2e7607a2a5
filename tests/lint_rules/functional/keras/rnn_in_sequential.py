"""rnn-in-sequential: recurrent layers followed by another layer in nn.Sequential."""
from collections import OrderedDict

import torch
from torch import nn

lstm_then_linear = nn.Sequential(
    nn.LSTM(input_size=8, hidden_size=16, batch_first=True),  # [rnn-in-sequential]
    nn.Linear(16, 1),
)
stacked = nn.Sequential(nn.GRU(8, 16), nn.GRU(16, 16))  # [rnn-in-sequential]
named = nn.Sequential(OrderedDict([
    ("embed", nn.Embedding(100, 8)),
    ("rnn", nn.RNN(8, 16, batch_first=True)),  # [rnn-in-sequential]
    ("dropout", nn.Dropout(0.2)),
]))
cell = nn.LSTMCell(8, 16)
cell_then_head = nn.Sequential(cell, nn.Linear(16, 1))  # [rnn-in-sequential]


class KerasStyleStack(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(nn.Linear(4, 8), nn.LSTM(8, 8, batch_first=True), nn.Flatten())  # [rnn-in-sequential]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


# --- correct ---------------------------------------------------------------------------------------


class LastStep(nn.Module):
    """Unpacks the LSTM's tuple: a user class after the RNN is trusted."""

    def forward(self, output_and_state):
        output, _ = output_and_state
        return output[:, -1]


with_unpacker = nn.Sequential(nn.LSTM(8, 16, batch_first=True), LastStep(), nn.Linear(16, 1))
rnn_last = nn.Sequential(nn.Embedding(100, 8), nn.LSTM(8, 16, batch_first=True))  # the caller unpacks
identity_after = nn.Sequential(nn.GRU(8, 16, batch_first=True), nn.Identity())  # Identity returns the tuple
cell_gru = nn.Sequential(nn.GRUCell(8, 16), nn.Linear(16, 1))  # GRUCell returns one tensor
layers = [nn.Linear(16, 1)]
from_list = nn.Sequential(nn.LSTM(8, 16, batch_first=True), *layers)  # what follows is not known
