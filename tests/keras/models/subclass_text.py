"""A subclassed text classifier: Embedding, Bidirectional LSTM, Dense; built with input_shape=."""
from tensorflow import keras
from tensorflow.keras import layers

VOCAB = 8000


class SentimentModel(keras.Model):
    def __init__(self, units=32):
        super().__init__()
        self.embedding = layers.Embedding(VOCAB, 64)
        self.encoder = layers.Bidirectional(layers.LSTM(units))
        self.head = layers.Dense(1, activation="sigmoid")

    def call(self, tokens):
        return self.head(self.encoder(self.embedding(tokens)))


sentiment = SentimentModel()
sentiment.build(input_shape=(None, 60))
