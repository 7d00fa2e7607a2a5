"""keras-argument: Keras argument names and padding modes on torch layers."""
import torch
import torch.nn as tnn
from torch import nn
from torch.nn import Conv1d, Linear as Dense

hidden = nn.Linear(784, 128, activation="relu")  # [keras-argument]
head = Dense(128, units=10)  # [keras-argument]
conv = nn.Conv2d(3, filters=32, kernel_size=3)  # [keras-argument]
strided = nn.Conv2d(3, 32, kernel_size=3, strides=2)  # [keras-argument]
embedding = nn.Embedding(input_dim=1000, output_dim=64)  # [keras-argument, keras-argument]
dropout = tnn.Dropout(rate=0.5)  # [keras-argument]
lstm = nn.LSTM(32, units=64, return_sequences=True)  # [keras-argument, keras-argument]
biasless = nn.Linear(4, 4, use_bias=False)  # [keras-argument]
initialised = nn.Linear(4, 4, kernel_initializer="he_normal")  # [keras-argument]
pool = nn.MaxPool2d(pool_size=2)  # [keras-argument]
norm = nn.BatchNorm2d(32, epsilon=1e-3)  # [keras-argument]

same_strided = nn.Conv2d(3, 32, 3, stride=2, padding="same")  # [keras-argument]
same_positional = nn.Conv2d(3, 32, 3, 2, "same")  # [keras-argument]
causal = Conv1d(16, 16, kernel_size=3, dilation=2, padding="causal")  # [keras-argument]
pool_same = nn.MaxPool2d(2, padding="same")  # [keras-argument]
upsample = nn.ConvTranspose2d(32, 16, 3, stride=2, padding="same")  # [keras-argument]


class KerasStyleBlock(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(in_features=64, out_features=64, activation=torch.relu)  # [keras-argument]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x)


# --- correct ---------------------------------------------------------------------------------------

same_unit_stride = nn.Conv2d(3, 32, kernel_size=3, padding="same")  # 'same' works with stride 1
valid = nn.Conv2d(3, 32, kernel_size=3, stride=2, padding="valid")
numeric = nn.Conv2d(3, 32, kernel_size=3, stride=2, padding=1)
transformer = nn.TransformerEncoderLayer(d_model=64, nhead=4, activation="gelu")  # torch has activation=
decoder = nn.TransformerDecoderLayer(64, 4, activation=torch.nn.functional.gelu)
identity = nn.Identity(units=3)  # Identity takes and ignores any argument
stride_unknown = nn.Conv2d(3, 32, 3, stride=torch.Size([2])[0], padding="same")
options = {"bias": False}
unpacked = nn.Linear(4, 4, **options)
torch_names = nn.Linear(in_features=4, out_features=8, bias=False)
leaky = nn.LeakyReLU(negative_slope=0.2)  # torch's own name, also Keras'
