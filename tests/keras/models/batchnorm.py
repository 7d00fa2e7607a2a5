"""BatchNormalization (4·C params, 2·C non-trainable), center/scale off, a frozen layer."""
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    layers.Input(shape=(32, 32, 3)),
    layers.Conv2D(16, 3, padding="same", use_bias=False),
    layers.BatchNormalization(momentum=0.9),
    layers.Activation("relu"),
    layers.Conv2D(32, 3, trainable=False),
    layers.BatchNormalization(center=False),
    layers.ReLU(),
    layers.GlobalAveragePooling2D(),
    layers.LayerNormalization(scale=False),
    layers.Dense(10),
])
