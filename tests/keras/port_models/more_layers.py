"""The rest of the table: 1-D and 3-D variants, channels_first Keras layers, reshaping layers, merges."""

import keras
from keras import layers


def build_volumes():
    inputs = keras.Input(shape=(9, 10, 11, 2))
    x = layers.Conv3D(4, 3, padding="same", activation="elu")(inputs)
    x = layers.ZeroPadding3D(1)(x)
    x = layers.MaxPooling3D(2)(x)
    x = layers.SpatialDropout3D(0.2)(x)
    x = layers.Conv3DTranspose(3, 2, strides=2)(x)
    x = layers.AveragePooling3D(2, padding="same")(x)
    x = layers.UpSampling3D(2)(x)
    x = layers.GlobalAveragePooling3D()(x)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs)


def build_signals():
    inputs = keras.Input(shape=(30, 4))
    x = layers.ZeroPadding1D((2, 1))(inputs)
    x = layers.Conv1DTranspose(6, 3, strides=2, padding="same")(x)
    x = layers.SpatialDropout1D(0.1)(x)
    x = layers.AveragePooling1D(4, strides=3, padding="same")(x)
    x = layers.UpSampling1D(2)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ELU(alpha=0.5)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.RepeatVector(3)(x)
    x = layers.Permute((2, 1))(x)
    x = layers.LayerNormalization(axis=(1, 2))(x)
    x = layers.Flatten()(x)
    x = layers.AlphaDropout(0.1)(x)
    outputs = layers.Dense(1, activation="tanh")(x)
    return keras.Model(inputs, outputs)


def build_channels_first():
    inputs = keras.Input(shape=(3, 12, 12))
    x = layers.Conv2D(5, 3, data_format="channels_first", activation="relu")(inputs)
    x = layers.BatchNormalization(axis=1)(x)
    x = layers.MaxPooling2D(2, data_format="channels_first")(x)
    x = layers.Conv2D(4, 1)(x)
    x = layers.GlobalMaxPooling2D(data_format="channels_first")(x)
    outputs = layers.Dense(3, activation="log_softmax")(x)
    return keras.Model(inputs, outputs)


def build_merges():
    left = keras.Input(shape=(6, 6, 2))
    right = keras.Input(shape=(6, 6, 2))
    a = layers.Conv2D(3, 1)(left)
    b = layers.Conv2D(3, 1)(right)
    s = layers.Subtract()([a, b])
    m = layers.Average()([a, b, s])
    h = layers.Maximum()([a, m])
    lo = layers.Minimum()([b, m])
    x = layers.Concatenate(axis=1)([h, lo])
    x = layers.Reshape((12, 18))(x)
    x = layers.Dense(4, activation="softmax")(x)
    outputs = layers.Softmax(axis=1)(x)
    return keras.Model([left, right], outputs)
