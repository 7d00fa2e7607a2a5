"""What each public `torch.nn` layer holds: the table the rules (and the shape catalogue) read.

`LAYERS` maps every public `nn.Module` subclass of `torch.nn` (torch 2.13), by canonical name, to its
kind and, where one exists, the function that computes the same thing without a Module. Statefulness
of a construction in the analysed code (`construction_kind`) and of the project's own Module classes
(`class_kind`) is derived from it, by reading syntax trees only. tests/analysis/test_layers.py checks
the table against real torch.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import NamedTuple

from astroid import nodes

from torchport.analysis.budget import tick
from torchport.analysis.memo import per_query
from torchport.analysis.model import find_method, is_self, reachable_methods
from torchport.analysis.modules import is_module_class, is_torch_module_name, project_class
from torchport.analysis.names import call_name, qualified_name
from torchport.analysis.node_index import descendants


class LayerKind(Enum):
    PARAMETRIC = "parametric"  # owns parameters or buffers (Linear, Conv2d, BatchNorm2d, LSTM, Lazy*...)
    TRAIN_DEPENDENT = "train-dependent"  # no state, but behaves differently after eval() (Dropout, RReLU)
    STATELESS = "stateless"  # a pure function of its input (ReLU, MaxPool2d, Flatten, Upsample...)
    LOSS = "loss"  # a criterion without state: a function of (input, target)
    CONTAINER = "container"  # holds other modules or parameters; its state is theirs

    @property
    def is_stateful(self) -> bool:
        """Whether a fresh instance differs from a trained, registered one."""
        return self in (LayerKind.PARAMETRIC, LayerKind.TRAIN_DEPENDENT)


class Layer(NamedTuple):
    kind: LayerKind
    functional: str | None = None  # canonical name of the Module-free equivalent


class Switch(NamedTuple):
    """A constructor argument that decides whether a layer holds state (`affine=`, ...)."""

    keyword: str
    position: int  # index among the positional arguments, self excluded
    default: bool


_F = "torch.nn.functional."
_P, _T, _S, _L, _C = (LayerKind.PARAMETRIC, LayerKind.TRAIN_DEPENDENT, LayerKind.STATELESS,
                      LayerKind.LOSS, LayerKind.CONTAINER)


def _dims(layer: str, kind: LayerKind, functional: str | None = None) -> dict[str, Layer]:
    """The 1d/2d/3d variants of a layer: `{}` in the names stands for the dimension."""
    return {
        f"torch.nn.{layer.format(n)}": Layer(kind, functional.format(n) if functional else None)
        for n in (1, 2, 3)
    }


LAYERS: dict[str, Layer] = {
    # Parameters or buffers.
    "torch.nn.Linear": Layer(_P),
    "torch.nn.LazyLinear": Layer(_P),
    "torch.nn.Bilinear": Layer(_P),
    **_dims("Conv{}d", _P),
    **_dims("ConvTranspose{}d", _P),
    **_dims("LazyConv{}d", _P),
    **_dims("LazyConvTranspose{}d", _P),
    **_dims("BatchNorm{}d", _P, _F + "batch_norm"),
    **_dims("LazyBatchNorm{}d", _P, _F + "batch_norm"),
    "torch.nn.SyncBatchNorm": Layer(_P, _F + "batch_norm"),
    **_dims("LazyInstanceNorm{}d", _P, _F + "instance_norm"),
    "torch.nn.LayerNorm": Layer(_P, _F + "layer_norm"),
    "torch.nn.GroupNorm": Layer(_P, _F + "group_norm"),
    "torch.nn.RMSNorm": Layer(_P, _F + "rms_norm"),
    "torch.nn.Embedding": Layer(_P),
    "torch.nn.EmbeddingBag": Layer(_P),
    "torch.nn.RNNBase": Layer(_P),
    "torch.nn.RNN": Layer(_P),
    "torch.nn.LSTM": Layer(_P),
    "torch.nn.GRU": Layer(_P),
    "torch.nn.RNNCellBase": Layer(_P),
    "torch.nn.RNNCell": Layer(_P),
    "torch.nn.LSTMCell": Layer(_P),
    "torch.nn.GRUCell": Layer(_P),
    "torch.nn.MultiheadAttention": Layer(_P),
    "torch.nn.Transformer": Layer(_P),
    "torch.nn.TransformerEncoder": Layer(_P),
    "torch.nn.TransformerDecoder": Layer(_P),
    "torch.nn.TransformerEncoderLayer": Layer(_P),
    "torch.nn.TransformerDecoderLayer": Layer(_P),
    "torch.nn.PReLU": Layer(_P),
    "torch.nn.AdaptiveLogSoftmaxWithLoss": Layer(_P),
    "torch.nn.LinearCrossEntropyLoss": Layer(_P),
    # No state, but train()/eval() changes what they compute.
    "torch.nn.Dropout": Layer(_T, _F + "dropout"),
    **_dims("Dropout{}d", _T, _F + "dropout{}d"),
    "torch.nn.AlphaDropout": Layer(_T, _F + "alpha_dropout"),
    "torch.nn.FeatureAlphaDropout": Layer(_T, _F + "feature_alpha_dropout"),
    "torch.nn.RReLU": Layer(_T, _F + "rrelu"),
    # Pure functions of their input.
    **_dims("InstanceNorm{}d", _S, _F + "instance_norm"),
    "torch.nn.LocalResponseNorm": Layer(_S, _F + "local_response_norm"),
    "torch.nn.CrossMapLRN2d": Layer(_S),
    "torch.nn.ReLU": Layer(_S, _F + "relu"),
    "torch.nn.ReLU6": Layer(_S, _F + "relu6"),
    "torch.nn.LeakyReLU": Layer(_S, _F + "leaky_relu"),
    "torch.nn.ELU": Layer(_S, _F + "elu"),
    "torch.nn.CELU": Layer(_S, _F + "celu"),
    "torch.nn.SELU": Layer(_S, _F + "selu"),
    "torch.nn.GELU": Layer(_S, _F + "gelu"),
    "torch.nn.GLU": Layer(_S, _F + "glu"),
    "torch.nn.SiLU": Layer(_S, _F + "silu"),
    "torch.nn.Mish": Layer(_S, _F + "mish"),
    "torch.nn.Sigmoid": Layer(_S, "torch.sigmoid"),
    "torch.nn.LogSigmoid": Layer(_S, _F + "logsigmoid"),
    "torch.nn.Hardsigmoid": Layer(_S, _F + "hardsigmoid"),
    "torch.nn.Hardswish": Layer(_S, _F + "hardswish"),
    "torch.nn.Hardtanh": Layer(_S, _F + "hardtanh"),
    "torch.nn.Hardshrink": Layer(_S, _F + "hardshrink"),
    "torch.nn.Softshrink": Layer(_S, _F + "softshrink"),
    "torch.nn.Tanh": Layer(_S, "torch.tanh"),
    "torch.nn.Tanhshrink": Layer(_S, _F + "tanhshrink"),
    "torch.nn.Threshold": Layer(_S, _F + "threshold"),
    "torch.nn.Softplus": Layer(_S, _F + "softplus"),
    "torch.nn.Softsign": Layer(_S, _F + "softsign"),
    "torch.nn.Softmax": Layer(_S, _F + "softmax"),
    "torch.nn.Softmax2d": Layer(_S, _F + "softmax"),
    "torch.nn.Softmin": Layer(_S, _F + "softmin"),
    "torch.nn.LogSoftmax": Layer(_S, _F + "log_softmax"),
    **_dims("MaxPool{}d", _S, _F + "max_pool{}d"),
    **_dims("AvgPool{}d", _S, _F + "avg_pool{}d"),
    **_dims("LPPool{}d", _S, _F + "lp_pool{}d"),
    **_dims("AdaptiveMaxPool{}d", _S, _F + "adaptive_max_pool{}d"),
    **_dims("AdaptiveAvgPool{}d", _S, _F + "adaptive_avg_pool{}d"),
    **_dims("MaxUnpool{}d", _S, _F + "max_unpool{}d"),
    "torch.nn.FractionalMaxPool2d": Layer(_S, _F + "fractional_max_pool2d"),
    "torch.nn.FractionalMaxPool3d": Layer(_S, _F + "fractional_max_pool3d"),
    **_dims("ZeroPad{}d", _S, _F + "pad"),
    **_dims("ConstantPad{}d", _S, _F + "pad"),
    **_dims("ReflectionPad{}d", _S, _F + "pad"),
    **_dims("ReplicationPad{}d", _S, _F + "pad"),
    **_dims("CircularPad{}d", _S, _F + "pad"),
    "torch.nn.Flatten": Layer(_S, "torch.flatten"),
    "torch.nn.Unflatten": Layer(_S, "torch.unflatten"),
    "torch.nn.Fold": Layer(_S, _F + "fold"),
    "torch.nn.Unfold": Layer(_S, _F + "unfold"),
    "torch.nn.PixelShuffle": Layer(_S, _F + "pixel_shuffle"),
    "torch.nn.PixelUnshuffle": Layer(_S, _F + "pixel_unshuffle"),
    "torch.nn.ChannelShuffle": Layer(_S, _F + "channel_shuffle"),
    "torch.nn.Upsample": Layer(_S, _F + "interpolate"),
    "torch.nn.UpsamplingNearest2d": Layer(_S, _F + "interpolate"),
    "torch.nn.UpsamplingBilinear2d": Layer(_S, _F + "interpolate"),
    "torch.nn.CosineSimilarity": Layer(_S, _F + "cosine_similarity"),
    "torch.nn.PairwiseDistance": Layer(_S, _F + "pairwise_distance"),
    "torch.nn.Identity": Layer(_S),
    # Criteria.
    "torch.nn.L1Loss": Layer(_L, _F + "l1_loss"),
    "torch.nn.MSELoss": Layer(_L, _F + "mse_loss"),
    "torch.nn.CrossEntropyLoss": Layer(_L, _F + "cross_entropy"),
    "torch.nn.NLLLoss": Layer(_L, _F + "nll_loss"),
    "torch.nn.NLLLoss2d": Layer(_L, _F + "nll_loss"),
    "torch.nn.BCELoss": Layer(_L, _F + "binary_cross_entropy"),
    "torch.nn.BCEWithLogitsLoss": Layer(_L, _F + "binary_cross_entropy_with_logits"),
    "torch.nn.KLDivLoss": Layer(_L, _F + "kl_div"),
    "torch.nn.HuberLoss": Layer(_L, _F + "huber_loss"),
    "torch.nn.SmoothL1Loss": Layer(_L, _F + "smooth_l1_loss"),
    "torch.nn.SoftMarginLoss": Layer(_L, _F + "soft_margin_loss"),
    "torch.nn.CTCLoss": Layer(_L, _F + "ctc_loss"),
    "torch.nn.PoissonNLLLoss": Layer(_L, _F + "poisson_nll_loss"),
    "torch.nn.GaussianNLLLoss": Layer(_L, _F + "gaussian_nll_loss"),
    "torch.nn.CosineEmbeddingLoss": Layer(_L, _F + "cosine_embedding_loss"),
    "torch.nn.HingeEmbeddingLoss": Layer(_L, _F + "hinge_embedding_loss"),
    "torch.nn.MarginRankingLoss": Layer(_L, _F + "margin_ranking_loss"),
    "torch.nn.MultiMarginLoss": Layer(_L, _F + "multi_margin_loss"),
    "torch.nn.MultiLabelMarginLoss": Layer(_L, _F + "multilabel_margin_loss"),
    "torch.nn.MultiLabelSoftMarginLoss": Layer(_L, _F + "multilabel_soft_margin_loss"),
    "torch.nn.TripletMarginLoss": Layer(_L, _F + "triplet_margin_loss"),
    "torch.nn.TripletMarginWithDistanceLoss": Layer(_L, _F + "triplet_margin_with_distance_loss"),
    # Holders of other modules or parameters.
    "torch.nn.Module": Layer(_C),
    "torch.nn.Container": Layer(_C),
    "torch.nn.Sequential": Layer(_C),
    "torch.nn.ModuleList": Layer(_C),
    "torch.nn.ModuleDict": Layer(_C),
    "torch.nn.ParameterList": Layer(_C),
    "torch.nn.ParameterDict": Layer(_C),
    "torch.nn.DataParallel": Layer(_C),
}

_NORM_SWITCHES = (Switch("affine", 3, True), Switch("track_running_stats", 4, True))
_LAZY_NORM_SWITCHES = (Switch("affine", 2, True), Switch("track_running_stats", 3, True))

# Layers whose state depends on constructor flags: they hold state exactly when one switch is true.
# `LAYERS` gives their kind with default arguments; with every switch false they are stateless.
STATE_SWITCHES: dict[str, tuple[Switch, ...]] = {
    **{name: _NORM_SWITCHES for name in _dims("BatchNorm{}d", _P)},
    "torch.nn.SyncBatchNorm": _NORM_SWITCHES,
    **{name: _LAZY_NORM_SWITCHES for name in _dims("LazyBatchNorm{}d", _P)},
    **{name: _LAZY_NORM_SWITCHES for name in _dims("LazyInstanceNorm{}d", _P)},
    **{name: (Switch("affine", 3, False), Switch("track_running_stats", 4, False))
       for name in _dims("InstanceNorm{}d", _S)},
    "torch.nn.LayerNorm": (Switch("elementwise_affine", 2, True),),
    "torch.nn.GroupNorm": (Switch("affine", 3, True),),
    "torch.nn.RMSNorm": (Switch("elementwise_affine", 2, True),),
}

# Calls that give the module they are made in parameters or buffers.
_STATE_CONSTRUCTORS = frozenset({"torch.nn.Parameter", "torch.nn.Buffer", "torch.nn.UninitializedParameter",
                                 "torch.nn.UninitializedBuffer"})
_STATE_REGISTRATIONS = frozenset({"register_buffer", "register_parameter"})


def layer_kind(qname: str | None, switches: Mapping[str, bool] | None = None) -> LayerKind | None:
    """The kind of the torch layer `qname`, None when it is not a public torch.nn layer.

    `switches` gives the values of its state switches (see `STATE_SWITCHES`) where they are known;
    a layer whose switches are all false holds no state.
    """
    if qname is None or qname not in LAYERS:
        return None
    known = STATE_SWITCHES.get(qname, ())
    if not known:
        return LAYERS[qname].kind
    values = switches or {}
    if any(values.get(s.keyword, s.default) for s in known):
        return _P
    return _S


def functional_equivalent(qname: str | None) -> str | None:
    """Canonical name of the function that does what the layer does without a Module (`torch.nn.ReLU`
    -> `torch.nn.functional.relu`), None when there is none or `qname` is not a torch layer."""
    layer = LAYERS.get(qname) if qname else None
    return layer.functional if layer else None


def construction_kind(call: nodes.Call) -> LayerKind | None:
    """The kind of the Module a call builds: a torch layer (its switch arguments read when they are
    constants) or a project Module class (see `class_kind`). None when unknown or not a layer."""
    name = call_name(call)
    if name is None:
        return None
    if name in LAYERS:
        switches = _switch_values(call, STATE_SWITCHES.get(name, ()))
        return None if switches is None else layer_kind(name, switches)
    cls = project_class(name, call)
    return class_kind(cls) if cls is not None and is_module_class(cls) else None


def _switch_values(call: nodes.Call, switches: tuple[Switch, ...]) -> dict[str, bool] | None:
    """Constant values of the switches given in a call; None when one is given but not a constant."""
    values: dict[str, bool] = {}
    if any(isinstance(arg, nodes.Starred) for arg in call.args) or any(k.arg is None for k in call.keywords or ()):
        return None if switches else values
    for switch in switches:
        given = [k.value for k in call.keywords or () if k.arg == switch.keyword]
        if len(call.args) > switch.position:
            given.append(call.args[switch.position])
        if not given:
            continue
        if not isinstance(given[0], nodes.Const):
            return None
        values[switch.keyword] = bool(given[0].value)
    return values


_class_cache: weakref.WeakKeyDictionary[nodes.ClassDef, LayerKind | None] = weakref.WeakKeyDictionary()


def class_kind(cls: nodes.ClassDef) -> LayerKind | None:
    """PARAMETRIC or TRAIN_DEPENDENT for a project Module class that holds such state: one whose
    `__init__` (or a project base's, or a helper they call) builds a stateful layer, an `nn.Parameter`
    or a buffer, or that derives from a stateful torch layer. None when no state is found."""
    if cls not in _class_cache:
        _class_cache[cls] = None  # provisional: breaks cycles between classes that build each other
        try:
            _class_cache[cls] = _class_kind(cls)
        except BaseException:  # a time budget ran out: the provisional answer must not outlive it
            del _class_cache[cls]
            raise
    return _class_cache[cls]


def _class_kind(cls: nodes.ClassDef) -> LayerKind | None:
    found: set[LayerKind] = set()
    for base in cls.bases:
        name = qualified_name(base)
        kind = layer_kind(name)
        if kind is None and name is not None:
            base_cls = project_class(name, base)
            kind = class_kind(base_cls) if base_cls is not None and base_cls is not cls else None
        if kind is not None and kind.is_stateful:
            found.add(kind)
    if find_method(cls, "__init__") is not None:
        for method in reachable_methods(cls, "__init__"):
            found.update(_state_built_in(method))
    if _P in found:
        return _P
    return _T if _T in found else None


def _state_built_in(method: nodes.FunctionDef) -> Iterator[LayerKind]:
    for call in descendants(method, nodes.Call):
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname in _STATE_REGISTRATIONS and is_self(func.expr, method):
            yield _P
            continue
        if call_name(call) in _STATE_CONSTRUCTORS:
            yield _P
            continue
        kind = construction_kind(call)
        if kind is not None and kind.is_stateful:
            yield kind


# --- what an expression of the analysed code holds ------------------------------------------------

# Module methods that return the module itself (`model = Net().to(device)`).
_SELF_RETURNING = frozenset({"to", "cuda", "cpu", "eval", "train", "float", "double", "half", "bfloat16",
                             "requires_grad_", "to_empty", "share_memory", "apply"})
_MAX_ALIAS_DEPTH = 8


def local_values(name: nodes.Name) -> list[nodes.NodeNG] | None:
    """The values a name may hold where it is read: the right-hand sides of its plain assignments in
    the enclosing scope. Augmented assignments (`x += ...`) are passed over: on the lists and modules
    this serves they keep the value's type. None when a binding is anything else (a parameter, a loop
    target, an import)."""
    tick()
    try:
        _, bindings = name.lookup(name.name)
    except Exception:  # astroid lookup on malformed trees: the value is simply unknown
        return None
    values = []
    for binding in bindings:
        parent = binding.parent
        if isinstance(parent, nodes.Assign) and binding in parent.targets:
            values.append(parent.value)
        elif isinstance(parent, nodes.AnnAssign) and parent.value is not None and binding is parent.target:
            values.append(parent.value)
        elif not isinstance(parent, nodes.AugAssign):
            return None
    return values or None


@per_query
def is_module_value(expr: nodes.NodeNG, depth: int = 0) -> bool:
    """Whether an expression certainly evaluates to a Module: a torch layer or project Module class
    built there, the same through a local name, `.to(...)`-style chains, or a parameter annotated
    with a Module class."""
    if depth > _MAX_ALIAS_DEPTH:
        return False
    if isinstance(expr, nodes.Call):
        func = expr.func
        if isinstance(func, nodes.Attribute) and func.attrname in _SELF_RETURNING:
            return is_module_value(func.expr, depth + 1)
        return is_module_class_name(call_name(expr), expr)
    if isinstance(expr, nodes.Name):
        annotation = parameter_annotation(expr)
        if annotation is not None:
            return is_module_class_name(qualified_name(annotation), annotation)
        values = local_values(expr)
        return values is not None and all(is_module_value(v, depth + 1) for v in values)
    return False


def is_module_class_name(qname: str | None, context: nodes.NodeNG) -> bool:
    """Whether a canonical name denotes a torch Module class or a Module class of the project."""
    if qname is None:
        return False
    if qname in LAYERS or is_torch_module_name(qname):
        return True
    cls = project_class(qname, context)
    return cls is not None and is_module_class(cls)


@per_query
def is_stateful_value(expr: nodes.NodeNG, depth: int = 0) -> bool:
    """Whether an expression builds a layer with state (parameters, buffers, train/eval behaviour),
    directly, inside a container it builds, or through a local name."""
    if depth > _MAX_ALIAS_DEPTH:
        return False
    if isinstance(expr, nodes.Call):
        kind = construction_kind(expr)
        if kind is LayerKind.CONTAINER:
            arguments = list(expr.args) + [k.value for k in expr.keywords or ()]
            return any(is_stateful_value(a, depth + 1) for a in arguments)
        return kind is not None and kind.is_stateful
    if isinstance(expr, nodes.Starred):
        return is_stateful_value(expr.value, depth + 1)
    if isinstance(expr, (nodes.List, nodes.Tuple, nodes.Set)):
        return any(is_stateful_value(e, depth + 1) for e in expr.elts)
    if isinstance(expr, (nodes.ListComp, nodes.SetComp, nodes.GeneratorExp)):
        return is_stateful_value(expr.elt, depth + 1)
    if isinstance(expr, nodes.IfExp):
        return is_stateful_value(expr.body, depth + 1) or is_stateful_value(expr.orelse, depth + 1)
    if isinstance(expr, nodes.Name):
        return any(is_stateful_value(v, depth + 1) for v in local_values(expr) or ())
    return False


def parameter_annotation(name: nodes.Name) -> nodes.NodeNG | None:
    """The annotation of the function parameter a name reads, if it reads an annotated parameter."""
    try:
        _, bindings = name.lookup(name.name)
    except Exception:  # see local_values
        return None
    if len(bindings) != 1 or not isinstance(bindings[0].parent, nodes.Arguments):
        return None
    arguments = bindings[0].parent
    for params, annotations in ((arguments.posonlyargs, arguments.posonlyargs_annotations),
                                (arguments.args, arguments.annotations),
                                (arguments.kwonlyargs, arguments.kwonlyargs_annotations)):
        for param, annotation in zip(params, annotations):
            if param is bindings[0]:
                return annotation
    return None
