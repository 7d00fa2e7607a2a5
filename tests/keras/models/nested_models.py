"""Models used as layers: a named Sequential encoder called in a Functional model, a Sequential block inside a
Sequential, a frozen Functional feature extractor."""
import keras
from keras import layers

encoder = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3), layers.Flatten()], name="encoder")
block = keras.Sequential([layers.Dense(32), layers.ReLU()])

features_in = keras.Input((16,))
features = keras.Model(features_in, layers.Dense(6)(layers.BatchNormalization()(features_in)))
features.trainable = False

image = keras.Input((28, 28, 1))
x = encoder(image)
x = keras.Sequential([keras.Input((5408,)), block, layers.Dense(16)])(x)
x = features(x)
model = keras.Model(image, layers.Dense(3)(x))
