# Ported from the Keras IMDB sentiment example: Embedding(20000, 128) -> LSTM(64) -> Dense(1, "sigmoid"),
# trained with binary_crossentropy on padded sequences of word indices (batch, time).
"""Sentiment classifier for movie reviews: embedding, one LSTM layer, a binary head."""

import torch
from torch import nn

VOCAB_SIZE = 20_000
MAX_LEN = 200


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size: int = VOCAB_SIZE, embed_dim: int = 128, hidden: int = 64) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden)
        self.classifier = nn.Linear(hidden, 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(tokens)  # (batch, time, embed_dim), as Keras fed it
        outputs, _ = self.lstm(embedded)
        last = outputs[:, -1, :]
        return self.classifier(last).squeeze(1)


def main() -> None:
    reviews = torch.randint(1, VOCAB_SIZE, (64, MAX_LEN))  # stands in for the padded IMDB reviews
    sentiment = torch.randint(0, 2, (64,)).float()
    model = SentimentLSTM()
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters())
    model.train()
    for step in range(10):
        optimizer.zero_grad()
        loss = criterion(model(reviews), sentiment)
        loss.backward()
        optimizer.step()
        print(step, loss.item())


if __name__ == "__main__":
    main()
