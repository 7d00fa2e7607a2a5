"""Messages about torchport itself rather than about the analysed code."""

from torchport.messages.catalogue import Message

MESSAGES = (
    Message(
        msgid="F7100",
        symbol="torchport-analysis-error",
        template="torchport could not analyse this module (%s); its torchport checks were skipped",
        description="torchport hit an internal error on this module and skipped its checks.",
        what="A module on which one of torchport's rule families failed with an internal error.",
        why=(
            "This is a bug in torchport, not in your code. torchport reports it instead of crashing "
            "pylint, and skips only the family that failed; please report the file that triggers it."
        ),
        bad="# any file on which torchport fails",
        good="# no change is needed in your code",
    ),
)
