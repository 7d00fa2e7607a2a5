"""Messages of the Keras-conventions family (74xx): Keras habits copied into PyTorch code."""

from torchport.messages.catalogue import Message

MESSAGES: tuple[Message, ...] = ()
