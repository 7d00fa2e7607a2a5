"""Transfer-learning habits: a layer frozen after construction, one frozen by argument, BatchNormalization frozen."""
import keras
from keras import layers

features = layers.Conv2D(16, 3, padding="same")
features.trainable = False
norm = layers.BatchNormalization()
norm.trainable = False

inputs = keras.Input(shape=(24, 24, 3))
x = norm(features(inputs))
x = layers.Conv2D(8, 3, trainable=False)(x)
x = layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, layers.Dense(4)(x))
