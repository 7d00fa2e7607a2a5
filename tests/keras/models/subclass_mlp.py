"""A keras.Model subclass: layers in __init__, data flow in call; built on an instance."""
import keras
from keras import layers


class Classifier(keras.Model):
    def __init__(self, hidden=128, num_classes=10):
        super().__init__()
        self.dense1 = layers.Dense(hidden, activation="relu")
        self.dropout = layers.Dropout(0.1)
        self.norm = layers.BatchNormalization()
        self.dense2 = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        x = self.dropout(x, training=training)
        x = self.norm(x, training=training)
        return self.dense2(x)


classifier = Classifier(num_classes=3)
classifier.build((None, 40))
