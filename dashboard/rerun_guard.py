"""Stop Streamlit from resetting Keras after every rerun, which sabotages runs training in background threads.

After each script run, fragment reruns included, Streamlit calls `keras.backend.clear_session()`
(`_clean_problem_modules` in `streamlit/runtime/scriptrunner/script_runner.py`; no setting turns it off).
That resets Keras's global state and TensorFlow's kernel cache under a run that is training in another
thread: with the Train page redrawing its curves a few times a second, MNIST epochs ran about 30 times
slower and the page stalled. Keras Lab keeps each model inside its run and never needs that reset. The
hook's only other duty is closing matplotlib figures, and Keras Lab draws none.
"""

from streamlit.runtime.scriptrunner import script_runner


def _leave_keras_alone() -> None:
    """Keras Lab's replacement for Streamlit's clean-up hook: there is nothing to clean."""


def keep_keras_state_across_reruns() -> None:
    """Replace the hook; if a Streamlit release renames it, tests/test_pages.py notices that Keras is reset."""
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _leave_keras_alone
