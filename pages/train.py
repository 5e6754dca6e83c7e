"""Train: set epochs and batch size, start or stop, and watch the curves draw themselves."""

import pandas as pd
import streamlit as st

from core.datasets import dataset_outline
from core.runs import RunState, TrainingRun
from core.shapes import analyse_spec
from dashboard.charts import training_curve
from dashboard.live import draw_live
from dashboard.state import (
    PAGES_DIRECTORY,
    current_run,
    dataset_named,
    default_training_settings,
    run_registry,
    selected_preset,
    session_owner,
    set_current_run,
    training_config_from_widgets,
    working_spec,
)
from dashboard.status import describe_run


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def draw_run(run: TrainingRun) -> None:
    """Progress, the live curves, epoch times and, once done, the test scores of one run."""
    snapshot = run.history.snapshot()
    if run.state is RunState.FAILED:
        st.error(f"Training failed: {run.message}")
    elif run.state is RunState.STOPPED:
        st.warning(f"Training stopped: {run.message}")
    progress_text = describe_run(run)
    if run.state is RunState.RUNNING and snapshot.total_epochs:
        progress_text += (
            f" · batch {snapshot.batches_in_epoch}/{snapshot.batches_per_epoch}"
            f" · {format_seconds(snapshot.elapsed_seconds)} elapsed · about {format_seconds(snapshot.eta_seconds)} left"
        )
    st.progress(snapshot.fraction_done, text=progress_text)

    loss_column, accuracy_column = st.columns(2)
    loss_column.plotly_chart(training_curve(snapshot, "loss"), width="stretch", key="loss_curve")
    accuracy_column.plotly_chart(training_curve(snapshot, "accuracy"), width="stretch", key="accuracy_curve")

    epoch_time, test_loss, test_accuracy = st.columns(3)
    epoch_time.metric("Seconds per epoch", format_seconds(snapshot.steady_epoch_seconds),
                      help="Median over the epochs after the first, which also compiles the model.")
    if not run.is_active:  # The scores exist a moment before the run settles (while it is saved).
        if run.test_loss is not None:
            test_loss.metric("Test loss", f"{run.test_loss:.4f}")
        if run.test_accuracy is not None:
            test_accuracy.metric("Test accuracy", f"{run.test_accuracy:.2%}")
    if snapshot.epochs:
        with st.expander("Every epoch"):
            table = pd.DataFrame([record.to_dict() for record in snapshot.epochs]).dropna(axis="columns", how="all")
            st.dataframe(table, hide_index=True, width="stretch")


preset = selected_preset()
spec = working_spec()
st.title("Train")
edited = " as you edited it on Build" if spec != preset.spec else ""
st.markdown(f"**{preset.title}** (`{preset.name}`){edited}")
outline = dataset_outline(preset.dataset)
if not outline.available:
    st.info(f"{outline.title} is not in Keras Lab yet, so this model cannot train here. Build shows its layers and "
            "exports a script that trains it where the data is.", icon=":material/info:")
    st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Back to Build", icon=":material/account_tree:")
    st.stop()
dataset = dataset_named(preset.dataset)
st.caption(f"**Data** · {dataset.summary()}")
analysis = analyse_spec(spec, dataset.input_shape, dataset.num_classes)
if not analysis.ok:
    st.error(f"This model cannot train yet: {analysis.problems[0]}", icon=":material/error:")
    st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Fix it on Build", icon=":material/account_tree:")

run = current_run()
busy = run is not None and run.is_active
default_training_settings(preset)

epochs, batch_size, validation_split, seed = st.columns(4)
epochs.number_input("Epochs", min_value=1, max_value=10_000, step=1, key="train_epochs", disabled=busy)
batch_size.number_input("Batch size", min_value=1, max_value=dataset.train_size, step=1, key="train_batch_size",
                        disabled=busy)
validation_split.number_input("Validation split", min_value=0.0, max_value=0.9, step=0.05, key="train_validation_split",
                              disabled=busy, help="Fraction of the training data held back to check for over-fitting.")
seed.number_input("Seed", min_value=0, step=1, key="train_seed", disabled=busy,
                  help="Same seed, same settings: same starting weights and the same curves.")
st.checkbox("Validate on the test set instead", key="train_validate_on_test", disabled=busy,
            help="Watch the test set during training, as the classic MNIST CNN example does "
                 "(validation_data=(x_test, y_test)); set the validation split to 0 to use it.")

start, stop, _ = st.columns([1, 1, 4])
if start.button("Start training", type="primary", disabled=busy or not analysis.ok, icon=":material/play_arrow:"):
    try:
        run = run_registry().start(session_owner(), preset.name, preset.dataset, spec,
                                   training_config_from_widgets())
    except ValueError as error:
        st.error(f"Cannot start: {error}")
    else:
        set_current_run(run)
        st.rerun()
if stop.button("Stop", disabled=not busy, icon=":material/stop:"):
    run.request_stop()
    st.toast("Stopping within a batch or two…")

if run is None:
    st.info("Press **Start training**: the curves appear as soon as the first batches are done.")
else:
    if run.preset != preset.name:
        st.caption(f"Showing your last run, of `{run.preset}`. Start training to run `{preset.name}`.")
    draw_live(lambda: draw_run(run), lambda: run.is_active)
    if run.state is RunState.FINISHED:
        st.page_link(str(PAGES_DIRECTORY / "predict.py"), label="See its predictions", icon=":material/visibility:")
