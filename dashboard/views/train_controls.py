"""The Train page's settings and buttons: the data and settings a run trains with, and starting, pausing, stopping,
continuing and retrying it. The callbacks only ask the run registry; training itself runs in a worker process."""

from __future__ import annotations

import streamlit as st

from core.data.dataset import Dataset
from core.models.compile_options import DEFAULT_LEARNING_RATES, smaller_learning_rate
from core.models.editing import change_compile
from core.models.presets import Preset
from core.models.spec import MONITORS, OPTIMIZERS, SCHEDULES
from core.number_text import readable_number
from core.training.run import CONTINUABLE_STATES, RunState, TrainingRun
from core.training.sweeps import MAX_RUNS as SWEEP_MAX_RUNS
from core.training.sweeps import SETTINGS as SWEEP_SETTINGS
from core.training.sweeps import parse_values, queue_sweep, sweep_variants
from dashboard.address import PAGES_DIRECTORY
from dashboard.resources import run_registry
from dashboard.session import (
    TRAINING_DATA_KEY,
    TRAINING_KEYS,
    session_owner,
    set_current_run,
    set_working_spec,
    training_config_from_widgets,
    training_dataset,
    training_dataset_name,
    working_spec,
)
from dashboard.views.build_editor import compile_widget

TRAIN_ERROR_KEY = "train_message"
"""Why the last button press could not be done, shown once on the page."""
MORE_EPOCHS_KEY = "train_more_epochs"
SWEEP_STARTED_KEY = "sweep_started"
SCHEDULE_WORDS = {"constant": "constant", "step": "step decay: × factor every N epochs",
                  "plateau": "reduce on plateau: × factor after N epochs without progress"}


def _key(field: str) -> str:
    return TRAINING_KEYS[field]


def show_training_data(preset: Preset) -> Dataset | None:
    """The data a run would train on, with a way back to the preset's own; where there is none, why and where to get
    some (and None)."""
    data_name = training_dataset_name(preset)
    dataset, data_problem = training_dataset(preset)
    if dataset is None:
        st.info(f"This model cannot train here yet: {data_problem}", icon=":material/cloud_off:")
        if data_name != preset.dataset_name:
            st.button("Use the preset's own data", on_click=st.session_state.pop, args=(TRAINING_DATA_KEY, None))
        st.page_link(str(PAGES_DIRECTORY / "data.py"), label="See the datasets", icon=":material/dataset:")
        return None
    st.caption(f"**Data** · {dataset.summary()}")
    if data_name != preset.dataset_name:
        st.button(f"Train on the preset's own data ({preset.dataset_name}) instead", on_click=st.session_state.pop,
                  args=(TRAINING_DATA_KEY, None), icon=":material/undo:")
    return dataset


def settings_form(dataset: Dataset, busy: bool) -> None:
    """Epochs, batch size, validation, seed and shuffling; then early stopping, the schedule and the optimizer."""
    epochs, batch_size, validation_split, seed = st.columns(4)
    epochs.number_input("Epochs", min_value=1, max_value=10_000, step=1, key=_key("epochs"), disabled=busy)
    batch_size.number_input("Batch size", min_value=1, max_value=dataset.train_size, step=1, key=_key("batch_size"),
                            disabled=busy)
    validation_split.number_input("Validation split", min_value=0.0, max_value=0.9, step=0.05, disabled=busy,
                                  key=_key("validation_split"),
                                  help="Fraction of the training data held back to check for over-fitting.")
    seed.number_input("Seed", min_value=0, step=1, key=_key("seed"), disabled=busy,
                      help="Same seed, same settings: same starting weights and the same curves.")
    on_test, shuffle = st.columns(2)
    on_test.checkbox("Validate on the test set instead", key=_key("validate_on_test"), disabled=busy,
                     help="Watch the test set during training, as the classic MNIST CNN example does "
                          "(validation_data=(x_test, y_test)); set the validation split to 0 to use it.")
    shuffle.checkbox("Shuffle the training data every epoch", key=_key("shuffle"), disabled=busy)
    if gpus := run_registry().executor.gpus_available():
        st.checkbox("Train on a GPU of the cluster", key=_key("gpu"), disabled=busy,
                    help=f"The Ray cluster has {gpus} GPU{'s' if gpus > 1 else ''}; the run waits for one to be free.")
    with st.expander("Early stopping and learning-rate schedule", icon=":material/tune:"):
        patience, monitor, restore = st.columns(3, vertical_alignment="bottom")
        patience.number_input("Early-stopping patience (epochs, 0 = off)", min_value=0, step=1, disabled=busy,
                              key=_key("early_stopping_patience"),
                              help="Stop when the watched number has not improved for this many epochs.")
        monitor.selectbox("Watch", MONITORS, key=_key("early_stopping_monitor"), disabled=busy)
        restore.checkbox("Keep the best epoch's weights", key=_key("restore_best_weights"), disabled=busy)
        schedule, factor, every = st.columns(3)
        schedule.selectbox("Learning-rate schedule", SCHEDULES, key=_key("schedule"), disabled=busy,
                           format_func=SCHEDULE_WORDS.get)
        factor.number_input("Factor", min_value=0.01, max_value=0.99, step=0.05, key=_key("schedule_factor"),
                            disabled=busy, help="What the learning rate is multiplied by at each drop.")
        every.number_input("N epochs", min_value=1, step=1, key=_key("schedule_every"), disabled=busy,
                           help="Step decay: epochs between drops. Plateau: epochs without progress before a drop.")
    with st.expander("Optimizer for a quick retry (the same setting as on Build)", icon=":material/speed:"):
        spec = working_spec()
        optimizer, rate = st.columns(2)
        with optimizer:
            compile_widget(st.selectbox, "optimizer", "Optimizer", spec.compile.optimizer, options=OPTIMIZERS,
                           disabled=busy)
        with rate:
            compile_widget(st.number_input, "learning_rate", "Learning rate", spec.compile.learning_rate,
                           min_value=1e-6, format="%g", step=0.0001, disabled=busy,
                           placeholder=f"default {readable_number(DEFAULT_LEARNING_RATES[spec.compile.optimizer])}")


