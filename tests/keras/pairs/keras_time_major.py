"""Review sentiment: Embedding + LSTM + a sigmoid unit (Sequential; Keras's recurrent layers are batch-major)."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(80,), dtype="int32"),
    layers.Embedding(5000, 32),
    layers.LSTM(32),
    layers.Dense(1, activation="sigmoid"),
])
