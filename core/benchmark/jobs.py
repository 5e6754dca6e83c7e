"""Benchmarks started from the dashboard: one at a time per server, in a thread beside the page.

Timings are only honest when nothing else competes for the machine, so a second visitor's benchmark is refused
with a message rather than run alongside the first. Each finished result is saved in the `ResultStore`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from core.benchmark.plan import BenchmarkPlan
from core.benchmark.results import BenchmarkResult
from core.benchmark.runner import BenchmarkProgress, run_benchmark
from core.benchmark.store import ResultStore


@dataclass
class BenchmarkJob:
    """One benchmark: its plan, how far it got, and its result or the reason it has none."""

    owner: str
    plan: BenchmarkPlan
    started_at: float = field(default_factory=time.time)
    progress: BenchmarkProgress | None = None
    result: BenchmarkResult | None = None
    error: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def is_running(self) -> bool:
        return not self.done.is_set()


class BenchmarkJobs:
    """The server's benchmarks: the one running, and each visitor's latest."""

    def __init__(self, store: ResultStore | None = None) -> None:
        self.store = store if store is not None else ResultStore()
        self._lock = threading.Lock()
        self._latest: dict[str, BenchmarkJob] = {}

    def start(self, owner: str, plan: BenchmarkPlan) -> BenchmarkJob:
        """Start the plan in a background thread; a ValueError when another benchmark is measuring now."""
        with self._lock:
            running = [job for job in self._latest.values() if job.is_running]
            if running:
                mine = running[0].owner == owner
                raise ValueError("your benchmark is still measuring: wait for it or cancel it." if mine else
                                 "another visitor's benchmark is measuring this machine now, and two at once would "
                                 "slow each other down: try again in a minute.")
            job = BenchmarkJob(owner, plan)
            self._latest[owner] = job
        threading.Thread(target=self._measure, args=(job,), daemon=True, name=f"benchmark-{owner[:8]}").start()
        return job

    def latest(self, owner: str) -> BenchmarkJob | None:
        return self._latest.get(owner)

    def _measure(self, job: BenchmarkJob) -> None:
        try:
            job.result = run_benchmark(job.plan, on_progress=lambda progress: setattr(job, "progress", progress),
                                       cancel=job.cancel)
            self.store.save(job.result)
        except Exception as error:  # Whatever went wrong ends this job with words; the server lives on.
            job.error = f"{type(error).__name__}: {error}" if not isinstance(error, ValueError) else str(error)
        finally:
            job.done.set()
