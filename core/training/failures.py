"""What can go wrong while training, in words a learner can act on (no Keras import: pages read these)."""

from __future__ import annotations


class TrainingFailed(ValueError):
    """Training ended early because of a setting the learner should change, such as a loss that became NaN."""


def describe_failure(error: BaseException) -> str:
    """A sentence a learner can act on instead of a traceback."""
    if isinstance(error, MemoryError) or "ResourceExhausted" in type(error).__name__:
        return "training ran out of memory: use a smaller batch size or a smaller model."
    first_line = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, ValueError) and first_line:  # Keras Lab's own and Keras's bad-setting messages.
        return first_line
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