def run_buttons(run: TrainingRun | None, preset: Preset, busy: bool, ready: bool) -> None:
    """Start (again), pause or resume, stop, and continue for more epochs. Runs trained on the command line can be
    viewed only."""
    mine = run is not None and run.owner == session_owner()
    start, pause, stop, more, extend = st.columns([2, 1.4, 1.2, 1.2, 2], vertical_alignment="bottom")
    start.button("Start training" if run is None or busy else "Start again from scratch", type="primary",
                 disabled=busy or not ready, icon=":material/play_arrow:", on_click=start_run, args=(preset,))
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
    extend.button("Continue training", icon=":material/fast_forward:", disabled=not can_continue,
                  on_click=continue_run, args=(run,),
                  help="Train this run for more epochs from where it ended: same weights, same optimizer state, the "
                       "curves carry on.")


def show_messages() -> None:
    """What the last press of a button came to, said once: why it could not be done, or that a sweep is queued."""
    if TRAIN_ERROR_KEY in st.session_state:
        st.error(st.session_state.pop(TRAIN_ERROR_KEY))
    if SWEEP_STARTED_KEY in st.session_state:
        st.success(f"The sweep's {st.session_state.pop(SWEEP_STARTED_KEY)} runs are queued and train one after "
                   "another; the Runs page compares them.", icon=":material/stacked_line_chart:")
        st.page_link(str(PAGES_DIRECTORY / "runs.py"), label="See the sweep on Runs", icon=":material/history:")


def start_run(preset: Preset) -> None:
    """Start a new run of the model being built, with the page's settings (a button's callback)."""
    try:
        run = run_registry().start(session_owner(), preset.name, training_dataset_name(preset), working_spec(),
                                   training_config_from_widgets(preset))
    except ValueError as error:
        st.session_state[TRAIN_ERROR_KEY] = f"Cannot start: {error}"
    else:
        set_current_run(run)


def continue_run(run: TrainingRun) -> None:
    try:
        run_registry().continue_run(run, session_owner(), int(st.session_state[MORE_EPOCHS_KEY]))
    except ValueError as error:
        st.session_state[TRAIN_ERROR_KEY] = f"Cannot continue: {error}"


def retry_slower(run: TrainingRun, preset: Preset) -> None:
    """After a loss that diverged: the same model with a ten times smaller learning rate, started at once."""
    set_working_spec(change_compile(run.spec, learning_rate=smaller_learning_rate(run.spec.compile)))
    start_run(preset)


SWEEP_KEYS = (("sweep_setting", "sweep_values"), ("sweep_second_setting", "sweep_second_values"))
NOTHING = ""


def sweep_form(busy: bool, ready: bool, preset: Preset) -> None:
    """Pick one or two settings and their values; the runs train one after another and the Runs page charts them."""
    with st.expander("Hyperparameter sweep: one or two settings, several values", icon=":material/stacked_line_chart:"):
        # One setting and its values under each other, each as wide as the form: side by side, a laptop screen cut
        # both the setting's name and a list of eight learning rates short.
        for (setting_key, values_key), (label, default_values) in zip(SWEEP_KEYS, (("Vary", "32, 64, 128"),
                                                                                     ("and (optional)", ""))):
            options = list(SWEEP_SETTINGS) if setting_key == "sweep_setting" else [NOTHING, *SWEEP_SETTINGS]
            st.selectbox(label, options, key=setting_key, disabled=busy,
                         format_func=lambda name: SWEEP_SETTINGS.get(name, "nothing else"))
            st.text_input("Values", value=default_values, key=values_key, disabled=busy,
                          help="From 2 to 8 values separated by commas; every other setting as above.")
        st.button("Run the sweep", icon=":material/stacked_line_chart:", disabled=busy or not ready,
                  on_click=start_sweep, args=(preset,))
        st.caption(f"Each combination of values is one run (at most {SWEEP_MAX_RUNS}), trained one after another "
                   "with everything else as set above. The Runs page plots their final accuracy against the values "
                   "and marks the best.")


def _sweep_grid() -> dict[str, list[float]]:
    grid = {}
    for setting_key, values_key in SWEEP_KEYS:
        setting = st.session_state.get(setting_key, NOTHING)
        if setting != NOTHING:
            if setting in grid:
                raise ValueError(f"{SWEEP_SETTINGS[setting]} is chosen twice; pick two different settings.")
            grid[setting] = parse_values(setting, st.session_state[values_key])
    return grid


def start_sweep(preset: Preset) -> None:
    try:
        variants = sweep_variants(working_spec(), training_config_from_widgets(preset), _sweep_grid())
        runs = queue_sweep(run_registry(), session_owner(), preset.name, training_dataset_name(preset), variants)
    except ValueError as error:
        st.session_state[TRAIN_ERROR_KEY] = f"Cannot start the sweep: {error}"
    else:
        set_current_run(runs[0])
        st.session_state[SWEEP_STARTED_KEY] = len(runs)
