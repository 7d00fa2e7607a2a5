"""Functional ResNet-style network built by a helper function called several times."""
import keras
from keras import layers


def residual_block(x, filters, stride=1):
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    if stride != 1:
        shortcut = layers.Conv2D(filters, 1, strides=stride)(x)
    y = layers.Add()([y, shortcut])
    return layers.ReLU()(y)


def build_resnet(input_shape=(32, 32, 3), num_classes=10):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(16, 3, padding="same")(inputs)
    for filters, stride in [(16, 1), (32, 2), (64, 2)]:
        x = residual_block(x, filters, stride)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(num_classes)(x), name="resnet")
