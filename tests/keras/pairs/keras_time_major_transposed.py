"""A GRU tagger's encoder: Embedding + GRU + Dense over the last state (Functional)."""

import keras
from keras import layers

tokens = keras.Input(shape=(40,), dtype="int32")
x = layers.Embedding(3000, 24)(tokens)
x = layers.GRU(48)(x)
outputs = layers.Dense(7)(x)
model = keras.Model(tokens, outputs)
