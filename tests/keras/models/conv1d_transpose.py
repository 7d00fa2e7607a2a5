"""A 1-D decoder: Conv1DTranspose with strides, 'same'/'valid' padding, output_padding and dilation."""
import keras
from keras import layers

signal = keras.Input(shape=(25, 4))
x = layers.Conv1DTranspose(8, 3, strides=2, padding="same")(signal)
x = layers.Conv1DTranspose(8, 4, strides=3, padding="valid", use_bias=False)(x)
x = layers.Conv1DTranspose(6, 5, strides=2, padding="same", output_padding=1)(x)
x = layers.Conv1DTranspose(2, 3, dilation_rate=2, padding="same")(x)
decoder = keras.Model(signal, x)
