"""Train: set how to train; start, pause, stop or continue; and watch the curves draw themselves."""

import pandas as pd
import streamlit as st

from core.data.catalogue import loaded_dataset
from core.models.analysis import analyse_spec
from core.models.compile_options import learning_rate_used, smaller_learning_rate
from core.models.inputs import split_sizes
from core.number_text import readable_loss, readable_number
from core.training.registry import CONTINUABLE_STATES, RunState, TrainingRun
from dashboard.charts import training_curve
from dashboard.live import draw_live
from dashboard.run_actions import saved_model_path
from dashboard.spiral_view import show_regions
from dashboard.state import (
    PAGES_DIRECTORY,
    TRAINING_DATA_KEY,
    current_run,
    default_training_settings,
    run_registry,
    selected_preset,
    session_owner,
    training_dataset,
    training_dataset_name,
    working_spec,
)
from dashboard.status import describe_run
from dashboard.train_controls import (
    MESSAGE_KEY,
    MORE_EPOCHS_KEY,
    SWEEP_STARTED_KEY,
    continue_run,
    retry_slower,
    settings_form,
    start_run,
    sweep_form,
)


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
    elif run.state is RunState.FINISHED and run.message:
        st.info(f"Training finished: {run.message}", icon=":material/flag:")
    progress_text = run.state.value if run.state in (RunState.STOPPED, RunState.FAILED) else describe_run(run)
    if run.state is RunState.RUNNING and snapshot.total_epochs:
        progress_text += (
            f" · batch {snapshot.batches_in_epoch}/{snapshot.batches_per_epoch}"
            f" · {format_seconds(snapshot.elapsed_seconds)} elapsed · about {format_seconds(snapshot.eta_seconds)} left"
        )
    st.progress(snapshot.fraction_done, text=progress_text)

    loss_column, accuracy_column = st.columns(2)
    loss_column.plotly_chart(training_curve(snapshot, "loss"), width="stretch", key="loss_curve")
    accuracy_column.plotly_chart(training_curve(snapshot, "accuracy"), width="stretch", key="accuracy_curve")
    points = loaded_dataset(run.dataset)
    if run.regions is not None and points is not None:
        show_regions(run.regions, points, key="live_regions")

    epoch_time, speed, rate, test_loss, test_accuracy = st.columns(5)
    epoch_time.metric("Seconds per epoch", format_seconds(snapshot.steady_epoch_seconds),
                      help="Median over the epochs after the first, which also compiles the model.")
    fitted, _ = split_sizes(run.train_size, run.config.validation_split) if run.train_size else (0, 0)
    speed.metric("Samples per second", "–" if not (fitted and snapshot.steady_epoch_seconds) else
                 f"{fitted / snapshot.steady_epoch_seconds:,.0f}",
                 help="Training examples per second of an epoch, its validation pass included.")
    last_rate = snapshot.epochs[-1].learning_rate if snapshot.epochs else None
    shown_rate = learning_rate_used(run.spec.compile) if last_rate is None else last_rate
    rate.metric("Learning rate", readable_number(shown_rate),
                help="As it was in the last epoch (schedules change it); before one ended, as the run started.")
    if not run.is_active:  # The scores exist a moment before the run settles (while it is saved).
        if run.test_loss is not None:
            test_loss.metric("Test loss", readable_loss(run.test_loss))
        if run.test_accuracy is not None:
            test_accuracy.metric("Test accuracy", f"{run.test_accuracy:.2%}")
    if snapshot.epochs:
        with st.expander("Every epoch"):
            table = pd.DataFrame([record.to_dict() for record in snapshot.epochs]).dropna(axis="columns", how="all")
            if "learning_rate" in table:
                table["learning_rate"] = table["learning_rate"].map(readable_number)
            st.dataframe(table, hide_index=True, width="stretch")


