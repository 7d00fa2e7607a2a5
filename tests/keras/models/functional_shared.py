"""A layer applied twice (shared weights): a siamese encoder, merged by Add, Multiply and Concatenate."""
import keras
from keras import layers

left = keras.Input(shape=(64,))
right = keras.Input(shape=(64,))
encoder = layers.Dense(32, activation="relu")
a = encoder(left)
b = encoder(right)
summed = layers.Add()([a, b])
product = layers.Multiply()([a, b])
merged = layers.Concatenate(axis=-1)([summed, product])
score = layers.Dense(1, activation="sigmoid")(merged)
siamese = keras.Model([left, right], score)
