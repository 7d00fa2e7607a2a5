"""The model zoo: realistic PyTorch models, correct and broken, that torch (the oracle) and torchport both read.

The model files are data, loaded by path (`tests/support/torch_oracle.py`), never imported as modules;
`manifest.py` lists them with their constructor arguments and input shapes.
"""
