"""A 3-D (volumetric) network: Conv3D, pooling, padding, cropping, upsampling, Conv3DTranspose, SpatialDropout3D."""
import keras
from keras import layers

volume = keras.Input(shape=(16, 17, 18, 2))
x = layers.Conv3D(4, 3, strides=(1, 2, 2), padding="same")(volume)
x = layers.ZeroPadding3D(padding=(1, 0, 2))(x)
x = layers.MaxPooling3D(pool_size=2)(x)
x = layers.Cropping3D(cropping=((1, 0), (0, 1), (1, 1)))(x)
x = layers.SpatialDropout3D(0.1)(x)
x = layers.Conv3DTranspose(4, 3, strides=2, padding="same")(x)
x = layers.AveragePooling3D(pool_size=(2, 2, 1), padding="same")(x)
x = layers.UpSampling3D(size=(1, 2, 1))(x)
x = layers.Conv3D(6, (1, 3, 3), dilation_rate=(1, 2, 1))(x)
a = layers.GlobalAveragePooling3D()(x)
b = layers.GlobalMaxPooling3D(keepdims=True)(x)
model = keras.Model(volume, [a, b])
