"""rnn-batch-first-mismatch: time-major recurrent layers used with batch-major data."""
import torch
from torch import nn
from torch.nn import GRU
from torch.utils.data import DataLoader, TensorDataset


class LastStepClassifier(nn.Module):
    """Keras: LSTM(64) returned the last step of (batch, time, features) input."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(input_size=16, hidden_size=64)
        self.fc = nn.Linear(64, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1, :])  # [rnn-batch-first-mismatch]


class ExplicitlyTimeMajor(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = GRU(16, 32, 1, True, False)  # batch_first=False, positionally

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gru(x)[0][:, -1]  # [rnn-batch-first-mismatch]


def script_style(x: torch.Tensor) -> torch.Tensor:
    rnn = nn.RNN(16, 32, batch_first=False)
    outputs = rnn(x)[0]
    return outputs[:, -1]  # [rnn-batch-first-mismatch]


class TokenTagger(nn.Module):
    """Fed by the DataLoader below: token ids (batch, time) -> embeddings (batch, time, 32)."""

    def __init__(self, vocab: int = 100) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, 32)
        self.lstm = nn.LSTM(32, 16)
        self.head = nn.Linear(16, 5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(tokens)
        out, _ = self.lstm(embedded)  # [rnn-batch-first-mismatch]
        return self.head(out)


def train_tagger() -> None:
    dataset = TensorDataset(torch.randint(0, 100, (64, 12)), torch.randint(0, 5, (64, 12)))
    loader = DataLoader(dataset, batch_size=8, shuffle=True)
    model = TokenTagger()
    for tokens, tags in loader:
        model(tokens.long())


# --- correct ---------------------------------------------------------------------------------------


class BatchFirst(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(16, 64, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return out[:, -1, :]


class TimeMajorDoneRight(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(16, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, (h, c) = self.lstm(x.permute(1, 0, 2))  # made time-major first
        last = out[-1]  # the last time step of a time-major output
        out = out.permute(1, 0, 2)  # back to batch-major: now out[:, -1] is right
        return out[:, -1] + last + h[-1]


class ConfigurableLayout(nn.Module):
    def __init__(self, batch_first: bool) -> None:
        super().__init__()
        self.lstm = nn.LSTM(16, 64, batch_first=batch_first)  # not known here

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return out[:, -1]


class TransposedEmbedding(nn.Module):
    """Embeddings of DataLoader batches, transposed to (time, batch, features) before the LSTM."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(100, 32)
        self.lstm = nn.LSTM(32, 16)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.embedding(tokens).transpose(0, 1))
        return out[-1]


def padded_batches(samples):
    return nn.utils.rnn.pad_sequence(samples)  # (time, batch): time-major


def train_other_models() -> None:
    dataset = TensorDataset(torch.randint(0, 100, (64, 12)))
    for (tokens,) in DataLoader(dataset, batch_size=8):
        TransposedEmbedding()(tokens)
    for (tokens,) in DataLoader(dataset, batch_size=8, collate_fn=padded_batches):
        UnknownLayout()(tokens)


class UnknownLayout(nn.Module):
    """Fed through a custom collate_fn, and called with other data elsewhere: layout unknown."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(100, 32)
        self.gru = nn.GRU(32, 16)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(self.embedding(tokens))
        return out[-1]


class KerasStyleNames(nn.Module):
    """Indexing [:, -1] of something that is not the RNN output."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(16, 64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, (h, c) = self.lstm(x)
        return h[:, -1] + c[:, -1] + out[-1]
