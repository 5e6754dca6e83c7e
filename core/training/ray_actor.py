"""What runs on a Ray node for one run (`RunActor`, made a Ray actor by `core.training.ray_executor`), and the
archives a run's folder and an uploaded dataset travel in between the server and the node (no shared disk).
Nothing here imports Ray or Keras at import time."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from core.data.dataset import UPLOADED_PREFIX
from core.data.store import DATASET_SUFFIXES, DatasetStore
from core.settings import HOME_VARIABLE
from core.training.events import Event
from core.training.executor import apply_command
from core.training.run import TrainingRun
from core.training.storage import RunStorage

ABANDONED_SECONDS = 120.0
"""A run's actor outlives the server that started it (a restarted server follows it again: see `RayExecutor.rejoin`).
One that no server has asked for events this long stops its run, as a local worker does when its server goes, and
one whose settled run no server collected for as long again ends itself, so nothing trains or lingers for nobody."""


class RunActor:
    """One run on a Ray node (made a Ray actor by `RayExecutor`): trains it in a thread and keeps its events for the
    server to collect, and its folder (a temporary one on this node) for the server to copy."""

    def __init__(self, backend: str, abandoned_seconds: float = ABANDONED_SECONDS) -> None:
        os.environ["KERAS_BACKEND"] = backend  # The actor's process is its own: Keras is not imported yet.
        from core.training.execution import keep_tensorflow_out

        keep_tensorflow_out()
        self._folder = Path(tempfile.mkdtemp(prefix="keras-lab-ray-"))
        os.environ[HOME_VARIABLE] = str(self._folder / "home")  # The node's own Keras Lab folder is not the
        # server's: an uploaded dataset comes with the job (see `start`), so one node trains as any other would.
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._run: TrainingRun | None = None
        self._abandoned_seconds = abandoned_seconds
        self._asked_at = time.monotonic()
        threading.Thread(target=self._end_when_abandoned, name="keras-lab-abandoned", daemon=True).start()

    def _end_when_abandoned(self) -> None:
        """Stop the run once no server has asked after it for `abandoned_seconds`; end this actor (its process) once
        its run has settled (or never came) and none asked for as long again."""
        from core.training.worker import SERVER_GONE

        while True:
            time.sleep(min(1.0, self._abandoned_seconds / 4))
            if time.monotonic() - self._asked_at < self._abandoned_seconds:
                continue
            if self._run is not None and self._run.is_active:
                self._run.request_stop(SERVER_GONE)
                self._asked_at = time.monotonic()  # As long again for a server to come and collect it.
            else:
                self.clear()
                os._exit(0)  # Ray sees the actor's process end; nothing else of it is left.

    def has_run(self) -> bool:
        """Whether the job came (a restarted server can follow it) rather than the actor still waiting for it."""
        self._asked_at = time.monotonic()
        return self._run is not None

    def placement(self) -> str:
        """Where this actor runs, for the run's record: 'Ray 2.60.0, node 10.0.0.5 (host-a), 1 CPU'."""
        import ray

        context = ray.get_runtime_context()
        resources = context.get_assigned_resources()
        cpus, gpus = resources.get("CPU", 0), resources.get("GPU", 0)
        units = f"{cpus:g} CPU{'s' if cpus != 1 else ''}" + (f", {gpus:g} GPU" if gpus else "")
        return f"Ray {ray.__version__}, node {ray.util.get_node_ip_address()} ({socket.gethostname()}), {units}"

    def start(self, message_json: str, files: bytes, dataset_files: bytes = b"") -> None:
        """Train the job in `message_json` (`TrainingJob.to_message` as JSON, as a local worker reads it) in a
        thread, its folder first filled with `files` (a tar archive of the run's folder on the server: the model or
        checkpoint a continued run needs), and an uploaded dataset's files (`dataset_files`) put where
        `core.data.catalogue.load_dataset` looks for them."""
        from core.training.job import train_to_end

        message = json.loads(message_json)
        run = TrainingRun.from_record(message["record"])
        unpack(files, self._folder / run.run_id)
        unpack(dataset_files, DatasetStore().root)
        self._run = run
        placement = self.placement()

        def emit(event: Event) -> None:
            if event["event"] == "started":  # Where it ran, in the record it writes next and the server's.
                run.hardware = f"{placement} · {event['hardware']}"
                event = {**event, "hardware": run.hardware}
            with self._lock:
                self._events.append(event)

        threading.Thread(target=train_to_end, args=(run, RunStorage(self._folder), emit, message["start_from"]),
                         name=f"keras-lab-run-{run.run_id}", daemon=True).start()

    def events(self, since: int) -> str:
        """The events after the first `since`, as a JSON list (the server reads them as a local worker's lines)."""
        self._asked_at = time.monotonic()
        with self._lock:
            return json.dumps(self._events[since:])

    def command(self, command: Event) -> None:
        if self._run is not None:
            apply_command(self._run, command)

    def files(self, run_id: str, names: list[str] | None = None) -> bytes:
        """The run's folder here as a tar archive: all of it, or only the files and folders named."""
        return pack(self._folder / run_id, names)

    def clear(self) -> None:
        """Delete this actor's folder on its node (the server has its copy), before the actor is ended."""
        shutil.rmtree(self._folder, ignore_errors=True)


def dataset_files(name: str) -> bytes:
    """An uploaded dataset's files on this server as a `pack` archive, for a node that has never seen them; nothing
    for a built-in dataset, which every node loads from Keras Lab's own files."""
    if not name.startswith(UPLOADED_PREFIX):
        return b""
    return pack(DatasetStore().root, [f"{name}{suffix}" for suffix in DATASET_SUFFIXES])


def pack(folder: Path, names: list[str] | None) -> bytes:
    """The folder's files (all, or those named, with what is in named folders) as a tar archive in memory."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        if folder.is_dir():
            for name in names if names is not None else sorted(path.name for path in folder.iterdir()):
                if (folder / name).exists():
                    archive.add(folder / name, arcname=name)
    return buffer.getvalue()


def unpack(archive: bytes, folder: Path) -> None:
    """A `pack` archive's files into `folder`, each replacing the file of its name; nothing outside the folder."""
    if not archive:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as files:
        files.extractall(folder, filter="data")
