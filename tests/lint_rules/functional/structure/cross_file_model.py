"""Structure messages about classes whose Module base or layers come from another project file."""
# pylint: disable=too-few-public-methods
from torch import nn

import project_blocks as blocks
from project_blocks import ClampActivation, ProjectBase, ResidualBlock


class MissingSuper(ProjectBase):
    def __init__(self):  # [module-super-init-missing]
        self.head = nn.Linear(8, 2)


class EarlyAssign(blocks.ProjectBase):
    def __init__(self):
        self.block = ResidualBlock()  # [module-assigned-before-super-init]
        super().__init__()


class Stack(ProjectBase):
    def __init__(self, depth: int = 2):
        super().__init__()
        self.blocks = [ResidualBlock() for _ in range(depth)]  # [module-container-not-registered]
        self.activations = [ClampActivation(), ClampActivation()]

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        x = blocks.ResidualBlock()(x)  # [layer-built-in-forward]
        x = ClampActivation()(x)
        return self.norm.forward(x)  # [forward-called-directly]


# Correct: the same classes used the right way.


class GoodStack(ProjectBase):
    def __init__(self, depth: int = 2):
        super().__init__(width=8)
        self.blocks = nn.ModuleList(ResidualBlock() for _ in range(depth))
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


class InheritsInit(ResidualBlock):
    def forward(self, x):
        return super().forward(x) * 2
