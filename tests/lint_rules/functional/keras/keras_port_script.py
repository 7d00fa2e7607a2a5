"""A Keras text classifier ported line by line, every Keras habit kept (see keras_port_script_fixed.py).

Keras original:
    model = Sequential([Embedding(5000, 64), LSTM(32), BatchNormalization(), Dropout(0.3), Dense(4)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x_train, y_train, batch_size=32, epochs=5)
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, TensorDataset


class TextClassifier(nn.Module):
    def __init__(self, vocab_size: int = 5000, classes: int = 4) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 64)
        self.lstm = nn.LSTM(64, 32)
        self.norm = nn.BatchNorm1d(32, momentum=0.99)  # [keras-batchnorm-momentum]
        self.fc = nn.Linear(32, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(self.embedding(tokens))
        last = outputs[:, -1]  # [rnn-batch-first-mismatch]
        return self.fc(F.dropout(self.norm(last), 0.3))  # [dropout-always-active]


x_train = torch.randint(0, 5000, (320, 50))
y_train = torch.randint(0, 4, (320,))
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
model = TextClassifier()
optimizer = optim.Adam(model.parameters())
loss_fn = nn.CrossEntropyLoss()
history = []
optimizer.zero_grad()
for epoch in range(5):
    for tokens, labels in loader:
        loss = loss_fn(model(tokens), labels)
        loss.backward()
        optimizer.step()  # [zero-grad-missing]
        history.append(loss)  # [loss-accumulated-with-graph]
