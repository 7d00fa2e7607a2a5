"""Keras and torch in one file (a port in progress): torch's rules never judge the Keras code."""
import keras
import tensorflow as tf
import torch
from keras import layers
from keras.layers import LSTM, BatchNormalization, Dense, Dropout
from tensorflow.keras import Sequential
from torch import nn

keras_model = Sequential([
    layers.Conv2D(filters=32, kernel_size=3, strides=2, padding="same", activation="relu"),
    BatchNormalization(momentum=0.99, epsilon=1e-3),
    layers.Conv1D(16, 3, padding="causal"),
    LSTM(units=64, return_sequences=False),
    Dropout(rate=0.5),
    Dense(units=10, activation="softmax", kernel_initializer="glorot_uniform"),
])
also_keras = keras.layers.Dense(units=10, input_dim=4, use_bias=False)
tf_dense = tf.keras.layers.Dense(10, activation="relu")
keras_sequence = keras.Sequential([keras.layers.LSTM(32), keras.layers.Dense(1)])


class TorchTwin(nn.Module):
    """The same model in torch, written the torch way."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(32, momentum=0.01, eps=1e-3)
        self.lstm = nn.LSTM(32, 64, batch_first=True)
        self.dropout = nn.Dropout(p=0.5)
        self.fc = nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.bn(self.conv(x)))
        x = x.flatten(2).transpose(1, 2)
        out, _ = self.lstm(x)
        return self.fc(self.dropout(out[:, -1]))


def keras_training(model, x, y):
    """Keras' fit loop written out with tf.GradientTape: no torch optimizer, no zero_grad needed."""
    optimizer = keras.optimizers.Adam()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    total = 0.0
    for step in range(10):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        total += loss
    return total
