"""Mobile-style image blocks: ZeroPadding2D, DepthwiseConv2D, SeparableConv2D, PReLU, Cropping2D, UpSampling2D."""
import keras
from keras import layers

inputs = keras.Input(shape=(30, 30, 3))
x = layers.ZeroPadding2D(padding=((1, 0), (2, 1)))(inputs)
x = layers.Conv2D(8, 3, strides=2)(x)
x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
x = layers.PReLU(shared_axes=[1, 2])(x)
x = layers.SeparableConv2D(12, 3, strides=2, padding="same", use_bias=False)(x)
x = layers.ELU()(x)
x = layers.UpSampling2D(size=(2, 3))(x)
x = layers.Cropping2D(cropping=((1, 1), (2, 0)))(x)
x = layers.ZeroPadding2D(2)(x)
x = layers.SpatialDropout2D(0.2)(x)
x = layers.PReLU()(x)
x = layers.GlobalAveragePooling2D()(x)
mobile = keras.Model(inputs, layers.Dense(3)(x))
