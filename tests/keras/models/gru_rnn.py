"""GRU (reset_after default and False) and SimpleRNN on a time series."""
from keras import Sequential
from keras.layers import GRU, Dense, Input, SimpleRNN

model = Sequential()
model.add(Input(shape=(50, 8)))
model.add(GRU(32, return_sequences=True))
model.add(GRU(24, return_sequences=True, reset_after=False))
model.add(SimpleRNN(16, return_sequences=True))
model.add(SimpleRNN(8, use_bias=False))
model.add(Dense(1))
