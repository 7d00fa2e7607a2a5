"""A Keras tutorial ported line by line: the model still ends in softmax, as Dense(10, "softmax") did."""
import torch
from torch import nn

# Keras: keras.Sequential([Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax")])
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(28 * 28, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
    nn.Softmax(),  # [softmax-without-dim]
)
# Keras: model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

x_train = torch.rand(256, 1, 28, 28)
y_train = torch.randint(0, 10, (256,))

# Keras: model.fit(x_train, y_train, epochs=5, batch_size=32)
for epoch in range(5):
    for i in range(0, len(x_train), 32):
        xb, yb = x_train[i:i + 32], y_train[i:i + 32]
        predictions = model(xb)
        loss = loss_fn(predictions, yb)  # [softmax-before-cross-entropy]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

# Keras: model.predict(x_train[:5])
with torch.no_grad():
    print(model(x_train[:5]).argmax(dim=1))
