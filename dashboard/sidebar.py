"""The sidebar every page shows: the model, the dataset and the run."""

from __future__ import annotations

import streamlit as st

from core.data.catalogue import loaded_dataset
from core.data.dataset import dataset_outline
from core.training.run import TrainingRun
from dashboard.live_frames import live_line_frame
from dashboard.session import (
    current_run,
    selected_preset,
    training_dataset_name,
    working_spec,
)
from dashboard.views.run_status import describe_run


def show_run_line(run: TrainingRun) -> None:
    """The sidebar's line about the run: while it is active, a frame that keeps the line live without rerunning the
    page and tells the registry that someone is still watching (a run nobody watches is stopped)."""
    if run.is_active:
        live_line_frame(run)
    else:
        st.markdown(f"**Run** · {describe_run(run)}")


def render_sidebar() -> None:
    """The model, the dataset and the run, on every page."""
    preset = selected_preset()
    with st.sidebar:
        edited = ", edited" if working_spec() != preset.spec else ""
        st.markdown(f"**Model** · {preset.title}  \n`{preset.name}`{edited}")
        data_name = training_dataset_name(preset)
        dataset = loaded_dataset(data_name)
        if dataset is None:
            st.markdown(f"**Dataset** · `{data_name}` (loads when you open Build or Train)"
                        if data_name != preset.dataset_name or dataset_outline(data_name).available else
                        f"**Dataset** · `{data_name}`, not in Keras Lab yet: upload yours on Data")
        else:
            st.markdown(
                f"**Dataset** · {dataset.title}, {dataset.train_size:,} train / {dataset.test_size:,} test  \n"
                f"Source: {dataset.source}"
            )
        run = current_run()
        if run is None:
            st.markdown("**Run** · none yet")
        else:
            show_run_line(run)
