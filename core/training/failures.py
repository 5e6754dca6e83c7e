"""What can go wrong while training, in words a learner can act on (no Keras import: pages read these)."""

from __future__ import annotations

OUT_OF_MEMORY = "training ran out of memory: use a smaller batch size or a smaller model."
OUT_OF_MEMORY_MARKERS = ("out of memory", "resourceexhausted", "resource_exhausted", "oom", "memoryerror")
"""How the frameworks and Python say in a log (a crashed worker's stderr) that memory ran out."""


class TrainingFailed(ValueError):
    """Training ended early because of a setting the learner should change, such as a loss that became NaN."""


def is_out_of_memory(error: BaseException) -> bool:
    """Whether the error is Python's MemoryError, a framework's ResourceExhaustedError, or says "out of memory"."""
    return (isinstance(error, MemoryError) or "ResourceExhausted" in type(error).__name__
            or "out of memory" in str(error).lower())


def log_says_out_of_memory(log: str) -> bool:
    """Whether a process's log says that memory ran out, for a worker that died without a message of its own."""
    lowered = log.lower()
    return any(marker in lowered for marker in OUT_OF_MEMORY_MARKERS)


def describe_failure(error: BaseException) -> str:
    """A sentence a learner can act on instead of a traceback."""
    if is_out_of_memory(error):
        return OUT_OF_MEMORY
    first_line = (str(error).strip().splitlines() or [""])[0]
    if isinstance(error, ValueError) and first_line:  # Keras Lab's own and Keras's bad-setting messages.
        return first_line
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
