"""Audio event detector on log-mel frames (Sequential): dilated 1-D convolutions, batch normalisation, a
sigmoid for the binary label."""

import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(128, 40)),
    layers.Conv1D(32, 3, dilation_rate=2, padding="same", activation="relu"),
    layers.BatchNormalization(),
    layers.Conv1D(32, 3, padding="same", activation="relu"),
    layers.GlobalAveragePooling1D(),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy")
