"""A convnet with average pooling and bias-free convolutions (Sequential)."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(32, 32, 1)),
    layers.Conv2D(8, 3, padding="same", use_bias=False),
    layers.AveragePooling2D(pool_size=2),
    layers.Conv2D(16, 3, padding="same"),
    layers.MaxPooling2D(pool_size=2),
    layers.Flatten(),
    layers.Dense(2),
])
