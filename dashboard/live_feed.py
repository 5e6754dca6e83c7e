"""What a watching page's live frames fetch a few times a second, as JSON, from an HTTP route beside Streamlit's
own (`dashboard/app.py` serves it): on the Train page, a run's progress line, its curves, its decision regions and
its speed; in the sidebar of every page, the run's one line.

Redrawing the curves through Streamlit means a rerun per update, and Streamlit's frontend redrawing the rerun's
elements cost the browser 0.29 cores at two updates a second for a progress bar alone (`benchmarks/watching.py`
measures it). A fetch costs the browser next to nothing and the server no script run. The figures are built once
per version of a run's history, whoever asks, and sent only to a frame that does not have that version yet.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from core.training.history import HistorySnapshot
from core.training.registry import RunRegistry
from core.training.run import TrainingRun

LIVE_PATH = "keras-lab/live"
"""The route's path under Streamlit's base URL. A frame finds it from its own address (see `components/live_run`)."""
CURVES = ("loss", "accuracy")
KEPT_RUNS = 64
"""Runs whose newest figures are kept built: a room's runs, with room to spare."""


def figures_version(run: TrainingRun, snapshot: HistorySnapshot) -> str:
    """Changes whenever what the figures show changes: a batch, an epoch, new decision regions, a new run."""
    regions = "" if run.regions is None else f":{run.regions.epoch}:{id(run.regions)}"
    return f"{run.run_id}:{snapshot.steps_done}:{len(snapshot.epochs)}:{snapshot.batches_per_epoch}{regions}"


class BuiltFigures:
    """Each run's figures at their newest version, as Plotly JSON, built once however many pages watch the run."""

    def __init__(self, kept_runs: int = KEPT_RUNS) -> None:
        self._kept_runs = kept_runs
        self._figures: OrderedDict[str, tuple[str, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, run: TrainingRun, snapshot: HistorySnapshot) -> dict[str, str]:
        version = figures_version(run, snapshot)
        with self._lock:
            kept = self._figures.get(run.run_id)
        if kept is None or kept[0] != version:
            kept = (version, figures_json(run, snapshot))
            with self._lock:
                self._figures[run.run_id] = kept
                self._figures.move_to_end(run.run_id)
                while len(self._figures) > self._kept_runs:
                    self._figures.popitem(last=False)
        return kept[1]


def figures_json(run: TrainingRun, snapshot: HistorySnapshot) -> dict[str, str]:
    """The live figures by name: a curve per metric, and the decision regions of a run of 2-D points."""
    import plotly.io

    from core.data.catalogue import loaded_dataset
    from dashboard.figures.training_curves import training_curve
    from dashboard.views.decision_regions import regions_chart

    figures = {metric: training_curve(snapshot, metric) for metric in CURVES}
    points = loaded_dataset(run.dataset_name)
    if run.regions is not None and points is not None:
        figures["regions"] = regions_chart(run.regions, points)
    return {name: plotly.io.to_json(figure, validate=False) for name, figure in figures.items()}


BUILT_FIGURES = BuiltFigures()


def live_update(run: TrainingRun, have_version: str | None = None) -> dict[str, object]:
    """Where `run` stands, for its live frame on the Train page: its state, the progress bar's fraction and line,
    its speed (label, value, explanation) and its figures (Plotly JSON by name) unless the frame already has this
    version of them (`have_version`)."""
    from dashboard.views.run_status import progress_line, speed_metrics

    snapshot = run.history.snapshot()
    version = figures_version(run, snapshot)
    return {
        **run_state(run),
        "fraction": snapshot.fraction_done,
        "line": progress_line(run, snapshot),
        "metrics": speed_metrics(run, snapshot),
        "version": version,
        "figures": None if have_version == version else BUILT_FIGURES.of(run, snapshot),
    }


def live_line(run: TrainingRun) -> dict[str, object]:
    """Where `run` stands in one line, for the sidebar's live frame on every page: 'training, epoch 3/10'."""
    from dashboard.views.run_status import describe_run

    return {**run_state(run), "line": describe_run(run)}


def run_state(run: TrainingRun) -> dict[str, object]:
    """What every frame needs to know: which run, and its state (a frame reruns the page when it changes)."""
    return {"run": run.run_id, "active": run.is_active, "state": run.state.value}


def answer_live_request(registry: RunRegistry, run_id: str, have_version: str | None,
                        line_only: bool = False) -> tuple[int, dict[str, object]]:
    """The HTTP status and JSON body for a frame asking after `run_id`: its `live_update` (or only its `live_line`),
    or 404 with a reason for a run this server does not hold. Each answer also tells the registry that someone
    still watches the run, so a watched run is never stopped as orphaned."""
    run = registry.get(run_id)
    if run is None:
        return 404, {"error": "no such run on this server: it may have been deleted, or the server restarted"}
    run.seen()
    return 200, live_line(run) if line_only else live_update(run, have_version)


def live_endpoint(find_registry: Callable[[], RunRegistry]) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint for GET ?run=ID[&have=VERSION][&line=1], answered by `answer_live_request` in
    Starlette's thread pool: finding a run may read its record from disk, and building figures takes milliseconds,
    neither of which may hold up the server's event loop (every page's websocket runs on it)."""

    async def serve_live_update(request: Request) -> Response:
        query = request.query_params
        run_id, have_version, line_only = query.get("run", ""), query.get("have"), query.get("line") == "1"
        status, body = await run_in_threadpool(
            lambda: answer_live_request(find_registry(), run_id, have_version, line_only))
        return Response(json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    return serve_live_update
