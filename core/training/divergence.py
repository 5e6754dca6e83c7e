"""When a run has diverged, and the Keras callback that stops it with advice.

A learning rate far too high does not always end in NaN: at 1000, RMSprop on MNIST kept finite numbers and ended
at 46% test accuracy with a test loss of 4.8 million; SGD ended at chance with a loss of 2.3 billion. Both are
divergence. The rule compares the loss with where it started (the first step's loss, taken before any update): a
healthy run's loss falls from there, so a loss that climbs far above it, or one that grows while the accuracy
stays at guessing level, means the steps overshoot.
"""

from __future__ import annotations

import math

import keras

from core.models.compile_options import RETRY_FACTOR
from core.number_text import readable_number

EXPLODED_FACTOR = 10.0
"""A loss this many times its starting value has exploded. Measured on the shipped data, the presets' healthy runs
never rose above 1.02× their first loss (their loss only falls), nor did SGD at a learning rate of 1 (100 times its
default); SGD at 3 peaked at 52× and ended at chance, and SGD and RMSprop at 1000 passed 10,000× within two steps.
Ten leaves a wide margin, since the losses judged are Keras's running means over the epoch so far, never one
noisy batch (an epoch's first step alone is not judged)."""
CHANCE_MARGIN = 1.2
"""An accuracy at most this many times chance (1 / number of classes) is no better than guessing: 12% for ten
digits, 60% for two classes. A model that diverged and then froze predicts one class, which scores chance."""
EPOCH_GROWN_FACTOR = 3.0
"""A whole epoch's loss this many times its start has diverged, whatever the accuracy. Keras on JAX clips the
cross-entropy's probabilities, so there a diverged loss saturates (below -ln 1e-7, about 16) where TensorFlow's
explodes: SGD at 1000 on MNIST ended its first epoch at 12.8, 5.4 times its start of 2.37, with 18% accuracy.
Healthy runs never rose above 1.02 times their first loss (see EXPLODED_FACTOR)."""
GROWN_AT_CHANCE_FACTOR = 2.0
"""With an accuracy at guessing level, a loss this many times its start has grown, not merely failed to fall: the
presets' healthy runs sat at chance for up to 38 epochs (the alphabet LSTM) with a loss within 1% of their first
one. Checked on whole epochs only, whose numbers are averaged over every batch."""


def divergence(loss: float, start_loss: float | None, accuracy: float | None = None, classes: int = 0,
               whole_epoch: bool = False) -> str | None:
    """Why these numbers mean the run diverged, in words ('the loss became nan'); None when they look healthy.

    `start_loss` is the run's first loss (None while it is not known yet: only NaN and infinity count then);
    `accuracy` and `classes` are given for a whole epoch (`whole_epoch`), to spot a loss that grows at guessing
    level, or one that stayed far above its start for the whole epoch.
    """
    if math.isnan(loss) or math.isinf(loss):
        return f"the loss became {loss}"
    if start_loss is None or not start_loss > 0:
        return None
    if loss > EXPLODED_FACTOR * start_loss:
        return f"{_grown(start_loss, loss)}, more than {EXPLODED_FACTOR:g} times its starting value"
    at_chance = accuracy is not None and classes >= 2 and accuracy <= CHANCE_MARGIN / classes
    if at_chance and loss > GROWN_AT_CHANCE_FACTOR * start_loss:
        return (f"{_grown(start_loss, loss)} while the accuracy stayed at guessing level ({accuracy:.1%} with "
                f"{classes} classes)")
    if whole_epoch and loss > EPOCH_GROWN_FACTOR * start_loss:
        return f"{_grown(start_loss, loss)} over a whole epoch, more than {EPOCH_GROWN_FACTOR:g} times its starting value"
    return None


def _grown(start_loss: float, loss: float) -> str:
    """Written only for a loss that diverged: this check runs after every training step."""
    return f"the loss grew from {readable_number(start_loss)} to {readable_number(loss)}"


class DivergenceCallback(keras.callbacks.Callback):
    """Stops training once the loss diverges and keeps the reason, with advice, in `failure` (None while healthy).

    The start is the first step's loss of an untrained model. Training that continues a run passes `start_loss`
    (its first loss, from the history), so a model that has already learned is still compared with where the run
    began; without one (a model loaded from a file), `learns_start=False` keeps the check to NaN and infinity,
    since a trained model's first loss is no start. It is `async_safe`: batch hooks may arrive out of order on
    Keras's helper threads; until the first step's loss has arrived only NaN and infinity count.
    """

    async_safe = True

    def __init__(self, classes: int, start_loss: float | None = None, learns_start: bool = True) -> None:
        super().__init__()
        self.classes = classes
        self.start_loss = start_loss
        self.learns_start = learns_start and start_loss is None
        self.failure: str | None = None
        self._reason: str | None = None
        self._first_epoch: int | None = None
        self._epoch = 0
        self._steps_per_call = 1

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._steps_per_call = self.model.steps_per_execution

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        if self._first_epoch is None:
            self._first_epoch = epoch

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._stop_if_diverged()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """On a helper thread: judges the numbers only, and leaves stopping to the training thread (on JAX, touching
        `self.model` here would race the step in progress; see `LiveHistoryCallback`)."""
        loss = float((logs or {}).get("loss", math.nan))
        first_epoch = self._epoch == self._first_epoch
        if batch < self._steps_per_call and first_epoch and self.learns_start:  # The first call's end.
            self.start_loss = loss
        if batch >= self._steps_per_call or first_epoch:  # A later epoch's first step alone is too noisy to judge.
            self._reason = self._reason or divergence(loss, self.start_loss)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        accuracy = logs.get("accuracy")
        self._reason = self._reason or divergence(float(logs.get("loss", math.nan)), self.start_loss,
                                                  None if accuracy is None else float(accuracy), self.classes,
                                                  whole_epoch=True)
        self._stop_if_diverged()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._stop_if_diverged()  # A last step's numbers arrive after the last batch began.

    def _stop_if_diverged(self) -> None:
        if self._reason is None or self.failure is not None:
            return
        rate = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        smaller = readable_number(rate / RETRY_FACTOR)
        self.failure = (
            f"in epoch {self._epoch + 1} {self._reason}: training diverged. The learning rate "
            f"({readable_number(rate)}) is too high for {type(self.model.optimizer).__name__}: each step overshoots, "
            f"so the loss climbs instead of falling. Try one ten times smaller ({smaller}), or scale the inputs to "
            "[0, 1] if they are large."
        )
        self.model.stop_training = True
