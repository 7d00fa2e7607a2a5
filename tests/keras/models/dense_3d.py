"""Dense on a 3-D tensor, Softmax over another axis, Flatten of 3-D, through tf.keras.models."""
import tensorflow as tf
from tensorflow.keras import layers

inputs = tf.keras.layers.Input(shape=(10, 8))
x = layers.Dense(16)(inputs)
x = layers.Softmax(axis=1)(x)
x = layers.Dropout(rate=0.25)(x)
x = layers.Flatten()(x)
model = tf.keras.models.Model(inputs=inputs, outputs=layers.Dense(4)(x))
