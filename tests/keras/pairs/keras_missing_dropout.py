"""House prices regressor with dropout between the hidden layers (Sequential, then add)."""

import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(13,))])
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dropout(0.3))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(1))
