"""Runs trained on a Ray cluster: the second executor (see `core.training.executor`), chosen with
`KERAS_LAB_EXECUTOR=ray` and Ray's own `RAY_ADDRESS` (see `core.training.executor_choice.chosen_executor`).

Each run is one Ray actor (`core.training.ray_actor.RunActor`), asking the cluster for one CPU (and a GPU when its config says `gpu`), whose
process trains the job with the same code as a local worker (`core.training.job.train_to_end`) on the backend the
run needs. Ray's scheduler decides where and when: a run whose resources no node has free waits, and the page says
so. The server pulls the actor's events (`RunActor.events`) a few times a second and pushes the run's pause, resume
and stop (`RunActor.command`). No shared disk is needed: the actor keeps the run's folder in a temporary folder of
its node, and the server writes its own copy from what it hears (the record as it goes, each checkpoint as it is
written, the model and everything else at the end). Actors are detached and named after their run: a server that
restarts while the cluster trains its runs follows them again (`still_trains`, `rejoin`), hearing every event
anew; an actor that no server asks after for ABANDONED_SECONDS stops its run and later ends itself. Nothing here
imports Ray until a `RayExecutor` is made.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any, Callable

from core.training.events import Emit, Event, apply_event
from core.training.executor import ControlWatcher, Executor, TrainingJob, WorkerLost
from core.training.history import EpochRecord
from core.training.ray_actor import ABANDONED_SECONDS, RunActor, dataset_files, pack, unpack
from core.training.run import RunState, TrainingRun
from core.training.storage import RunStorage

POLL_SECONDS = 0.25
"""How often the server asks a run's actor for new events (the page redraws every 0.4 s)."""
ANSWER_SECONDS = 60.0
"""How long one call to an actor that is running may take before the cluster counts as gone."""
RECORD_SECONDS = 1.0
"""The server's copy of a training run's record is rewritten at most this often, as a local worker does."""
NAMESPACE = "keras-lab"
NAME_MARK = "@"
"""A run's actor is named `<run id>@<8 random hex digits>`: a restarted server finds it by the run's id, and a
continued run's new actor never waits for its old one's name to be free."""
CONNECT_SECONDS = 20.0
"""How long a run waits for the connection to the cluster before it fails with what to check."""
PROBE_SECONDS = 3.0
"""How long the cluster's address may take to accept a connection before it counts as unreachable."""
class RayExecutor(Executor):
    """Trains each job in a `RunActor` of its own on the Ray cluster at `address` (Ray's `RAY_ADDRESS` when None;
    with neither, the cluster `ray start --head` started on this machine, else a Ray of this process's own).
    Connects in the background from the moment it is made, so no page waits for the cluster; a run waits at most
    CONNECT_SECONDS for it (see `connect`)."""

    def __init__(self, address: str | None = None, abandoned_seconds: float = ABANDONED_SECONDS) -> None:
        import ray

        self._ray = ray
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.abandoned_seconds = abandoned_seconds
        self._actor_class: Any = None
        self._connecting = threading.Lock()
        self._actors: dict[str, Any] = {}
        self._failure: str | None = None
        self._gpus = 0
        self._attempt = self._start_attempt()  # In the background as the server starts: the Train page then knows
        # the cluster's GPUs early, and the first run need not wait.

    def _start_attempt(self) -> threading.Thread:
        self._failure = None
        attempt = threading.Thread(target=self._attempt_connection, name="keras-lab-ray-connect", daemon=True)
        attempt.start()
        return attempt

    def _attempt_connection(self) -> None:
        """One try at joining the cluster; its failure is kept, in words, for the run that waits on it."""
        if self.address is not None and not answers(self.address):
            self._failure = unreachable_message(self.address, "nothing answers there")
            return
        try:
            self._ray.init(address=self.address, namespace=NAMESPACE, ignore_reinit_error=True,
                           log_to_driver=False, logging_level=logging.WARNING)
        except Exception as error:  # Whatever Ray raises, the run that waits says it; this thread must not die mute.
            self._failure = unreachable_message(self.address, error)
            return
        self._actor_class = self._ray.remote(RunActor)
        self._count_gpus()

    def _count_gpus(self) -> None:
        """The cluster's GPUs now, kept for `gpus_available` (a page never waits on the cluster to draw)."""
        with contextlib.suppress(Exception):  # A cluster that stopped answering keeps the count it had.
            self._gpus = int(self._ray.cluster_resources().get("GPU", 0))

    def connect(self) -> None:
        """Join the cluster, once: wait for the try under way (or start another after a failed one) at most
        CONNECT_SECONDS. A cluster that cannot be joined is a WorkerLost that says what to do; the next run tries
        again, so a head started later is found. Ray itself waits without end on a head that refuses it (a token
        it lacks), and a run must never wait without end."""
        with self._connecting:
            if self._actor_class is not None:
                return
            if not self._attempt.is_alive():
                self._attempt = self._start_attempt()
            attempt = self._attempt
        attempt.join(CONNECT_SECONDS)
        if self._actor_class is not None:
            return
        if attempt.is_alive():
            raise WorkerLost(slow_connection_message(self.address))
        raise WorkerLost(self._failure or unreachable_message(self.address, "Ray gave no reason"))

    queues_runs = True  # Ray's scheduler places each run's actor when the cluster has a CPU free.
    runs_outlive_server = True  # Each run's actor is detached; a restarted server rejoins it.

    def is_warm(self, job: TrainingJob) -> bool:
        return False  # Every run's actor starts a process of its own, which imports Keras.

    def gpus_available(self) -> int:
        """The GPUs of the cluster's nodes together, as counted when it connected and when a run last started (0
        before it connected)."""
        return self._gpus

    def train(self, job: TrainingJob, on_event: Emit) -> None:
        self.connect()
        self._count_gpus()
        gpus = 1 if job.run.config.gpu else 0
        if gpus and not self._gpus:
            raise WorkerLost("this run asks for a GPU, and no node of the Ray cluster has one: untick \"Train on a "
                             "GPU of the cluster\" on the Train page, or add a node with a GPU to the cluster "
                             "(`ray start --address HEAD_IP:6379 --num-gpus 1` on it).")
        actor = self._actor_class.options(
            name=f"{job.run.run_id}{NAME_MARK}{uuid.uuid4().hex[:8]}", lifetime="detached", num_cpus=1,
            num_gpus=gpus).remote(job.backend, self.abandoned_seconds)  # Detached: it outlives this server.
        storage = None if job.runs_folder is None else RunStorage(job.runs_folder)

        def start() -> bool:
            message = {**job.to_message(), "runs_folder": None}
            files = b"" if storage is None else pack(storage.folder(job.run.run_id), None)
            started = actor.start.remote(json.dumps(message), files, dataset_files(job.run.dataset_name))
            if self._wait_for_place(job.run, started):
                return True
            if storage is not None:
                storage.save_record(job.run.run_id, job.run.to_record())
            return False

        self._see_through(actor, job, storage, on_event, start)

    def still_trains(self, run_id: str) -> bool:
        """Whether the run, recorded as training by a server that stopped, has an actor on the cluster that took its
        job (it trains, or waits to be collected): `rejoin` follows it then. An actor that never got its job is
        ended here. False when the cluster cannot be joined within CONNECT_SECONDS."""
        try:
            self.connect()
            actor = self._actor_left_for(run_id)
            if actor is None:
                return False
            if self._ray.get(actor.has_run.remote(), timeout=ANSWER_SECONDS):
                return True
            self._ray.kill(actor, no_restart=True)
        except Exception:  # A cluster gone, or an actor dying as it is asked: nothing to follow.
            return False
        return False

    def rejoin(self, job: TrainingJob, on_event: Emit) -> None:
        """Follow a run that a previous server started on the cluster (see `still_trains`) to its end, as `train`
        does: every event it sent is heard again, and the server's copy of its folder is completed."""
        self.connect()
        actor = self._actor_left_for(job.run.run_id)
        if actor is None:
            raise WorkerLost(actor_lost_message(RuntimeError("gone before this server could follow it again")))
        self._see_through(actor, job, None if job.runs_folder is None else RunStorage(job.runs_folder), on_event,
                          lambda: True)

    def _actor_left_for(self, run_id: str) -> Any | None:
        """The living actor a server started for the run, if any (named after the run: see `train`)."""
        names = [entry["name"] if isinstance(entry, dict) else entry
                 for entry in self._ray.util.list_named_actors()]
        for name in sorted(name for name in names if name.startswith(f"{run_id}{NAME_MARK}")):
            with contextlib.suppress(ValueError):  # Gone between the listing and now.
                return self._ray.get_actor(name, namespace=NAMESPACE)
        return None

    def _see_through(self, actor: Any, job: TrainingJob, storage: RunStorage | None, on_event: Emit,
                     start: Callable[[], bool]) -> None:
        """Start the run's actor on its job (`start`: False when the run was stopped before it began) and follow it
        to its end, any failure of the cluster's becoming a WorkerLost in words; the actor ends with the run."""
        ray = self._ray
        self._actors[job.run.run_id] = actor
        try:
            if start():
                self._follow(actor, job, storage, on_event)
        except ray.exceptions.RayTaskError as error:  # The actor's own code failed: its error, without Ray's frame.
            raise WorkerLost(f"the run could not start on the Ray cluster: {error.cause}") from error
        except (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError) as error:
            raise WorkerLost(actor_lost_message(error)) from error
        except (ray.exceptions.GetTimeoutError, ray.exceptions.RaySystemError, ConnectionError) as error:
            raise WorkerLost(f"the Ray cluster stopped answering ({error.__class__.__name__}): its head may have "
                             f"stopped or the network gone. Check `ray status` on the head, then continue the "
                             f"run.") from error
        finally:
            self._actors.pop(job.run.run_id, None)
            with contextlib.suppress(Exception):  # An actor gone with its node, or the cluster: nothing to clear.
                ray.get(actor.clear.remote(), timeout=PROBE_SECONDS)
            with contextlib.suppress(Exception):  # Nor to end.
                ray.kill(actor, no_restart=True)

    def actor_of(self, run_id: str) -> Any | None:
        """The actor training the run now, if any (for tests and benchmarks to watch or kill it)."""
        return self._actors.get(run_id)

    def _wait_for_place(self, run: TrainingRun, started: Any) -> bool:
        """Until Ray has placed the actor and it took the job (True), or the run was stopped first (False: it
        settles as stopped, nothing trained)."""
        run.starting_note = "waiting for the Ray cluster to have a CPU free for this run"
        while not self._ray.wait([started], timeout=POLL_SECONDS)[0]:
            if run.stop_requested.is_set():
                run.settle(RunState.STOPPED, f"ended before it started, {run.stop_reason}.")
                return False
        self._ray.get(started, timeout=ANSWER_SECONDS)
        run.starting_note = ("starting on the Ray cluster: the run's own process imports Keras (a few seconds), "
                             "then the data")
        return True

    def _follow(self, actor: Any, job: TrainingJob, storage: RunStorage | None, on_event: Emit) -> None:
        """Pass the actor's events on and the run's controls in until it settles, keeping the server's copy of the
        run's folder: the record at most every RECORD_SECONDS, each new checkpoint, and everything at the end."""
        ray, run = self._ray, job.run
        watcher, heard, record_written_at = ControlWatcher(run), 0, 0.0
        while True:
            for command in watcher.pending():
                actor.command.remote(command)
            events = json.loads(ray.get(actor.events.remote(heard), timeout=ANSWER_SECONDS))
            heard += len(events)
            for event in events:
                if event["event"] == "settled":
                    if storage is not None:
                        unpack(ray.get(actor.files.remote(run.run_id), timeout=ANSWER_SECONDS),
                               storage.folder(run.run_id))
                    on_event(event)
                    return
                checkpointed = event["event"] == "progress" and event["checkpoint_epoch"] != run.checkpoint_epoch
                on_event(event)
                if storage is not None and checkpointed:
                    folder = storage.folder(run.run_id)
                    checkpoint = str(storage.checkpoint_path(run.run_id, run.checkpoint_epoch).relative_to(folder))
                    unpack(ray.get(actor.files.remote(run.run_id, [checkpoint]), timeout=ANSWER_SECONDS), folder)
                    storage.keep_only_checkpoint(run.run_id, run.checkpoint_epoch)
            if storage is not None and events and time.monotonic() - record_written_at >= RECORD_SECONDS:
                storage.save_record(run.run_id, run.to_record())
                record_written_at = time.monotonic()
            time.sleep(POLL_SECONDS)  # Events gather meanwhile: each call to the actor costs both sides CPU.

    def close(self) -> None:
        """Runs' actors end with their runs; the connection to the cluster goes with this process."""


