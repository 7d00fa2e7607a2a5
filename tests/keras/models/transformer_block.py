"""A transformer encoder block: MultiHeadAttention (self- and cross-attention), LayerNormalization, Add."""
import keras
from keras import layers

EMBED, HEADS, FF = 32, 4, 64

tokens = keras.Input(shape=(20, EMBED))
memory = keras.Input(shape=(30, 24))
attention = layers.MultiHeadAttention(num_heads=HEADS, key_dim=EMBED // HEADS)(tokens, tokens)
x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([tokens, attention]))
cross = layers.MultiHeadAttention(2, 16, value_dim=8, use_bias=False)(query=x, value=memory, key=memory)
x = layers.LayerNormalization()(layers.Add()([x, cross]))
ff = layers.Dense(FF, activation="relu")(x)
ff = layers.Dense(EMBED)(ff)
x = layers.Add()([x, ff])
x = layers.GlobalAveragePooling1D()(x)
block = keras.Model(inputs=[tokens, memory], outputs=layers.Dense(2)(x))
