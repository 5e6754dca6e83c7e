"""Benchmarks started from the dashboard: one at a time per server, in a thread beside the page.

Timings are only honest when nothing else competes for the machine, so a second visitor's benchmark is refused
with a message rather than run alongside the first. A benchmark comparing backends measures one plan per backend,
one after the other; each finished result is saved in the `ResultStore`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from core.benchmark.plan import BenchmarkPlan
from core.benchmark.results import BenchmarkResult
from core.benchmark.runner import BenchmarkProgress, run_benchmark
from core.benchmark.store import ResultStore


@dataclass
class BenchmarkJob:
    """One benchmark: its plans (one per backend compared, measured in turn), how far it got, and a result per plan
    measured or the reason it stopped."""

    owner: str
    plans: tuple[BenchmarkPlan, ...]
    started_at: float = field(default_factory=time.time)
    plan_index: int = 0
    progress: BenchmarkProgress | None = None
    results: list[BenchmarkResult] = field(default_factory=list)
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def is_running(self) -> bool:
        return not self.done.is_set()

    @property
    def fraction_done(self) -> float:
        """How much of all its plans' measurements is done, from 0 to 1."""
        progress = self.progress
        if progress is None:
            return 0.0
        within = (progress.measurement_index + progress.epoch / max(progress.epochs, 1)) / max(
            progress.measurements_total, 1)
        return min(1.0, (self.plan_index + within) / len(self.plans))


class BenchmarkJobs:
    """The server's benchmarks: the one running, and each visitor's latest."""

    def __init__(self, store: ResultStore | None = None) -> None:
        self.store = store if store is not None else ResultStore()
        self._lock = threading.Lock()
        self._latest: dict[str, BenchmarkJob] = {}

    def start(self, owner: str, plans: Sequence[BenchmarkPlan]) -> BenchmarkJob:
        """Measure the plans in turn in a background thread; a ValueError when another benchmark is measuring now."""
        if not plans:
            raise ValueError("choose at least one backend to measure.")
        with self._lock:
            running = [job for job in self._latest.values() if job.is_running]
            if running:
                mine = running[0].owner == owner
                raise ValueError("your benchmark is still measuring: wait for it or cancel it." if mine else
                                 "another visitor's benchmark is measuring this machine now, and two at once would "
                                 "slow each other down: try again in a minute.")
            job = BenchmarkJob(owner, tuple(plans))
            self._latest[owner] = job
        threading.Thread(target=self._measure, args=(job,), daemon=True, name=f"benchmark-{owner[:8]}").start()
        return job

    def latest(self, owner: str) -> BenchmarkJob | None:
        return self._latest.get(owner)

    def _measure(self, job: BenchmarkJob) -> None:
        try:
            for index, plan in enumerate(job.plans):
                if job.cancel.is_set():
                    break
                job.plan_index = index
                result = run_benchmark(plan, on_progress=lambda progress: setattr(job, "progress", progress),
                                       cancel=job.cancel)
                self.store.save(result)
                job.results.append(result)
        except Exception as error:  # Whatever went wrong ends this job with words; the server lives on.
            job.error = f"{type(error).__name__}: {error}" if not isinstance(error, ValueError) else str(error)
        finally:
            job.done.set()
