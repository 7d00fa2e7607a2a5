"""Functional model with two inputs and two outputs, named layers, Concatenate."""
from keras import Input, Model, layers

title = Input(shape=(30,), name="title")
body = Input(shape=(100,), name="body")
tags = Input(shape=(12,), name="tags")

title_features = layers.Embedding(1000, 32)(title)
body_features = layers.Embedding(1000, 16)(body)
title_features = layers.LSTM(64)(title_features)
body_features = layers.LSTM(16)(body_features)
x = layers.Concatenate()([title_features, body_features, tags])
priority = layers.Dense(1, name="priority")(x)
department = layers.Dense(4, name="department")(x)

model = Model(inputs=[title, body, tags], outputs=[priority, department])
