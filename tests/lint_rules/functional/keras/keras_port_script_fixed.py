"""keras_port_script.py with every Keras habit translated: torchport stays silent."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, TensorDataset


class TextClassifier(nn.Module):
    def __init__(self, vocab_size: int = 5000, classes: int = 4) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, 64)
        self.lstm = nn.LSTM(64, 32, batch_first=True)
        self.norm = nn.BatchNorm1d(32, momentum=0.01, eps=1e-3)
        self.fc = nn.Linear(32, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.lstm(self.embedding(tokens))
        last = outputs[:, -1]
        return self.fc(F.dropout(self.norm(last), 0.3, training=self.training))


x_train = torch.randint(0, 5000, (320, 50))
y_train = torch.randint(0, 4, (320,))
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
model = TextClassifier()
optimizer = optim.Adam(model.parameters())
loss_fn = nn.CrossEntropyLoss()
history = []
for epoch in range(5):
    for tokens, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(tokens), labels)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
