"""Conv2D and pooling with 'same'/'valid' padding, strides, dilation, odd sizes; GlobalMaxPooling2D."""
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(33, 47, 3))
x = layers.Conv2D(16, 3, strides=2, padding="same")(inputs)
x = layers.Conv2D(16, (5, 3), strides=(2, 1), padding="valid")(x)
x = layers.Conv2D(24, 3, dilation_rate=2, padding="valid")(x)
x = layers.MaxPooling2D(pool_size=3, strides=2, padding="same")(x)
x = layers.AveragePooling2D(pool_size=(2, 2), padding="valid")(x)
x = layers.Conv2D(32, 1, groups=4, use_bias=False)(x)
x = layers.GlobalMaxPooling2D()(x)
outputs = layers.Dense(7)(x)
model = keras.Model(inputs, outputs)
