"""Which executor trains this process's runs: the embedded pool of worker processes by default, or with
KERAS_LAB_EXECUTOR=ray a Ray cluster (see `core.training.executor` for what an executor does)."""

from __future__ import annotations

from core.settings import executor_choice
from core.training.executor import Executor

_shared_executor: Executor | None = None


def chosen_executor(warm_backends: tuple[str, ...] = ()) -> Executor:
    """A new executor of the kind KERAS_LAB_EXECUTOR names: the embedded pool of worker processes (with a worker
    of each of `warm_backends` warming up at once), or with `ray` the Ray cluster (Ray is imported only then)."""
    if executor_choice() == "ray":
        from core.training.ray_executor import RayExecutor

        return RayExecutor()
    from core.training.worker_pool import WorkerPool

    return WorkerPool(warm_backends=warm_backends)


def shared_executor() -> Executor:
    """The process's one executor, which every registry made without an executor of its own shares."""
    global _shared_executor
    if _shared_executor is None:
        _shared_executor = chosen_executor()
    return _shared_executor
