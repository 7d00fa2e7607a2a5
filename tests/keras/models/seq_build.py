"""A Sequential without an input, built later with `model.build(shape)`."""
from tensorflow import keras
from tensorflow.keras import layers

HIDDEN = 48

model = keras.Sequential(name="regressor")
model.add(layers.Dense(HIDDEN * 2, activation="relu"))
model.add(layers.Dense(HIDDEN // 2))
model.add(layers.Dense(1))
model.build((None, 13))
