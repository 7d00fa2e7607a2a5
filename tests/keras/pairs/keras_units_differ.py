"""An autoencoder-style bottleneck MLP (Functional)."""

import keras
from keras import layers

inputs = keras.Input(shape=(100,))
encoded = layers.Dense(128, activation="relu")(inputs)
encoded = layers.Dense(16, activation="relu")(encoded)
decoded = layers.Dense(128, activation="relu")(encoded)
outputs = layers.Dense(100, activation="sigmoid")(decoded)
model = keras.Model(inputs, outputs)
