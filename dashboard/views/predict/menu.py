"""Which views the Predict page offers for a dataset, each a function of (run, model, dataset)."""

from __future__ import annotations

from typing import Any, Callable

from core.data.dataset import Dataset
from core.predict.drawing import DIGIT_SIZE
from core.training.run import TrainingRun
from dashboard.resources import test_predictions
from dashboard.session import BROWSE_VIEW
from dashboard.views.decision_regions import render_regions
from dashboard.views.predict.draw_digit import render_drawing, render_my_drawings
from dashboard.views.predict.example_browser import (
    render_browser,
    render_confusion,
    render_mistakes,
)
from dashboard.views.predict.image_upload import render_upload
from dashboard.views.predict.inside import render_inside
from dashboard.views.predict.sequences import (
    render_next_letter,
    render_review,
    render_windows,
)

View = Callable[[TrainingRun, Any, Dataset], None]


def _with_predictions(render: Callable[..., None], *, needs_model: bool = False) -> View:
    """A view drawn from the test set's predictions, which are computed once per model and then reused."""

    def view(run: TrainingRun, model: Any, dataset: Dataset) -> None:
        predictions = test_predictions(run, model, dataset)
        if needs_model:
            render(run, model, dataset, predictions)
        else:
            render(dataset, predictions)

    return view


def views_for(dataset: Dataset) -> dict[str, View]:
    """The views that make sense for the dataset's kind of examples, the first one shown by default."""
    browse = _with_predictions(render_browser)
    confusion = _with_predictions(render_confusion)
    if dataset.input_shape == (2,):
        return {"Decision regions": render_regions, BROWSE_VIEW: browse, "Confusion matrix": confusion}
    if dataset.word_index is not None:
        return {"Type a review": render_review, BROWSE_VIEW: browse, "Confusion matrix": confusion}
    if not dataset.is_image:
        return {"Next letter": render_next_letter, "Every window": _with_predictions(render_windows),
                "Inside the model": _with_predictions(render_inside, needs_model=True)}
    views = {BROWSE_VIEW: browse, "Confusion matrix": confusion, "Mistakes": _with_predictions(render_mistakes),
             "Inside the model": _with_predictions(render_inside, needs_model=True)}
    if dataset.input_shape == (DIGIT_SIZE, DIGIT_SIZE):
        views |= {"Draw a digit": render_drawing, "My drawings": render_my_drawings}
    return views | {"Upload an image": render_upload}