preset = selected_preset()
spec = working_spec()
st.title("Train")
edited = " as you edited it on Build" if spec != preset.spec else ""
st.markdown(f"**{preset.title}** (`{preset.name}`){edited}")
data_name = training_dataset_name(preset)
dataset, data_problem = training_dataset(preset)
if dataset is None:
    st.info(f"This model cannot train here yet: {data_problem}", icon=":material/cloud_off:")
    if data_name != preset.dataset:
        st.button("Use the preset's own data", on_click=st.session_state.pop, args=(TRAINING_DATA_KEY, None))
    st.page_link(str(PAGES_DIRECTORY / "data.py"), label="See the datasets", icon=":material/dataset:")
    st.stop()
st.caption(f"**Data** · {dataset.summary()}")
if data_name != preset.dataset:
    st.button(f"Train on the preset's own data ({preset.dataset}) instead", on_click=st.session_state.pop,
              args=(TRAINING_DATA_KEY, None), icon=":material/undo:")
analysis = analyse_spec(spec, dataset.input_shape, dataset.num_classes)
if not analysis.ok:
    st.error(f"This model cannot train yet: {analysis.problems[0]}", icon=":material/error:")
    st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Fix it on Build", icon=":material/account_tree:")

run = current_run()
busy = run is not None and run.is_active
mine = run is not None and run.owner == session_owner()  # Runs trained on the command line can be viewed only.
default_training_settings(preset)
settings_form(dataset, busy)

start, pause, stop, more, extend = st.columns([2, 1.4, 1.2, 1.2, 2], vertical_alignment="bottom")
start.button("Start training" if run is None or busy else "Start again from scratch", type="primary",
             disabled=busy or not analysis.ok, icon=":material/play_arrow:", on_click=start_run, args=(preset,))
paused = run is not None and run.state is RunState.PAUSED
# Two one-way actions rather than a toggle: a click that Streamlit delivers twice (a live redraw running at the
# moment of the click can replay it) must not pause and then resume at once.
pause.button("Resume" if paused else "Pause", icon=":material/play_circle:" if paused else ":material/pause:",
             disabled=not mine or run.state not in (RunState.RUNNING, RunState.PAUSED),
             on_click=None if run is None else run.resume if paused else run.pause)
if stop.button("Stop", disabled=not (busy and mine), icon=":material/stop:",
               help="Stops the run within a batch or two; for a sweep, its runs still to come too."):
    run_registry().stop(run)
    st.toast("Stopping within a batch or two…")
can_continue = mine and run.state in CONTINUABLE_STATES
more.number_input("More epochs", min_value=1, max_value=10_000, value=2, step=1, key=MORE_EPOCHS_KEY,
                  disabled=not can_continue)
extend.button("Continue training", icon=":material/fast_forward:", disabled=not can_continue, on_click=continue_run,
              args=(run,), help="Train this run for more epochs from where it ended: same weights, same optimizer "
                                "state, the curves carry on.")
sweep_form(busy, analysis.ok, preset)
if MESSAGE_KEY in st.session_state:
    st.error(st.session_state.pop(MESSAGE_KEY))
if SWEEP_STARTED_KEY in st.session_state:
    st.success(f"The sweep's {st.session_state.pop(SWEEP_STARTED_KEY)} runs are queued and train one after another; "
               "the Runs page compares them.", icon=":material/stacked_line_chart:")
    st.page_link(str(PAGES_DIRECTORY / "runs.py"), label="See the sweep on Runs", icon=":material/history:")

if run is None:
    st.info("Press **Start training**: the curves appear as soon as the first batches are done.")
else:
    if run.preset != preset.name:
        st.caption(f"Showing your last run, of `{run.preset}`. Start training to run `{preset.name}`.")
    draw_live(lambda: draw_run(run), lambda: run.is_active)
    if run.diverged and run.preset == preset.name:
        st.button(f"Retry with learning rate {readable_number(smaller_learning_rate(run.spec.compile))}",
                  icon=":material/replay:", on_click=retry_slower, args=(run, preset))
    if not run.is_active and (run.model is not None or saved_model_path(run) is not None):  # Stopped runs too.
        st.page_link(str(PAGES_DIRECTORY / "predict.py"), label="See its predictions", icon=":material/visibility:")
