"""A gating unit: Multiply of a sigmoid gate and a linear branch, broadcast over time."""
import keras
from keras import layers


def build_gated(steps=25, features=12, units=20):
    sequence = keras.Input(shape=(steps, features), name="sequence")
    gate = layers.Dense(units, activation="sigmoid", name="gate")(sequence)
    value = layers.Dense(units, name="value")(sequence)
    gated = layers.Multiply(name="glu")([gate, value])
    pooled = layers.GlobalAveragePooling1D()(gated)
    return keras.Model(sequence, pooled)
