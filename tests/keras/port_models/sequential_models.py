"""Sequential models, with a layer torchport cannot translate."""

import keras
from keras import layers

mlp = keras.Sequential(
    [
        keras.Input(shape=(20,)),
        layers.Dense(64, activation="relu"),
        layers.BatchNormalization(),
        layers.Dropout(0.2),
        layers.Dense(32, activation="elu", use_bias=False),
        layers.Dense(1, activation="sigmoid"),
    ]
)

added = keras.Sequential()
added.add(keras.Input(shape=(32, 32, 3)))
added.add(layers.Conv2D(16, 5, activation="relu"))
added.add(layers.MaxPooling2D())
added.add(layers.Conv2D(32, 3, dilation_rate=2, activation="swish"))
added.add(layers.GlobalAveragePooling2D())
added.add(layers.Dense(10))
added.add(layers.Softmax())

with_lambda = keras.Sequential(
    [
        keras.Input(shape=(10,)),
        layers.Dense(8, activation="relu"),
        layers.Lambda(lambda t: t * 2),
        layers.Dense(2),
    ]
)
