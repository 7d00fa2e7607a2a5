"""Sequence layers beyond the common set: TimeDistributed, RepeatVector, Permute, 1-D padding/cropping/upsampling,
noise layers, LeakyReLU and the other merge layers."""
from tensorflow import keras
from tensorflow.keras import layers


def build_seq2seq(steps=12, features=6):
    inputs = keras.Input(shape=(steps, features))
    x = layers.GaussianNoise(0.1)(inputs)
    x = layers.ZeroPadding1D(padding=(2, 1))(x)
    x = layers.Cropping1D(cropping=3)(x)
    x = layers.UpSampling1D(size=3)(x)
    x = layers.SpatialDropout1D(0.1)(x)
    x = layers.TimeDistributed(layers.Dense(10))(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    encoded = layers.LSTM(16)(x)
    repeated = layers.RepeatVector(steps)(encoded)
    decoded = layers.GRU(16, return_sequences=True)(repeated)
    a = layers.TimeDistributed(layers.Dense(features))(decoded)
    b = layers.Dense(features)(decoded)
    merged = layers.Average()([layers.Subtract()([a, b]), layers.Maximum()([a, b]), layers.Minimum()([a, b])])
    merged = layers.GaussianDropout(0.1)(merged)
    merged = layers.AlphaDropout(0.1)(merged)
    return keras.Model(inputs, layers.Permute((2, 1))(merged))
