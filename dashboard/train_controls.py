"""The Train page's settings and buttons: what a run trains with, and starting, pausing, stopping, continuing and
retrying it. The callbacks only ask the run registry; training itself never runs in the page's thread."""

from __future__ import annotations

import streamlit as st

from core.data.catalogue import Dataset
from core.models.compile_options import DEFAULT_LEARNING_RATES, smaller_learning_rate
from core.models.editing import change_compile
from core.models.presets import Preset
from core.models.spec import MONITORS, OPTIMIZERS, SCHEDULES
from core.number_text import readable_number
from core.training.registry import TrainingRun
from core.training.sweeps import MAX_RUNS as SWEEP_MAX_RUNS
from core.training.sweeps import SETTINGS as SWEEP_SETTINGS
from core.training.sweeps import parse_values, sweep_variants
from dashboard.builder import compile_widget
from dashboard.state import (
    TRAINING_KEYS,
    run_registry,
    session_owner,
    set_current_run,
    set_working_spec,
    training_config_from_widgets,
    training_dataset_name,
    working_spec,
)

MESSAGE_KEY = "train_message"
"""Why the last button press could not be done, shown once on the page."""
MORE_EPOCHS_KEY = "train_more_epochs"
SWEEP_STARTED_KEY = "sweep_started"
SCHEDULE_WORDS = {"constant": "constant", "step": "step decay: × factor every N epochs",
                  "plateau": "reduce on plateau: × factor after N epochs without progress"}


def _key(field: str) -> str:
    return TRAINING_KEYS[field]


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


def start_run(preset: Preset) -> None:
    """Start a new run of the model being built, with the page's settings (a button's callback)."""
    try:
        run = run_registry().start(session_owner(), preset.name, training_dataset_name(preset), working_spec(),
                                   training_config_from_widgets(preset))
    except ValueError as error:
        st.session_state[MESSAGE_KEY] = f"Cannot start: {error}"
    else:
        set_current_run(run)


def continue_run(run: TrainingRun) -> None:
    try:
        run_registry().continue_run(run, session_owner(), int(st.session_state[MORE_EPOCHS_KEY]))
    except ValueError as error:
        st.session_state[MESSAGE_KEY] = f"Cannot continue: {error}"


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
        runs = run_registry().start_sweep(session_owner(), preset.name, training_dataset_name(preset), variants)
    except ValueError as error:
        st.session_state[MESSAGE_KEY] = f"Cannot start the sweep: {error}"
    else:
        set_current_run(runs[0])
        st.session_state[SWEEP_STARTED_KEY] = len(runs)
