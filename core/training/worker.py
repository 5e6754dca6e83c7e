"""A warm worker process: `python -m core.training.worker`, started by `core.training.worker_pool`.

It imports Keras once, says `ready`, then trains one job at a time as they arrive, for as long as the server keeps
it. Its standard input carries JSON lines from the server: `{"train": job}` (see `TrainingJob.to_message`) and
the commands of the run training now (see `core.training.executor.apply_command`). Its standard output carries
JSON lines back: the job's events (see `core.training.events`). Anything else the frameworks print goes to
standard error, whose last lines explain a crash. When its input closes (the server went away), the run training
stops, is saved as stopped, and the worker exits. Importing this module does nothing; `main()` does the work.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import sys
import threading
from pathlib import Path
from typing import IO, Any

from core.training.execution import keep_tensorflow_out
from core.training.executor import apply_command
from core.training.run import TrainingRun
from core.training.storage import RunStorage

SERVER_GONE = "because the server stopped (it is kept, and can continue)"


class Worker:
    """The worker's state between its two threads: the one reading the server's lines, the one training."""

    def __init__(self, output: IO[str]) -> None:
        self.output = output
        self.jobs: queue.Queue[tuple[TrainingRun, dict[str, Any]] | None] = queue.Queue()
        self.current: TrainingRun | None = None
        self._writing = threading.Lock()

    def emit(self, event: dict[str, Any]) -> None:
        """One event as one line; several threads send (the training thread, the progress sender)."""
        with self._writing:
            self.output.write(json.dumps(event) + "\n")
            self.output.flush()

    def read(self, lines: IO[str]) -> None:
        """Take the server's lines until its end closes: jobs go to the training thread, commands to the run."""
        for line in lines:
            message = json.loads(line)
            if "train" in message:
                run = TrainingRun.from_record(message["train"]["record"])
                self.current = run  # Set here, so a command that follows at once finds the run.
                self.jobs.put((run, message["train"]))
            elif self.current is not None:
                apply_command(self.current, message)
        if self.current is not None and self.current.is_active:
            self.current.request_stop(SERVER_GONE)
        self.jobs.put(None)

    def train(self) -> None:
        from core.training.job import train_to_end

        while (job := self.jobs.get()) is not None:
            run, message = job
            folder = message["runs_folder"]
            train_to_end(run, RunStorage(Path(folder)) if folder else None, self.emit, message["start_from"])
            self._forget()

    @staticmethod
    def _forget() -> None:
        """Let the run's model and Keras's global state go before the next job (the worker's memory stays flat)."""
        import keras

        keras.backend.clear_session()
        gc.collect()


def main() -> None:
    output = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # The events' own channel...
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # ...and whatever else is printed goes to standard error.
    keep_tensorflow_out()
    import core.training.job  # noqa: F401  (Keras and the training code, imported once, before saying ready)
    import core.training.train  # noqa: F401

    worker = Worker(output)
    worker.emit({"event": "ready", "pid": os.getpid()})
    threading.Thread(target=worker.read, args=(sys.stdin,), name="keras-lab-commands", daemon=True).start()
    worker.train()


if __name__ == "__main__":
    main()
