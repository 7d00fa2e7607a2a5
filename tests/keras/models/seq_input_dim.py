"""Sequential with `input_dim=` (Keras 2 habit, still accepted) and `keras.layers.InputLayer`."""
import keras
from keras import layers

first = keras.Sequential([layers.Dense(12, input_dim=8, activation="relu"), layers.Dense(1, activation="sigmoid")])
