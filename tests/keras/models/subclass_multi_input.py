"""A subclassed model of two inputs: `call(self, inputs)` unpacks a list; built by a call on two keras.Input."""
import keras
from keras import layers


class TwoTower(keras.Model):
    def __init__(self, width=16):
        super().__init__()
        self.text = layers.Dense(width, activation="relu")
        self.image = layers.Dense(width, activation="relu")
        self.merge = layers.Concatenate()
        self.head = layers.Dense(1)

    def call(self, inputs):
        text, image = inputs
        return self.head(self.merge([self.text(text), self.image(image)]))


towers = TwoTower()
towers([keras.Input(shape=(12,)), keras.Input(shape=(20,))])
