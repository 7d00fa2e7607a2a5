"""Keras runs on the torch backend in these tests (no tensorflow is needed): set before any import of keras."""

import os

os.environ["KERAS_BACKEND"] = "torch"
