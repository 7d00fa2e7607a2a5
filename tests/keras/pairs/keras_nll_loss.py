"""Activity recognition from 9 sensor channels (Sequential), softmax over 6 activities."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(9,)),
    layers.Dense(48, activation="relu"),
    layers.Dense(6, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
