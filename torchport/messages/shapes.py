"""Messages of the shapes family (73xx): tensor shapes that cannot fit, found by static inference."""

from torchport.messages.catalogue import Message

MESSAGES: tuple[Message, ...] = ()
