"""Home: what Keras Lab is and the way through it. Light on purpose: it must appear before TensorFlow loads."""

import streamlit as st

from dashboard.address import PAGES_DIRECTORY

st.title(":material/science: Keras Lab")
st.markdown(
    "Build a neural network layer by layer, train it with **real Keras** while the curves draw themselves, "
    "and look at what it predicts, one example at a time."
)

learn, build, train, predict = st.columns(4)
with learn:
    st.subheader("1 · Learn")
    st.markdown("New to neural networks? Seven short lessons, each with something to touch and a question, each "
                "ending in a model to try.")
    st.page_link(str(PAGES_DIRECTORY / "learn.py"), label="Start the lessons", icon=":material/school:")
with build:
    st.subheader("2 · Build")
    st.markdown("Start from a classic example, such as the MNIST network with one hidden layer of 512 units.")
    st.page_link(str(PAGES_DIRECTORY / "build.py"), label="Choose a model", icon=":material/account_tree:")
with train:
    st.subheader("3 · Train")
    st.markdown("Watch loss and accuracy per batch and per epoch, with progress and time left. Stop at any moment.")
    st.page_link(str(PAGES_DIRECTORY / "train.py"), label="Train it", icon=":material/monitoring:")
with predict:
    st.subheader("4 · Predict")
    st.markdown("Browse the test examples: the input, the true label, the model's guess and how sure it is.")
    st.page_link(str(PAGES_DIRECTORY / "predict.py"), label="See predictions", icon=":material/visibility:")

st.caption(
    "Works offline: when the full MNIST cannot be downloaded, Keras Lab trains on 5,000 real MNIST digits it ships."
)
