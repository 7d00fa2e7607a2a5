"""Messages about torchport itself rather than about the analysed code."""

from torchport.analysis import budget
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
    Message(
        msgid="I7199",
        symbol="torchport-budget-exceeded",
        template=(
            "torchport stopped its %s checks on this module after their time budget of %s s of CPU time: "
            "their findings here are unknown; set TORCHPORT_TIME_BUDGET=SECONDS (or off) to let them finish"
        ),
        description=(
            "A torchport rule family used up its time budget on this module and was stopped; its findings are unknown."
        ),
        what=(
            f"A module on which one of torchport's rule families ran longer than its time budget: "
            f"{budget.DEFAULT_SECONDS:g} seconds of CPU time per module and family unless the environment "
            f"variable `{budget.VARIABLE}` says otherwise (a number of seconds, or `off`)."
        ),
        why=(
            "torchport bounds its time on every file so that a pathological one (generated code, thousands "
            "of re-bound names, deeply nested expressions) cannot hang pylint or `torchport check`. The "
            "family that ran out reports nothing else on the module, rather than partial results: its "
            "findings there are unknown, and the other families are unaffected. Ordinary files need "
            "milliseconds; please report a hand-written file that needs more."
        ),
        bad="# a generated module that takes torchport's checks longer than their budget",
        good="# TORCHPORT_TIME_BUDGET=60 pylint --load-plugins=torchport.lint_rules generated_models.py",
    ),
)
