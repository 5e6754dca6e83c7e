"""Everything the server holds once and shares between all its sessions (Streamlit's `st.cache_resource`), in one
place: what lives as long as the server does, and how many of each, is read here."""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from core.benchmark.devices import DeviceReport, discover_devices
from core.benchmark.jobs import BenchmarkJobs
from core.data.dataset import Dataset
from core.data.store import DatasetStore
from core.data.uploads.examples import LoadReport
from core.data.uploads.upload_box import load_uploaded_files
from core.learn.progress import LessonProgress
from core.models.presets import DEFAULT_PRESET, PRESETS
from core.predict.drawn_digits import DrawnDigits
from core.predict.inference import predict_all
from core.predict.predictions import ExamplePredictions, predictions_for
from core.room.store import RoomStore
from core.settings import max_concurrent_runs, orphan_seconds
from core.training.execution import backend_for
from core.training.executor_choice import chosen_executor
from core.training.registry import RunRegistry
from core.training.run import TrainingRun
from core.training.storage import RunStorage


@st.cache_resource
def run_registry() -> RunRegistry:
    """The one registry of this server process, shared by every session. Its runs train in a pool of worker
    processes, one (on the default preset's backend) warming up at once, in the background, so that the first Start
    need not wait for Keras's import; or, with KERAS_LAB_EXECUTOR=ray, on a Ray cluster."""
    first_backend = backend_for(PRESETS[DEFAULT_PRESET].spec)
    registry = RunRegistry(RunStorage(), max_concurrent=max_concurrent_runs(), orphan_seconds=orphan_seconds(),
                           executor=chosen_executor(warm_backends=(first_backend,)))
    if registry.executor.runs_outlive_server:  # A Ray cluster's runs train on while the server restarts.
        threading.Thread(target=registry.rejoin_runs, name="keras-lab-rejoin", daemon=True).start()
    return registry


@st.cache_resource
def dataset_store() -> DatasetStore:
    """Uploaded datasets, kept under the data directory and shared by the server's sessions."""
    return DatasetStore()


@st.cache_resource
def drawn_digits() -> DrawnDigits:
    """The store of every visitor's drawings: one per server, so its lock covers every session."""
    return DrawnDigits()


@st.cache_resource
def lesson_progress() -> LessonProgress:
    """The server's one progress store, shared by every session (its lock keeps two tabs from losing an answer)."""
    return LessonProgress()


@st.cache_resource
def benchmark_jobs() -> BenchmarkJobs:
    """The server's one benchmark runner, shared by every session."""
    return BenchmarkJobs()


@st.cache_resource(ttl=600, show_spinner="Looking for GPUs…")
def device_report() -> DeviceReport:
    return discover_devices()


@st.cache_resource(max_entries=2, show_spinner="Reading your data…")
def read_upload(file_ids: tuple[str, ...], image_size: tuple[int, int], grey: bool | None, test_fraction: float,
                _files: list) -> LoadReport:
    """The uploaded file (or IDX files) as a dataset, or a ValueError that says what is wrong with them.

    Read once per upload and settings (keyed by Streamlit's file ids), not again on every click of the page: a
    zip of photos takes seconds to decode.
    """
    return load_uploaded_files([(file.getvalue(), file.name) for file in _files], image_size=image_size, grey=grey,
                               test_fraction=test_fraction)


@st.cache_resource(max_entries=8, show_spinner="Predicting every test example once…")
def _test_predictions(run_id: str, version: tuple, _model: Any, _run: TrainingRun, _dataset: Dataset
                      ) -> ExamplePredictions:
    return predictions_for(predict_all(_model, _run.spec, _dataset.x_test), _dataset.y_test, _dataset.class_names)


def test_predictions(run: TrainingRun, model: Any, dataset: Dataset) -> ExamplePredictions:
    """The model's answer for every test example, computed once per trained model and shared by all pages.

    The key names the model object and how far it trained, so a continued run is predicted afresh.
    """
    version = (id(model), len(run.history.snapshot().epochs), run.test_loss, dataset.source)
    return _test_predictions(run.run_id, version, model, run, dataset)


@st.cache_resource
def room_store() -> RoomStore:
    """The server's workshop rooms, kept on disk: one store, so its lock covers every session."""
    return RoomStore()
