"""The Learn page's course: the classic first steps in deep learning, one short lesson each, with a question.

Each lesson says a few plain sentences, asks one question whose answer the learner can work out (or read off the
lesson's figure), explains the answer kindly whether it was right or not, and names the preset that "Try it" loads,
so every idea ends in a model the learner can train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from core.learn import backprop, lesson_math

ANSWER_SLACK = 1e-9
"""Added to every tolerance, so that 0.3 counts as 0.1 + 0.2 does in floating point."""


@dataclass(frozen=True, kw_only=True)
class Question:
    """A question with one right answer: a number (right within `tolerance`) or one of `choices`.

    `why` explains the answer; it is shown after any answer, right or wrong, because a learner who guessed right
    deserves the reason as much as one who did not.
    """

    prompt: str
    kind: Literal["number", "choice"]
    choices: tuple[str, ...] = ()
    answer: float | str
    tolerance: float = 0.0
    why: str

    def __post_init__(self) -> None:
        if self.kind not in ("number", "choice"):
            raise ValueError(f"a question's kind is 'number' or 'choice', got {self.kind!r}.")
        if self.kind == "choice" and self.answer not in self.choices:
            raise ValueError(f"the answer {self.answer!r} must be one of the choices {self.choices}.")
        if self.kind == "number" and (self.choices or isinstance(self.answer, str) or self.tolerance < 0):
            raise ValueError("a number question has no choices, a number for its answer and a tolerance of 0 or "
                             f"more; got choices {self.choices}, answer {self.answer!r}, tolerance {self.tolerance}.")


@dataclass(frozen=True)
class Verdict:
    """Whether an answer was right, and what to tell the learner."""

    right: bool
    message: str


def check_answer(question: Question, given: str | float | None) -> Verdict:
    """The verdict on `given`: typed text or a number for a number question, one of the choices for a choice."""
    if given is None or isinstance(given, str) and not given.strip():
        return Verdict(False, "Choose (or type) an answer first.")
    if question.kind == "number":
        value = _as_number(given)
        if value is None:
            return Verdict(False, "Type a number, such as 3 or 0.5.")
        right = abs(value - float(question.answer)) <= question.tolerance + ANSWER_SLACK
        shown = given.strip() if isinstance(given, str) else f"{value:g}"
    else:
        shown = str(given).strip()
        if shown not in question.choices:
            return Verdict(False, f"Choose one of: {', '.join(question.choices)}.")
        right = shown == question.answer
    if right:
        return Verdict(True, f"Right! {question.why}")
    return Verdict(False, f"Not quite: you said {shown}. {question.why} Try again.")


def _as_number(given: str | float) -> float | None:
    """The finite number in `given`, or None when it is not one ("eleven", "nan", True)."""
    if isinstance(given, bool):
        return None
    try:
        value = float(given.strip() if isinstance(given, str) else given)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Lesson:
    """One lesson: its URL-safe key, place in the course, teaching text, question, and the preset to try."""

    key: str
    number: int
    title: str
    summary: str
    question: Question
    preset: str
    page: str = "build"


def _backpropagation_question() -> Question:
    """The question on the lesson's own example, so the answer is the number its figure shows."""
    example = backprop.DEFAULT_EXAMPLE
    value = {step.name: step.value for step in backprop.backprop_steps(example.inputs, example.target,
                                                                       example.weights)}
    gradient = value["dLoss/dw_out1"]
    return Question(
        prompt="In the tiny network's steps, what is dLoss/dw_out1, the slope of the loss with respect to the "
               "weight from h1 to the output? Two decimals are enough.",
        kind="number",
        answer=gradient,
        tolerance=0.01,
        why=f"By the chain rule, dLoss/dw_out1 = dLoss/dz_out · h1 = {value['dLoss/dz_out']:.4f} · "
            f"{value['hidden h1']:.4f} = {gradient:.4f}. It is negative, so a gradient-descent step raises w_out1, "
            "which raises the output towards the target of 1.",
    )


