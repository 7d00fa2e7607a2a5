"""Sequential() + .add(...) through `import tensorflow as tf`; 1-D convolutions."""
import tensorflow as tf

model = tf.keras.Sequential()
model.add(tf.keras.Input(shape=(128, 3)))
model.add(tf.keras.layers.Conv1D(16, 5, activation="relu"))
model.add(tf.keras.layers.MaxPooling1D())
model.add(tf.keras.layers.Conv1D(32, 3, strides=2, padding="same"))
model.add(tf.keras.layers.AveragePooling1D(pool_size=3, strides=2, padding="same"))
model.add(tf.keras.layers.Conv1D(32, 3, dilation_rate=2, padding="causal"))
model.add(tf.keras.layers.GlobalAveragePooling1D())
model.add(tf.keras.layers.Dense(6, activation="softmax"))
