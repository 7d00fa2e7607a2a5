"""Topic classifier: Embedding + GRU (Keras 3's reset_after=True) + softmax over 5 topics (Functional)."""

import keras
from keras import layers

tokens = keras.Input(shape=(50,), dtype="int32", name="tokens")
x = layers.Embedding(input_dim=5000, output_dim=64)(tokens)
x = layers.GRU(32)(x)
outputs = layers.Dense(5, activation="softmax")(x)
model = keras.Model(tokens, outputs)
