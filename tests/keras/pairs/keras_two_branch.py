"""Two branches over the same features, joined with Concatenate (Functional)."""

import keras
from keras import layers

features = keras.Input(shape=(20,))
wide = layers.Dense(32, activation="relu")(features)
deep = layers.Dense(16, activation="tanh")(features)
deep = layers.Dense(16, activation="tanh")(deep)
joined = layers.Concatenate()([wide, deep])
outputs = layers.Dense(1)(joined)
model = keras.Model(features, outputs)
