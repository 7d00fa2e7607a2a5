"""Text classifier: Embedding, stacked bidirectional LSTM (batch_first), last time step `out[:, -1, :]`."""
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_dim, num_classes, num_layers=2,
                 bidirectional=True, dropout=0.3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=num_layers, batch_first=True,
                            bidirectional=bidirectional, dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(hidden_dim * 2 if bidirectional else hidden_dim, num_classes)

    def forward(self, x):
        embedded = self.dropout(self.embedding(x))
        out, (hidden, cell) = self.lstm(embedded)
        out = out[:, -1, :]
        return self.fc(self.dropout(out))
