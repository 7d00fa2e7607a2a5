"""IMDB sentiment: Embedding + LSTM + a sigmoid unit (Sequential)."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(200,), dtype="int32"),
    layers.Embedding(20000, 128),
    layers.LSTM(64),
    layers.Dense(1, activation="sigmoid"),
])
