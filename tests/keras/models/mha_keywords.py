"""MultiHeadAttention with output_shape and a key different from the value, called positionally."""
import keras
from keras import layers

query = keras.Input(shape=(6, 10))
key = keras.Input(shape=(9, 12))
value = keras.Input(shape=(9, 14))
attention = layers.MultiHeadAttention(num_heads=3, key_dim=5, output_shape=7)
model = keras.Model([query, key, value], attention(query, value, key))
