"""What a watching page's live frames fetch a few times a second, as JSON, from an HTTP route beside Streamlit's
own (`dashboard/app.py` serves it): on the Train page, a run's progress line, its curves, its decision regions and
its speed; in the sidebar of every page, the run's one line.

Redrawing the curves through Streamlit means a rerun per update, and Streamlit's frontend redrawing the rerun's
elements cost the browser 0.29 cores at two updates a second for a progress bar alone (`benchmarks/watching.py`
measures it). A fetch costs the browser next to nothing and the server no script run. The curves are built once
per version of a run's history and the decision regions once per version of them, whoever asks, and a frame is
sent only those it does not have yet.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import OrderedDict
from typing import Awaitable, Callable

import numpy as np
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


def curves_version(run: TrainingRun, snapshot: HistorySnapshot) -> str:
    """Changes whenever the curves change: a batch, an epoch, a new run."""
    return f"{run.run_id}:{snapshot.steps_done}:{len(snapshot.epochs)}:{snapshot.batches_per_epoch}"


def regions_version(run: TrainingRun) -> str:
    """Changes when the run's decision regions do (every few epochs of a model of 2-D points); empty without."""
    return "" if run.regions is None else f"{run.regions.epoch}:{id(run.regions)}"


def figures_version(run: TrainingRun, snapshot: HistorySnapshot) -> str:
    """The version of all the live figures: the curves' and the regions', which a frame sends back as `have`."""
    return f"{curves_version(run, snapshot)}{VERSION_SEPARATOR}{regions_version(run)}"


VERSION_SEPARATOR = "|"


class BuiltFigures:
    """Each run's figures at their newest version, as Plotly JSON by name, built once however many pages watch the
    run: its curves once per version of its history, its decision regions once per version of them."""

    def __init__(self, kept_runs: int = KEPT_RUNS) -> None:
        self._kept_runs = kept_runs
        self._figures: OrderedDict[tuple[str, str], tuple[str, dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, run: TrainingRun, snapshot: HistorySnapshot, have_version: str | None = None) -> dict[str, str]:
        """The figures whose version differs from the frame's `have_version` (all of them without one)."""
        have_curves, _, have_regions = (have_version or "").partition(VERSION_SEPARATOR)
        figures = {}
        if have_curves != curves_version(run, snapshot):
            figures |= self._kept(run, "curves", curves_version(run, snapshot), lambda: curves_json(snapshot))
        if run.regions is not None and have_regions != regions_version(run):
            figures |= self._kept(run, "regions", regions_version(run), lambda: regions_json(run))
        return figures

    def _kept(self, run: TrainingRun, part: str, version: str, build: Callable[[], dict[str, str]]) -> dict[str, str]:
        key = (run.run_id, part)
        with self._lock:
            kept = self._figures.get(key)
        if kept is None or kept[0] != version:
            kept = (version, build())
            with self._lock:
                self._figures[key] = kept
                self._figures.move_to_end(key)
                while len(self._figures) > 2 * self._kept_runs:
                    self._figures.popitem(last=False)
        return kept[1]


def curves_json(snapshot: HistorySnapshot) -> dict[str, str]:
    """A curve per metric as Plotly JSON, written straight from the figures' plain data (Plotly's own writer copies
    and checks the whole figure first, which was most of the server's time per watching page)."""
    from dashboard.figures.training_curves import curve_data

    return {metric: plain_figure_json(curve_data(snapshot, metric)) for metric in CURVES}


def plain_figure_json(figure: dict[str, object]) -> str:
    """A figure of plain data as Plotly JSON, its NumPy arrays as Plotly's typed arrays, without the layout's
    template: the frame draws in Streamlit's look (see `components/live_run`)."""
    layout = {key: value for key, value in figure["layout"].items() if key != "template"}
    return json.dumps({"data": figure["data"], "layout": layout}, default=typed_array, separators=(",", ":"))


def typed_array(value: object) -> dict[str, str]:
    """A NumPy array as Plotly.js reads a typed array: float64 bytes in base64."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{type(value).__name__} is not JSON serializable in a live figure")
    return {"dtype": "f8", "bdata": base64.b64encode(np.ascontiguousarray(value, dtype="<f8").tobytes()).decode()}


def regions_json(run: TrainingRun) -> dict[str, str]:
    """The decision regions of a run of 2-D points as Plotly JSON, or nothing before the data is at hand."""
    import plotly.io

    from core.data.catalogue import loaded_dataset
    from dashboard.views.decision_regions import regions_chart

    points = loaded_dataset(run.dataset_name)
    if run.regions is None or points is None:
        return {}
    return {"regions": plotly.io.to_json(regions_chart(run.regions, points), validate=False)}


BUILT_FIGURES = BuiltFigures()


def live_update(run: TrainingRun, have_version: str | None = None) -> dict[str, object]:
    """Where `run` stands, for its live frame on the Train page: its state, the progress bar's fraction and line,
    its speed (label, value, explanation) and those of its figures (Plotly JSON by name) that changed since the
    version the frame has (`have_version`), or None when none did."""
    from dashboard.views.run_status import progress_line, speed_metrics

    snapshot = run.history.snapshot()
    return {
        **run_state(run),
        "fraction": snapshot.fraction_done,
        "line": progress_line(run, snapshot),
        "metrics": speed_metrics(run, snapshot),
        "version": figures_version(run, snapshot),
        "figures": BUILT_FIGURES.of(run, snapshot, have_version) or None,
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
