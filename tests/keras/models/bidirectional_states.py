"""Bidirectional with return_state (and merge_mode=None), Concatenate along time, Dot-free attention pooling."""
import keras
from keras import layers

inputs = keras.Input(shape=(15, 6))
outputs_and_states = layers.Bidirectional(layers.LSTM(8, return_sequences=True, return_state=True))(inputs)
sequence, forward_h, forward_c, backward_h, backward_c = outputs_and_states
forward, backward = layers.Bidirectional(layers.GRU(4, return_sequences=True), merge_mode=None)(sequence)
both = layers.Concatenate(axis=1)([forward, backward])
states = layers.Concatenate()([forward_h, backward_h, forward_c, backward_c])
pooled = layers.GlobalMaxPooling1D()(both)
model = keras.Model(inputs, [layers.Dense(2)(pooled), states])
