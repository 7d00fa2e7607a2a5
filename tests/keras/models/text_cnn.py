"""Text CNN: Embedding, Conv1D, pooling, GlobalMaxPooling1D, keepdims and Flatten."""
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import (AveragePooling1D, Conv1D, Dense, Embedding, Flatten, GlobalMaxPooling1D,
                                     MaxPooling1D)

VOCAB, MAXLEN, DIM = 20000, 200, 128


def build_text_cnn(vocab=VOCAB, maxlen=MAXLEN):
    tokens = Input(shape=(maxlen,), dtype="int64")
    x = Embedding(vocab, DIM)(tokens)
    x = Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
    x = MaxPooling1D(3)(x)
    x = AveragePooling1D(2)(x)
    x = Conv1D(64, 7, padding="valid", activation="relu", strides=3)(x)
    x = GlobalMaxPooling1D(keepdims=True)(x)
    x = Flatten()(x)
    return Model(tokens, Dense(1, activation="sigmoid", name="predictions")(x))
