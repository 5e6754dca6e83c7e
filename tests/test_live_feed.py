"""The live route a watching page's frame fetches from: a real spiral run in a real registry, answered as the frame
asks (its newest state, figures only when it lacks them), and what it answers for a run the server does not hold."""

import asyncio
import base64
import json

import numpy as np
import plotly.io
import pytest
from conftest import wait_until
from run_support import BATCHES, start_spiral
from starlette.requests import Request

from core.data.catalogue import load_dataset
from core.predict.regions import DecisionRegions
from core.training.registry import RunRegistry
from core.training.storage import RunStorage
from dashboard.live_feed import BuiltFigures, answer_live_request, live_endpoint


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return RunRegistry(RunStorage(tmp_path_factory.mktemp("runs")))


@pytest.fixture(scope="module")
def finished_run(registry):
    run = start_spiral(registry, epochs=3)
    wait_until(lambda: not run.is_active)
    return run


def test_a_frame_gets_the_figures_once_then_only_the_progress(registry, finished_run):
    status, first = answer_live_request(registry, finished_run.run_id, None)
    assert status == 200 and first["run"] == finished_run.run_id
    assert first["active"] is False and first["state"] == "finished" and first["fraction"] == 1.0
    assert first["line"].startswith("finished, test accuracy") and first["figures"].keys() >= {"loss", "accuracy"}
    assert [label for label, _value, _explanation in first["metrics"]][:3] == \
        ["Seconds per epoch", "Samples per second", "Learning rate"]

    status, again = answer_live_request(registry, finished_run.run_id, first["version"])
    assert status == 200 and again["version"] == first["version"] and again["figures"] is None, \
        "a frame that has this version is sent no figures"
    _status, stale = answer_live_request(registry, finished_run.run_id, "an older version")
    assert stale["figures"] == first["figures"]


def plotted(values: object) -> list[float]:
    """A trace's values as Plotly.js reads them: a list, or a typed array (base64 bytes of a dtype)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_the_figures_sent_end_exactly_at_the_saved_history(registry, finished_run):
    _status, update = answer_live_request(registry, finished_run.run_id, None)
    traces = {trace["name"]: trace for trace in json.loads(update["figures"]["loss"])["data"]}
    snapshot = finished_run.history.snapshot()
    epoch_trace = traces["train (per epoch)"]
    assert plotted(epoch_trace["x"]) == [1, 2, 3] and \
        plotted(epoch_trace["y"]) == [record.loss for record in snapshot.epochs], "every epoch's loss, exactly"
    batch_x, batch_y = plotted(traces["per batch"]["x"]), plotted(traces["per batch"]["y"])
    assert len(batch_x) == 3 * BATCHES and batch_x[-1] == 3.0, "every batch, the last included"
    assert batch_y == list(snapshot.batch_losses)


def test_an_answer_tells_the_registry_the_run_is_still_watched(registry, finished_run):
    finished_run.last_seen = 0.0
    answer_live_request(registry, finished_run.run_id, None)
    assert finished_run.last_seen > 0.0


def test_a_run_the_server_does_not_hold_is_a_404_with_a_reason(registry):
    for run_id in ("", "20260101-000000-nosuchrun", "../../etc/passwd"):
        status, body = answer_live_request(registry, run_id, None)
        assert status == 404 and "no such run on this server" in body["error"]


def fetch(endpoint, query: str):
    request = Request({"type": "http", "method": "GET", "path": "/keras-lab/live", "query_string": query.encode(),
                       "headers": []})
    return asyncio.run(endpoint(request))


def test_the_endpoint_answers_json_that_no_cache_keeps(registry, finished_run):
    endpoint = live_endpoint(lambda: registry)
    response = fetch(endpoint, f"run={finished_run.run_id}")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    update = json.loads(response.body)
    assert update["run"] == finished_run.run_id and update["figures"]
    have = fetch(endpoint, f"run={finished_run.run_id}&have={update['version']}")
    assert json.loads(have.body)["figures"] is None
    missing = fetch(endpoint, "run=nosuchrun")
    assert missing.status_code == 404 and "no such run" in json.loads(missing.body)["error"]


def test_figures_are_built_once_per_version_and_only_the_newest_runs_are_kept(registry, finished_run):
    others = []
    for owner in ("ann", "bob"):
        run = start_spiral(registry, epochs=1, owner=owner)
        wait_until(lambda: not run.is_active)
        others.append(run)
    built = BuiltFigures(kept_runs=2)
    first = built.of(finished_run, finished_run.history.snapshot())
    again = built.of(finished_run, finished_run.history.snapshot())
    assert all(again[name] is first[name] for name in first), "the same version: not built again"
    for run in others:
        built.of(run, run.history.snapshot())
    rebuilt = built.of(finished_run, finished_run.history.snapshot())
    assert rebuilt["loss"] is not first["loss"] and rebuilt == first, \
        "the oldest run was let go, and is built again when asked"


def test_a_frame_is_sent_only_the_figures_that_changed(registry):
    run = start_spiral(registry, epochs=1, owner="cy")
    wait_until(lambda: not run.is_active)
    xs = ys = np.linspace(-1, 1, 8)
    probabilities = np.random.default_rng(0).dirichlet(np.ones(3), size=(8, 8))
    run.regions = DecisionRegions(xs, ys, probabilities, probabilities.argmax(axis=-1), epoch=1)
    load_dataset("spiral")  # As the Train page has, which the regions' points come from.
    _status, first = answer_live_request(registry, run.run_id, None)
    assert first["figures"].keys() == {"loss", "accuracy", "regions"}, "a spiral run: its decision regions too"
    curves, regions = first["version"].split("|")
    _status, newer_regions = answer_live_request(registry, run.run_id, f"{curves}|an older regions")
    assert newer_regions["figures"].keys() == {"regions"}
    _status, newer_curves = answer_live_request(registry, run.run_id, f"an older curves|{regions}")
    assert newer_curves["figures"].keys() == {"loss", "accuracy"}
    assert plotly.io.from_json(first["figures"]["regions"]).data


def test_the_live_figures_are_valid_plotly_in_streamlits_look(registry, finished_run):
    _status, update = answer_live_request(registry, finished_run.run_id, None)
    for name, figure_json in update["figures"].items():
        figure = plotly.io.from_json(figure_json)  # Plotly checks every property and typed array.
        assert figure.data, f"{name} has traces"
    assert "template" not in json.loads(update["figures"]["loss"])["layout"], "the frame draws in Streamlit's look"


def test_the_sidebars_frame_gets_only_the_runs_line(registry, finished_run):
    status, line = answer_live_request(registry, finished_run.run_id, None, line_only=True)
    assert status == 200 and line.keys() == {"run", "active", "state", "line"}
    assert line["line"].startswith("finished, test accuracy") and line["active"] is False
