"""An MLP with batch normalisation (Functional), Keras's BatchNormalization defaults."""

import keras
from keras import layers

inputs = keras.Input(shape=(30,))
x = layers.Dense(64)(inputs)
x = layers.BatchNormalization()(x)
x = layers.ReLU()(x)
outputs = layers.Dense(3)(x)
model = keras.Model(inputs=inputs, outputs=outputs)
