"""Attention: a transformer encoder block, two inputs and two outputs, a projection-size mismatch."""

import keras
from keras import layers


def build_encoder_block():
    tokens = keras.Input(shape=(12,), dtype="int32")
    x = layers.Embedding(100, 32)(tokens)
    attended = layers.MultiHeadAttention(num_heads=4, key_dim=8)(x, x)
    x = layers.Add()([x, attended])
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    hidden = layers.Dense(64, activation="gelu")(x)
    hidden = layers.Dense(32)(hidden)
    x = layers.Add()([x, hidden])
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(3, activation="softmax")(x)
    return keras.Model(tokens, outputs)


def build_two_towers():
    image = keras.Input(shape=(8, 8, 3), name="image")
    meta = keras.Input(shape=(5,), name="meta")
    x = layers.Conv2D(4, 3, activation="relu")(image)
    x = layers.Flatten()(x)
    y = layers.Dense(6, activation="tanh")(meta)
    z = layers.Concatenate()([x, y])
    label = layers.Dense(3, activation="softmax", name="label")(z)
    score = layers.Dense(1, name="score")(z)
    return keras.Model([image, meta], [label, score])


def build_cross_attention():
    query = keras.Input(shape=(6, 16))
    context = keras.Input(shape=(9, 10))
    x = layers.MultiHeadAttention(num_heads=2, key_dim=4)(query, context)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(1)(x)
    return keras.Model([query, context], outputs)
