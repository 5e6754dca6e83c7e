"""Predict: browse the test examples and see what the trained model says about each one, and how sure it is."""

import numpy as np
import streamlit as st

from core.inference import predict_probabilities
from core.runs import RunState
from dashboard.charts import image_figure, point_figure, probability_bars
from dashboard.live import draw_live
from dashboard.state import PAGES_DIRECTORY, PREDICT_INDEX_KEY, current_run, dataset_named, run_registry
from dashboard.status import describe_run

st.title("Predict")
run = current_run()
if run is None:
    st.info("No trained model yet: train one first.")
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Go to Train", icon=":material/monitoring:")
    st.stop()
if run.is_active:
    draw_live(lambda: st.info(f"Your run is {describe_run(run)}. Its predictions appear here when it ends."),
              lambda: run.is_active)
    st.stop()
with st.spinner("Loading the trained model…"):
    model = run_registry().trained_model(run)
if run.state is RunState.FAILED or model is None:
    st.error(f"This run has no trained model ({describe_run(run)}). Train again on the Train page.")
    st.stop()

dataset = dataset_named(run.dataset)
accuracy = "" if run.test_accuracy is None else f", test accuracy {run.test_accuracy:.2%}"
st.caption(f"Model `{run.preset}` (run {run.run_id}{accuracy}) on {dataset.test_size:,} test examples of {dataset.title}.")

last_index = dataset.test_size - 1
st.session_state.setdefault(PREDICT_INDEX_KEY, 0)
st.session_state[PREDICT_INDEX_KEY] = min(st.session_state[PREDICT_INDEX_KEY], last_index)


def pick_random_example() -> None:
    # A fresh generator: training reseeds the global ones, which would give every visitor the same "random" list.
    st.session_state[PREDICT_INDEX_KEY] = int(np.random.default_rng().integers(0, last_index + 1))


choose, shuffle, _ = st.columns([2, 2, 3], vertical_alignment="bottom")
choose.number_input(f"Test example (0–{last_index:,})", min_value=0, max_value=last_index, step=1,
                    key=PREDICT_INDEX_KEY)
shuffle.button("Random example", on_click=pick_random_example, icon=":material/casino:")

index = int(st.session_state[PREDICT_INDEX_KEY])
probabilities = predict_probabilities(model, run.spec, dataset.x_test[index : index + 1])[0]
true_label = int(dataset.y_test[index])
predicted_label = int(probabilities.argmax())

example, verdict = st.columns([1, 2])
with example:
    if dataset.is_image:
        st.plotly_chart(image_figure(dataset.x_test[index]), width="stretch", key="example")
    elif dataset.input_shape == (2,):
        st.plotly_chart(point_figure(dataset.x_test, dataset.y_test, dataset.class_names, index), width="stretch",
                        key="example")
    else:  # A sequence of class indices, such as three letters of the alphabet.
        st.subheader(" ".join(dataset.class_names[int(value)] for value in dataset.x_test[index]) + " → ?")
with verdict:
    true_name, predicted_name = dataset.class_names[true_label], dataset.class_names[predicted_label]
    label, guess, confidence = st.columns(3)
    label.metric("True label", true_name)
    guess.metric("Predicted", predicted_name)
    confidence.metric("Confidence", f"{probabilities[predicted_label]:.1%}")
    if predicted_label == true_label:
        st.success(f"Right: the model says {predicted_name} and the label is {true_name}.", icon=":material/check:")
    else:
        st.error(f"Wrong: the model says {predicted_name} but the label is {true_name}.", icon=":material/close:")
    st.plotly_chart(probability_bars(probabilities, dataset.class_names, true_label, predicted_label), width="stretch",
                    key="probabilities")