def train_on_ray(run: TrainingRun, storage: RunStorage | None,
                 on_epoch_end: Callable[[EpochRecord], None]) -> None:
    """Train the run on the cluster from this process (the CLI with KERAS_LAB_EXECUTOR=ray), `on_epoch_end` hearing
    each epoch as it arrives; raises WorkerLost when the cluster cannot train it."""
    heard = 0

    def hear(event: Event) -> None:
        nonlocal heard
        apply_event(run, event)
        epochs = run.history.snapshot().epochs
        for record in epochs[heard:]:
            on_epoch_end(record)
        heard = len(epochs)

    RayExecutor().train(TrainingJob(run, None if storage is None else storage.root), hear)


def answers(address: str) -> bool:
    """Whether something listens at a Ray address ('host:port' or 'ray://host:port'; other forms, such as 'auto',
    are left to Ray). Ray itself retries an address where nothing listens for minutes before it gives up."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return True
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_SECONDS):
            return True
    except OSError:
        return False


def unreachable_message(address: str | None, error: Exception | str) -> str:
    where = f"the Ray cluster at RAY_ADDRESS={address}" if address else "a local Ray"
    return (f"Keras Lab could not connect to {where} ({error}). Start the head with `ray start --head` on that "
            f"machine, check the address (`ray status` prints it), or unset KERAS_LAB_EXECUTOR to train runs on this "
            f"machine.")


def slow_connection_message(address: str | None) -> str:
    where = f"the Ray cluster at RAY_ADDRESS={address}" if address else "a local Ray"
    return (f"Keras Lab could not connect to {where} within {CONNECT_SECONDS:g} s: something answers there, but "
            f"the cluster does not let it in. A cluster with token authentication (Ray turns it on for a head "
            f"started where a token exists) needs RAY_AUTH_MODE=token and its token (RAY_AUTH_TOKEN, which "
            f"`ray get-auth-token` prints on the head) for Keras Lab too; else check that the address is the head's "
            f"(`ray status` prints it).")


def actor_lost_message(error: Exception) -> str:
    """Why a run's actor died, in words: killed, its node lost, or out of memory."""
    text = str(error).lower()
    if "outofmemory" in text or "out of memory" in text:
        cause = "its node ran out of memory"
    elif "node" in text and ("died" in text or "dead" in text):
        cause = "its node left the cluster"
    else:
        cause = "its process ended (killed, or it crashed)"
    return (f"the Ray actor training this run died: {cause}. The epochs heard so far and the last checkpoint are "
            f"kept; Continue training starts it again on the cluster.")
