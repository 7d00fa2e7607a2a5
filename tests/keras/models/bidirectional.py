"""Bidirectional wrappers with each merge mode."""
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(40, 16))
x = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(inputs)
x = layers.Bidirectional(layers.GRU(16, return_sequences=True), merge_mode="sum")(x)
x = layers.Bidirectional(layers.SimpleRNN(8, return_sequences=True), merge_mode="ave")(x)
x = layers.Bidirectional(layers.LSTM(4), merge_mode="mul")(x)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
