"""Reading Keras models from source (never importing them), and comparing them with their PyTorch ports."""
