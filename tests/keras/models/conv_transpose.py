"""A decoder: Dense, Reshape (with -1), Conv2DTranspose with strides, padding and output_padding."""
import keras
from keras import layers

LATENT = 16

decoder = keras.Sequential([
    keras.Input(shape=(LATENT,)),
    layers.Dense(7 * 7 * 32, activation="relu"),
    layers.Reshape((7, 7, -1)),
    layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
    layers.Conv2DTranspose(32, 3, strides=2, padding="valid"),
    layers.Conv2DTranspose(16, 4, strides=2, padding="same", output_padding=1),
    layers.Conv2DTranspose(1, (3, 3), padding="same", dilation_rate=(2, 2), activation="sigmoid"),
])
