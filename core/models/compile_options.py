"""What the compile settings mean, in words a learner can use to choose between them."""

from __future__ import annotations

from core.models.spec import CompileSpec, ModelSpec
from core.number_text import readable_number


def suggested_loss(spec: ModelSpec, num_classes: int) -> str:
    """The loss the classic examples use for such a head: binary for one sigmoid unit, else categorical."""
    if num_classes == 2 and spec.output_units == 1:
        return "binary_crossentropy"
    return "categorical_crossentropy"


LOSS_EXPLANATIONS = {
    "categorical_crossentropy": "One output per class (softmax) against one-hot labels: the classic choice for "
                                "classifying into several classes.",
    "sparse_categorical_crossentropy": "The same loss, but the labels stay class numbers (3 rather than "
                                       "[0,0,0,1,…]): less memory for many classes, same training.",
    "binary_crossentropy": "One sigmoid output, the probability of the second class, against 0/1 labels: for two "
                           "classes such as positive and negative reviews.",
    "mean_squared_error": "The mean squared difference between outputs and one-hot labels: the loss of regression. It "
                          "works for classes but learns more slowly than cross-entropy, whose gradient stays large "
                          "when the model is confidently wrong.",
}
OPTIMIZER_EXPLANATIONS = {
    "sgd": "Stochastic gradient descent: one step down the gradient per batch; momentum keeps some of the last step.",
    "rmsprop": "Divides each step by a running average of recent gradient sizes: a steady default for MLPs and RNNs.",
    "adam": "Momentum plus RMSprop's scaling: the usual first choice.",
    "adamw": "Adam with weight decay applied directly to the weights: often better generalisation.",
    "adagrad": "Steps shrink for weights that have already moved a lot: suits sparse features such as words.",
}
DEFAULT_LEARNING_RATES = {"sgd": 0.01, "rmsprop": 0.001, "adam": 0.001, "adamw": 0.001, "adagrad": 0.001}
"""Keras's own defaults, shown when a spec keeps the optimizer's default learning rate."""


RETRY_FACTOR = 10
"""A run that diverged is retried with a learning rate ten times smaller: the usual first remedy (the advice in
`core.training.divergence` says "ten" in words)."""


def learning_rate_used(compile_spec: CompileSpec) -> float:
    """The learning rate the optimizer trains with: the spec's own, else Keras's default for that optimizer."""
    return compile_spec.learning_rate or DEFAULT_LEARNING_RATES[compile_spec.optimizer]


def smaller_learning_rate(compile_spec: CompileSpec) -> float:
    """The learning rate to retry a diverged run with: ten times smaller than the one it used."""
    return learning_rate_used(compile_spec) / RETRY_FACTOR


def compile_summary(compile_spec: CompileSpec) -> str:
    """'adam, learning rate 0.001 (its default)' and the like, for captions and the sidebar."""
    rate = readable_number(learning_rate_used(compile_spec))
    text = f"{compile_spec.optimizer}, learning rate {rate}" + (" (its default)" if compile_spec.learning_rate is None
                                                               else "")
    if compile_spec.optimizer == "sgd" and compile_spec.momentum:
        text += f", momentum {compile_spec.momentum:g}"
    return text
