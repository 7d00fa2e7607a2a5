"""A sensor classifier (Sequential): tanh hidden layer, dropout 0.5."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(561,)),
    layers.Dense(64, activation="tanh"),
    layers.Dropout(0.5),
    layers.Dense(6, activation="softmax"),
])
