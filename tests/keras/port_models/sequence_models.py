"""Sequence models: token ids through embeddings and recurrent layers, and a causal 1-D convnet."""

import keras
from keras import layers


def build_sentiment_bilstm():
    inputs = keras.Input(shape=(40,), dtype="int32")
    x = layers.Embedding(5000, 32)(inputs)
    x = layers.Bidirectional(layers.LSTM(16))(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def build_stacked_gru():
    inputs = keras.Input(shape=(25, 6))
    x = layers.GRU(24, return_sequences=True)(inputs)
    x = layers.GRU(12, return_sequences=True, go_backwards=True)(x)
    x = layers.GlobalMaxPooling1D()(x)
    outputs = layers.Dense(4, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def build_simple_rnn():
    inputs = keras.Input(shape=(10, 3))
    x = layers.SimpleRNN(8, activation="relu", return_sequences=True)(inputs)
    x = layers.Bidirectional(layers.GRU(5, return_sequences=True), merge_mode="sum")(x)
    x = layers.TimeDistributed(layers.Dense(2))(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def build_causal_convnet():
    inputs = keras.Input(shape=(64, 2))
    x = layers.Conv1D(16, 3, padding="causal", dilation_rate=2, activation="relu")(inputs)
    x = layers.Conv1D(16, 5, strides=2, padding="same")(x)
    x = layers.MaxPooling1D(3, strides=2, padding="same")(x)
    x = layers.LSTM(8, return_sequences=True)(x)
    x = layers.LayerNormalization()(x)
    x = layers.LSTM(8)(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return keras.Model(inputs, outputs)
