"""The kinds of difference `torchport compare` reports between a Keras model and its PyTorch port.

Each kind has a severity and two sentences: what the difference means, and what to change. An
"info" kind is a framework convention, not a porting mistake: a comparison with only info notes is
"equivalent up to conventions" (exit 0). Facts from ../shared/keras-to-pytorch.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Kind:
    name: str
    severity: Severity
    why: str  # what the difference does to the port
    change: str  # what to change, in the port unless said


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("missing-layer", "error",
         "the Keras model has this layer and the port has nothing in its place, so the port computes a "
         "different function",
         "add the layer to the port (built in __init__, called in forward)"),
    Kind("extra-layer", "error",
         "the port has a layer the Keras model does not have, so it computes a different function",
         "remove it from the port, or add it to the Keras model if it is meant"),
    Kind("different-units", "error",
         "the layer has a different width (units, filters, hidden size, embedding size or heads), so its "
         "output shape and parameter count differ",
         "give the torch layer the Keras value"),
    Kind("different-kernel", "error",
         "the window is a different size, so the layer sees different neighbourhoods and its output shape and "
         "parameter count differ",
         "set kernel_size to the Keras kernel_size / pool_size"),
    Kind("different-stride", "error",
         "the window moves by a different step, so the output size differs",
         "set stride to the Keras strides (pooling: Keras's strides default to pool_size, torch's to kernel_size)"),
    Kind("different-padding", "error",
         "the input is padded differently, so the output size differs at the borders",
         "Keras 'valid' is padding=0; Keras 'same' is padding='same' (stride 1) or padding=dilation*(kernel_size-1)//2 "
         "for an odd kernel"),
    Kind("different-dilation", "error",
         "the kernel taps are spaced differently, so the receptive field and the output size differ",
         "set dilation to the Keras dilation_rate"),
    Kind("different-bias", "error",
         "one side has a bias and the other not, so the parameter counts differ and the function can differ",
         "set bias= to the Keras use_bias"),
    Kind("different-activation", "error",
         "the non-linearity after this layer differs (Keras's activation= argument or activation layer versus "
         "the port's activation module or function call)",
         "apply the Keras activation after the torch layer in forward (nn.ReLU() or F.relu(...), ...)"),
    Kind("rnn-batch-first", "error",
         "Keras's recurrent layers read (batch, time, features); the port's RNN is time-major (batch_first=False) "
         "but receives a batch-major tensor, so it steps over the samples of the batch instead of the time steps",
         "pass batch_first=True where the RNN is built (or transpose its input to (time, batch, features))"),
    Kind("different-pooling", "error",
         "one side takes the maximum and the other the average",
         "use the torch pooling layer of the Keras kind (MaxPool / AvgPool)"),
    Kind("different-rate", "warning",
         "the dropout rate differs (Keras rate and torch p mean the same: the fraction dropped)",
         "set p to the Keras rate"),
    Kind("different-shape", "error",
         "the output shape differs once the layouts are translated, although the layer's arguments agree",
         "check the data flow before this layer in forward (a reshape, a permutation, a slice)"),
    Kind("different-params", "error",
         "the parameter count differs by more than the framework conventions explain",
         "compare the layer's arguments (groups, bias, affine, input size) with the Keras layer"),
    Kind("port-shape-error", "error",
         "torch raises here on the Keras input: the port does not run (torchport's shape check, as `torchport "
         "check` reports it)",
         "fix the size the message names (in_features, in_channels, num_features, a view)"),
    Kind("softmax-with-logits-loss", "error",
         "the port keeps the Keras softmax, but its loss (nn.CrossEntropyLoss) applies log_softmax itself and "
         "expects logits: training is slower and worse",
         "return logits from forward (drop the softmax) and apply softmax only at inference"),
    Kind("sigmoid-with-logits-loss", "error",
         "the port keeps the Keras sigmoid, but its loss (nn.BCEWithLogitsLoss) applies sigmoid itself and "
         "expects logits",
         "return logits from forward (drop the sigmoid) and apply sigmoid only at inference"),
    Kind("batchnorm-momentum-copied", "warning",
         "Keras's momentum is the weight of the running average, torch's the weight of each new batch "
         "(torch = 1 - Keras): the copied value makes the running statistics follow the last batch",
         "write momentum=1 - the Keras momentum"),
    Kind("batchnorm-momentum", "info",
         "the running statistics are averaged at a different rate (torch momentum = 1 - Keras momentum)",
         "write momentum=1 - the Keras momentum to match Keras exactly"),
    Kind("batchnorm-eps", "info",
         "the epsilon added to the variance differs (Keras's default is 1e-3, torch's 1e-5)",
         "write eps= the Keras epsilon to match Keras exactly"),
    Kind("log-softmax-output", "info",
         "the Keras model ends in softmax and the port in log_softmax: the usual port for nn.NLLLoss "
         "(log_softmax followed by NLLLoss is cross-entropy)",
         "nothing for training; take .exp() of the output where probabilities are needed"),
    Kind("params-convention", "info",
         "the parameter counts differ only by a framework convention",
         "nothing: the layers are equivalent"),
    Kind("logits-output", "info",
         "the Keras model ends in its activation and the port returns logits: the usual port when the loss applies "
         "it (nn.CrossEntropyLoss for softmax, nn.BCEWithLogitsLoss for sigmoid)",
         "nothing for training; apply the activation at inference where probabilities are needed"),
)}

# Conventions that explain a parameter-count difference, by the compared layer's kind.
CONVENTION_TEXTS: dict[str, str] = {
    "batchnorm": "Keras counts the moving mean and variance (2 per channel) as non-trainable params; torch keeps "
                 "them as buffers",
    "lstm": "torch's LSTM has two bias vectors (b_ih, b_hh), Keras's one: 4·units more per direction",
    "gru": "torch's GRU has two bias vectors; Keras's GRU with reset_after=False has one: 3·units more per direction",
    "rnn": "torch's RNN has two bias vectors (b_ih, b_hh), Keras's SimpleRNN one: units more per direction",
}


def is_difference(kind: str) -> bool:
    """Whether a kind makes the models differ (exit 1), not only a convention note."""
    return KINDS[kind].severity != "info"
