"""Sequential with `input_shape=` on its first layer; activations as layers."""
from keras.layers import Activation, Dense, Dropout, ReLU, Softmax
from keras.models import Sequential

model = Sequential([
    Dense(64, input_shape=(20,)),
    Activation("relu"),
    Dropout(0.3),
    Dense(32, use_bias=False),
    ReLU(max_value=6.0),
    Dense(5),
    Softmax(),
])
