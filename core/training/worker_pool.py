"""The embedded executor: a small pool of warm worker processes on this machine (see `core.training.worker`).

Each worker imports Keras once and trains one job at a time; a worker is reused for the next job unless it has
trained `max_runs_per_worker` jobs or holds more than `max_worker_megabytes` (Keras and TensorFlow keep caches that
grow), in which case it is replaced. A worker that dies (killed for memory, say) fails only its own job, with the
reason; the next job gets a fresh worker. The server process itself never imports Keras to train.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

from core.training.events import Emit, Event
from core.training.executor import ControlWatcher, Executor, TrainingJob, WorkerLost
from core.training.failures import OUT_OF_MEMORY, log_says_out_of_memory
from core.training.processes import resident_megabytes

COMMAND_POLL_SECONDS = 0.05
"""How often a job's controls are looked at while its events are awaited: a pause reaches the worker this soon."""
STDERR_LINES_KEPT = 40
KILLED = ("the training process was killed ({signal}), usually because it ran out of memory; try a smaller batch "
          "size or model.")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """One worker on one Keras backend: its process, its events as they arrive, and the last lines of its standard
    error."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])), "TF_CPP_MIN_LOG_LEVEL": "3",
            "KERAS_BACKEND": backend}
        self.process = subprocess.Popen([sys.executable, "-m", "core.training.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                                        env=environment)
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.ready = threading.Event()
        self.runs_trained = 0
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        threading.Thread(target=self._read_events, name=f"keras-lab-worker-{self.pid}", daemon=True).start()
        threading.Thread(target=self._read_stderr, name=f"keras-lab-worker-{self.pid}-log", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read_events(self) -> None:
        for line in self.process.stdout:
            event = json.loads(line)
            if event.get("event") == "ready":
                self.ready.set()
            else:
                self.events.put(event)
        self.events.put(None)  # The worker is gone.

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            if line.strip():
                self._stderr.append(line.strip())

    def send(self, message: Event) -> None:
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # It died; its events end with None, which says so.

    def wait_until_ready(self) -> None:
        """Wait for its framework import; WorkerLost if it died first."""
        while not self.ready.wait(COMMAND_POLL_SECONDS):
            if self.process.poll() is not None:
                raise WorkerLost(self.death_reason())

    def death_reason(self) -> str:
        code = self.process.wait()
        log = "\n".join(self._stderr)
        if code < 0:
            return KILLED.format(signal=signal.Signals(-code).name)
        if log_says_out_of_memory(log):
            return OUT_OF_MEMORY
        last = self._stderr[-1] if self._stderr else f"it exited with status {code}"
        return f"the training process crashed: {last}"

    def close(self) -> None:
        """End the worker: its input closes (it exits after its job), and it is killed if it lingers."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.process.kill()


class WorkerPool(Executor):
    """Warm workers, one job each at a time; up to `idle_workers` of each Keras backend wait between jobs (a
    worker's backend is fixed when it starts; see `core.training.execution`). Thread-safe.

    One idle worker by default: a worker that has trained holds hundreds of MB (TensorFlow's caches; measured by
    `benchmarks/memory.py`), which a small hosted demo cannot keep twice for nothing. A second run started while
    the first trains waits a few seconds for its worker's import. `warm_backends` start a worker each at once.
    """

    def __init__(self, idle_workers: int = 1, max_runs_per_worker: int = 25, max_worker_megabytes: float = 1500.0,
                 warm_backends: tuple[str, ...] = ()) -> None:
        if idle_workers < 1 or max_runs_per_worker < 1:
            raise ValueError(f"a pool keeps at least 1 idle worker, each reused at least once; got "
                             f"idle_workers={idle_workers}, max_runs_per_worker={max_runs_per_worker}.")
        self.idle_workers = idle_workers
        self.max_runs_per_worker = max_runs_per_worker
        self.max_worker_megabytes = max_worker_megabytes
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        atexit.register(self.close)
        for backend in warm_backends:
            self.warm_up(backend)

    def warm_up(self, backend: str) -> None:
        """Start a worker on `backend` now, so the next job on it need not wait for its import (that goes on in the
        background)."""
        with self._lock:
            if not any(worker.backend == backend for worker in self._idle):
                self._idle.append(WorkerProcess(backend))

    def is_warm(self, job: TrainingJob) -> bool:
        with self._lock:
            return any(worker.ready.is_set() and worker.backend == job.backend for worker in self._idle)

    def train(self, job: TrainingJob, on_event: Emit) -> None:
        worker = self._take(job.backend)
        try:
            worker.wait_until_ready()
            worker.send({"train": job.to_message()})
            settled = self._follow(worker, job, on_event)
        except WorkerLost:
            self._discard(worker)
            raise
        self._give_back(worker)  # Before the run is seen settled: whoever starts the next run finds the worker idle.
        on_event(settled)

    def _follow(self, worker: WorkerProcess, job: TrainingJob, on_event: Emit) -> Event:
        """Pass the job's events on and its controls in, until it settles (or its worker dies: WorkerLost); returns
        the `settled` event, not yet passed on."""
        watcher = ControlWatcher(job.run)
        while True:
            for command in watcher.pending():
                worker.send(command)
            try:
                event = worker.events.get(timeout=COMMAND_POLL_SECONDS)
            except queue.Empty:
                continue
            if event is None:
                raise WorkerLost(worker.death_reason())
            if event["event"] == "settled":
                return event
            on_event(event)

    def _take(self, backend: str) -> WorkerProcess:
        """An idle worker on `backend` (a warm one first, the one used last first), else a new one."""
        with self._lock:
            idle = sorted((worker for worker in self._idle if worker.backend == backend),
                          key=lambda worker: worker.ready.is_set())
            worker = idle[-1] if idle else WorkerProcess(backend)
            if idle:
                self._idle.remove(worker)
            self._busy.add(worker)
            return worker

    def _give_back(self, worker: WorkerProcess) -> None:
        """Back to the idle workers, unless it trained enough jobs or grew too big (then a fresh one takes its place)."""
        worker.runs_trained += 1
        resident = resident_megabytes(worker.pid) or 0.0
        worn = worker.runs_trained >= self.max_runs_per_worker or resident > self.max_worker_megabytes
        with self._lock:
            self._busy.discard(worker)
            alike = sum(idle.backend == worker.backend for idle in self._idle)
            keep = not worn and alike < self.idle_workers
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.close()
        if worn:
            self.warm_up(worker.backend)

    def _discard(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._busy.discard(worker)
        worker.close()

    def worker_pids(self) -> list[int]:
        """Every worker's process id, busy ones first (for tests and benchmarks to watch or kill them)."""
        with self._lock:
            return [worker.pid for worker in [*self._busy, *self._idle]]

    def close(self) -> None:
        with self._lock:
            workers, self._idle, self._busy = [*self._idle, *self._busy], [], set()
        for worker in workers:
            worker.close()
