"""Functional MLP built by a function with default arguments."""
import keras
from keras import layers


def build_model(input_dim=784, hidden=(256, 128), num_classes=10):
    inputs = keras.Input(shape=(input_dim,))
    x = inputs
    for units in hidden:
        x = layers.Dense(units, activation="relu")(x)
        x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs=inputs, outputs=outputs)
