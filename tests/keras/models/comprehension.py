"""A Sequential from a list comprehension and a starred list, sizes in module constants."""
from keras import Input, Sequential
from keras import layers as L

SIZES = [256, 128, 64]
INPUT_DIM = 3 * 10

mlp = Sequential([Input(shape=(INPUT_DIM,)), *[L.Dense(size, activation="relu") for size in SIZES], L.Dense(1)])
