"""The shape interpreter's running state: frames of variables, path outcomes and the work budget."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from astroid import nodes

from torchport.advisor.dims import UNKNOWN


class OutOfBudget(Exception):
    """The analysis did too much work: its result is unknown."""


@dataclass
class Budget:
    """Evaluation steps for the whole analysis (it stops when they run out) and nested calls (a call too
    deep gives UNKNOWN)."""

    max_steps: int = 200_000
    max_depth: int = 40
    steps: int = 0
    depth: int = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise OutOfBudget(f"more than {self.max_steps} evaluation steps")


class Outcome(enum.Enum):
    """How a block of statements ended on the path followed."""

    NORMAL = "normal"
    RETURN = "return"
    RAISE = "raise"
    BREAK = "break"
    CONTINUE = "continue"


TERMINAL = (Outcome.RETURN, Outcome.RAISE)


@dataclass(eq=False, slots=True)  # slots: one is made per call, and its fields are read at every name
class Frame:
    """The variables of one function call (or module / class body being evaluated for a constant)."""

    scope: nodes.NodeNG  # the FunctionDef, Lambda, Module or ClassDef whose names these are
    locals: dict[str, Any] = field(default_factory=dict)
    parent: Frame | None = None  # the enclosing function's frame, for closures and comprehensions
    returns: list[Any] = field(default_factory=list)
    owner: nodes.ClassDef | None = None  # the class a method is defined in, for `super()`

    def find(self, name: str) -> tuple[bool, Any]:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.locals:
                return True, frame.locals[name]
            frame = frame.parent
        return False, UNKNOWN
