"""A two-layer classifier (Sequential)."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(40,)),
    layers.Dense(128, activation="relu"),
    layers.Dense(6),
])
