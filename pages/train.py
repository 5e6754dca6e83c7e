"""Train: set how to train; start, pause, stop or continue; and watch the curves draw themselves."""

import streamlit as st

from core.models.analysis import analyse_spec
from core.models.compile_options import smaller_learning_rate
from core.number_text import readable_number
from dashboard.address import PAGES_DIRECTORY
from dashboard.session import (
    current_run,
    default_training_settings,
    selected_preset,
    working_spec,
)
from dashboard.views.run_actions import saved_model_path
from dashboard.views.run_progress import draw_run
from dashboard.views.train_controls import (
    retry_slower,
    run_buttons,
    settings_form,
    show_messages,
    show_training_data,
    sweep_form,
)

preset = selected_preset()
spec = working_spec()
st.title("Train")
edited = " as you edited it on Build" if spec != preset.spec else ""
st.markdown(f"**{preset.title}** (`{preset.name}`){edited}")
dataset = show_training_data(preset)
if dataset is None:
    st.stop()
analysis = analyse_spec(spec, dataset.input_shape, dataset.num_classes)
if not analysis.ok:
    st.error(f"This model cannot train yet: {analysis.problems[0]}", icon=":material/error:")
    st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Fix it on Build", icon=":material/account_tree:")

run = current_run()
busy = run is not None and run.is_active
default_training_settings(preset)
settings_form(dataset, busy)
run_buttons(run, preset, busy, analysis.ok)
sweep_form(busy, analysis.ok, preset)
show_messages()

if run is None:
    st.info("Press **Start training**: the curves appear as soon as the first batches are done.")
else:
    if run.preset_name != preset.name:
        st.caption(f"Showing your last run, of `{run.preset_name}`. Start training to run `{preset.name}`.")
    draw_run(run)
    if run.diverged and run.preset_name == preset.name:
        st.button(f"Retry with learning rate {readable_number(smaller_learning_rate(run.spec.compile))}",
                  icon=":material/replay:", on_click=retry_slower, args=(run, preset))
    if not run.is_active and (run.model is not None or saved_model_path(run) is not None):  # Stopped runs too.
        st.page_link(str(PAGES_DIRECTORY / "predict.py"), label="See its predictions", icon=":material/visibility:")
