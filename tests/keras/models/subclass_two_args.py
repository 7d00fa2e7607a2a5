"""A subclassed model whose `call(self, query, context)` takes two tensors, with a layer shared by both;
built by a call on two keras.Input tensors."""
import keras
from keras import layers


class Scorer(keras.Model):
    def __init__(self):
        super().__init__()
        self.project = layers.Dense(8, activation="tanh")
        self.combine = layers.Multiply()
        self.score = layers.Dense(1)

    def call(self, query, context, training=False):
        return self.score(self.combine([self.project(query), self.project(context)]))


scorer = Scorer()
scorer(keras.Input(shape=(8,)), keras.Input(shape=(8,)))
