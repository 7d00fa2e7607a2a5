"""A text convnet: Embedding + Conv1D + global max pooling (Sequential)."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(100,), dtype="int32"),
    layers.Embedding(10000, 50),
    layers.Conv1D(64, 5, activation="relu"),
    layers.GlobalMaxPooling1D(),
    layers.Dense(1, activation="sigmoid"),
])
