"""Image models: strided 'same' convolutions at odd sizes, pooling, skip connections, an autoencoder."""

import keras
from keras import layers


def build_odd_convnet():
    inputs = keras.Input(shape=(29, 31, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
    x = layers.ReLU(max_value=6.0)(x)
    x = layers.ZeroPadding2D(((1, 0), (2, 1)))(x)
    x = layers.AveragePooling2D(3, strides=2, padding="same")(x)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.SpatialDropout2D(0.1)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(32)(x)
    x = layers.LeakyReLU(negative_slope=0.1)(x)
    x = layers.BatchNormalization()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def build_skip_net():
    inputs = keras.Input(shape=(16, 16, 4))
    a = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    b = layers.Conv2D(8, 1)(inputs)
    x = layers.Add()([a, b])
    c = layers.Conv2D(4, 3, padding="same", activation="sigmoid")(x)
    x = layers.Concatenate()([x, c])
    m = layers.Conv2D(12, 1)(x)
    x = layers.Multiply()([x, m])
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(5)(x)
    return keras.Model(inputs, outputs)


def build_autoencoder():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(392, activation="relu")(x)
    x = layers.Reshape((7, 7, 8))(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(16, 2, strides=2)(x)
    x = layers.UpSampling2D(1)(x)
    outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def build_valid_transpose():
    inputs = keras.Input(shape=(5, 5, 2))
    x = layers.Conv2DTranspose(4, 3, strides=2)(inputs)
    x = layers.Conv2DTranspose(4, 1, strides=3)(x)
    x = layers.GlobalMaxPooling2D(keepdims=True)(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs)