def _convolution_question() -> Question:
    """A question on other settings than the sliders start at, so the worked size above it is not its answer:
    the learner works it out with the formula, then sets the sliders to check."""
    size, kernel, stride, padding = 28, 3, 2, 1
    width = lesson_math.output_size(size, kernel, stride=stride, padding=padding)
    quotient = (size + 2 * padding - kernel) / stride
    return Question(
        prompt=f"A {size}×{size} image, a {kernel}×{kernel} kernel, stride {stride}, padding {padding}: how wide is "
               "the output? Work it out with the formula, then set the sliders above to check.",
        kind="number",
        answer=float(width),
        why=f"floor(({size} + 2·{padding} − {kernel})/{stride}) + 1 = floor({quotient:g}) + 1 = {width}: a stride of "
            f"{stride} moves the kernel {stride} pixels at a time, so the output is about half as wide, and the "
            "padding lets the kernel reach the edges.",
    )


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        key="network",
        number=1,
        title="What a neural network is",
        summary=(
            "A neural network passes numbers through layers. The input layer holds the example, such as the 784 "
            "pixels of an MNIST digit; each hidden layer computes weighted sums of the layer before it; the output "
            "layer gives the answer, such as one probability per digit. A network is deep when it stacks several "
            "hidden layers: the classic first MNIST example has just one, of 512 units."
        ),
        question=Question(
            prompt="Is a network with one hidden layer deep?",
            kind="choice",
            choices=("yes", "no"),
            answer="no",
            why="Deep means several hidden layers stacked one after another; with one hidden layer a network is "
                "shallow, although it can already read most handwritten digits.",
        ),
        preset="mnist-dense512",
    ),
    Lesson(
        key="activations",
        number=2,
        title="Activations: ReLU, sigmoid and tanh",
        summary=(
            "Each unit passes its weighted sum through an activation function; without one, any stack of layers "
            "would do no more than a single layer. ReLU keeps positive numbers and turns negative ones into 0; "
            "sigmoid squeezes any number into (0, 1); tanh squeezes it into (−1, 1), centred on 0."
        ),
        question=Question(
            prompt="What is ReLU(11)?",
            kind="number",
            answer=11.0,
            why="ReLU keeps positive numbers as they are and turns negative ones into 0: ReLU(11) = 11.",
        ),
        preset="mnist-mlp-2x128-dropout",
    ),
    Lesson(
        key="gradient-descent",
        number=3,
        title="Loss and gradient descent",
        summary=(
            "The loss measures how wrong the network is: categorical cross-entropy when it picks one of several "
            "classes, mean squared error when it predicts a number. Gradient descent moves each weight a step "
            "downhill, against the slope of the loss, like a ball rolling into a valley; the learning rate sets "
            "the size of the step. Too high a rate overshoots the valley and diverges; too low a rate crawls."
        ),
        question=Question(
            prompt="Which loss suits choosing one of ten digits?",
            kind="choice",
            choices=("mean squared error", "categorical cross-entropy"),
            answer="categorical cross-entropy",
            why="Choosing one of several classes is classification: the softmax gives a probability per class, and "
                "categorical cross-entropy is large when the right class gets a small probability. Mean squared "
                "error suits predicting a number, such as a price.",
        ),
        preset="mnist-softmax",
    ),
    Lesson(
        key="backpropagation",
        number=4,
        title="Back-propagation",
        summary=(
            "Gradient descent needs the slope of the loss with respect to every weight. Back-propagation finds them "
            "all in one backward pass: starting from the loss, the chain rule multiplies the local slopes layer by "
            "layer, from the output back to the first weights. Here is a tiny network (2 inputs, 2 sigmoid hidden "
            "units, 1 sigmoid output, squared error) on one example: the forward numbers, then the gradients."
        ),
        question=_backpropagation_question(),
        preset="spiral-dense10",
    ),
    Lesson(
        key="convolution",
        number=5,
        title="Convolution and pooling",
        summary=(
            "A convolution slides a small kernel, 3×3 say, across the image and at each place sums the pixels "
            "times the kernel's weights, so one kernel finds one pattern, such as a vertical edge, anywhere in the "
            "image. For an n-pixel side, a k-pixel kernel, stride s and p pixels of padding, the output side is "
            "floor((n + 2p − k)/s) + 1. Max pooling then keeps the largest value of each 2×2 block, halving the "
            "size while keeping what the kernel found."
        ),
        question=_convolution_question(),
        preset="mnist-cnn-2conv",
    ),
    Lesson(
        key="recurrent",
        number=6,
        title="Recurrent networks",
        summary=(
            "A recurrent network reads a sequence one step at a time, a sentence word by word, and carries a state "
            "from step to step: h_t = tanh(W·x_t + U·h_(t−1) + b). Unrolled it looks like one layer per word, but "
            "it is the same layer, the same W, U and b, at every step, so it reads sentences of any length. The "
            "classic example reads IMDB movie reviews with a SimpleRNN; IMDB needs a download, so \"Try it\" loads "
            "an LSTM that learns the alphabet, which works offline."
        ),
        question=Question(
            prompt="How many sets of weights does a SimpleRNN use for a 5-word sentence?",
            kind="choice",
            choices=("1", "5"),
            answer="1",
            why="One: a SimpleRNN has a single set of weights (W, U and b) that it applies at each of the 5 steps; "
                "only the state changes from word to word.",
        ),
        preset="alphabet-lstm32",
    ),
    Lesson(
        key="own-images",
        number=7,
        title="Images of your own",
        summary=(
            "Photos of your own become training data in a few steps. OpenCV reads each file as pixels in "
            "blue-green-red order, which is turned into the usual red-green-blue; each photo is resized to the "
            "size the model takes (128×128 for the cats-vs-dogs CNN) and its pixels are divided by 255 to lie in "
            "[0, 1]. Each label becomes a one-hot vector: 1 at the class's position, 0 everywhere else."
        ),
        question=Question(
            prompt="A photo of a dog, with the classes (cat, dog): what is its one-hot label?",
            kind="choice",
            choices=("[1, 0]", "[0, 1]"),
            answer="[0, 1]",
            why="With the classes (cat, dog), dog is class 1 (counting from 0), so its one-hot label has its 1 in "
                "the second place: [0, 1].",
        ),
        preset="catsdogs-cnn",
    ),
)


def lesson_named(key: str) -> Lesson:
    """The lesson with this key, or a ValueError that lists the keys."""
    for lesson in LESSONS:
        if lesson.key == key:
            return lesson
    raise ValueError(f"there is no lesson {key!r}; the lessons are {', '.join(lesson.key for lesson in LESSONS)}.")


def next_lesson(key: str) -> Lesson | None:
    """The lesson after this one, or None after the last."""
    number = lesson_named(key).number
    return LESSONS[number] if number < len(LESSONS) else None


def progress_summary(answered_right: set[str] | frozenset[str]) -> tuple[int, int]:
    """(lessons answered right, lessons in all), from the keys of the lessons answered right."""
    for key in answered_right:
        lesson_named(key)
    return len(answered_right), len(LESSONS)
