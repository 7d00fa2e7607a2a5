"""The Keras tutorial port done right: logits out of the model, softmax only for predictions."""
import torch
from torch import nn

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(28 * 28, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

x_train = torch.rand(256, 1, 28, 28)
y_train = torch.randint(0, 10, (256,))

for epoch in range(5):
    for i in range(0, len(x_train), 32):
        xb, yb = x_train[i:i + 32], y_train[i:i + 32]
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    probabilities = torch.softmax(model(x_train[:5]), dim=1)
    print(probabilities.argmax(dim=1))
