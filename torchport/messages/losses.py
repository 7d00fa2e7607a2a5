"""Messages of the losses family."""

from torchport.messages.catalogue import Message

MESSAGES: tuple[Message, ...] = ()
