"""Sequential whose first entry is an InputLayer, layer names given explicitly for some layers."""
import keras
from keras import layers

model = keras.Sequential([
    layers.InputLayer(shape=(64, 64, 1)),
    layers.Conv2D(8, 3, name="stem"),
    layers.MaxPooling2D(2),
    layers.Conv2D(8, 3),
    layers.GlobalAveragePooling2D(name="pool"),
    layers.Dense(2),
])
