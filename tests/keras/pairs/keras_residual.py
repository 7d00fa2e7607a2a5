"""A residual block in the Functional API: the shortcut joins with Add."""

import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
y = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
y = layers.Conv2D(16, 3, padding="same")(y)
z = layers.Add()([x, y])
z = layers.Activation("relu")(z)
z = layers.GlobalAveragePooling2D()(z)
outputs = layers.Dense(10)(z)
model = keras.Model(inputs, outputs, name="residual")
