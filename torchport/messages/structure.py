"""Messages of the structure family."""

from torchport.messages.catalogue import Message

MESSAGES: tuple[Message, ...] = ()
