"""Encoder with return_state=True: the outputs unpacked and concatenated."""
import keras
from keras import layers

encoder_inputs = keras.Input(shape=(None, 12))
sequence, state_h, state_c = layers.LSTM(20, return_state=True, return_sequences=True)(encoder_inputs)
last, gru_state = layers.GRU(10, return_state=True)(sequence)
states = layers.Concatenate()([state_h, state_c, gru_state, last])
encoder = keras.Model(encoder_inputs, states)
