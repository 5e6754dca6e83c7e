"""The decision regions of a model of 2-D points, as TensorFlow Playground draws them, on Train and Predict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import streamlit as st

from core.data.dataset import Dataset
from core.training.run import TrainingRun
from dashboard.figures.predictions import regions_figure
from dashboard.live import built_once_per_version

if TYPE_CHECKING:  # core.predict.regions imports Keras: the Train page shows regions without importing it.
    from core.predict.regions import DecisionRegions


def regions_chart(regions: DecisionRegions, dataset: Dataset) -> go.Figure:
    """Each class's region with the training points on top; paler where the model is unsure."""
    when = "" if regions.epoch is None else f" after epoch {regions.epoch}"
    return regions_figure(regions.xs, regions.ys, regions.predicted, regions.probabilities.max(axis=-1),
                          dataset.x_train, dataset.y_train, dataset.class_names, f"Decision regions{when}")


def regions_version(regions: DecisionRegions) -> tuple[int | None, int]:
    return regions.epoch, hash(regions.probabilities.tobytes())  # New regions come every few epochs.


def show_regions(regions: DecisionRegions, dataset: Dataset, key: str) -> None:
    figure = built_once_per_version(key, regions_version(regions), lambda: regions_chart(regions, dataset))
    st.plotly_chart(figure, width="stretch", key=key)


def render_regions(run: TrainingRun, model: Any, dataset: Dataset) -> None:
    from core.predict.regions import decision_regions

    show_regions(decision_regions(model, run.spec, dataset.x_train, epoch=run.model_epochs), dataset, key="regions")
    st.caption("The colour at each point of the plane is the class the model gives it; pale where it hesitates. "
               "A good model's regions follow the arms of the spiral; while it trains, the Train page redraws them "
               "every few epochs.")
