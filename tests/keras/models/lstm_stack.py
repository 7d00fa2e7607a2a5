"""Stacked LSTMs over embeddings (return_sequences), Sequential with an Input."""
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(None,), dtype="int32"),
    layers.Embedding(input_dim=5000, output_dim=64, mask_zero=True),
    layers.LSTM(128, return_sequences=True),
    layers.LSTM(64, dropout=0.1),
    layers.Dense(3, activation="softmax"),
])
