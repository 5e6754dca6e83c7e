"""What the page tests share: Streamlit's AppTest on the real app, moving between pages, and reading a page back as
a learner sees it (its text, metrics, buttons, the sidebar's run line, widget keys)."""

import json

from conftest import REPOSITORY, wait_until
from streamlit.testing.v1 import AppTest

APP = str(REPOSITORY / "dashboard" / "main.py")
PAGES = "../pages"


def open_app() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    return app


def visit(app: AppTest, page: str) -> AppTest:
    app.switch_page(f"{PAGES}/{page}.py").run()
    assert not app.exception, app.exception
    return app


def page_text(app: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*app.markdown, *app.caption, *app.info, *app.error])


def metrics_of(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def train_page(preset: str = "spiral-dense10") -> AppTest:
    app = visit(open_app(), "build")
    app.selectbox(key="preset").set_value(preset).run()
    return visit(app, "train")


def button(app: AppTest, label: str):
    return next(item for item in app.button if item.label == label)


def sidebar_run(app: AppTest) -> str:
    """The sidebar's line about the run: while the run is active, the line its live frame was drawn with (see
    `dashboard.live_frames`), else the markdown that replaces the frame once it settles."""
    frames = app.sidebar.get("component_instance")
    if frames:
        return json.loads(json.loads(frames[-1].proto.json_args)["update"])["line"]
    return app.sidebar.markdown[-1].value


def settle(app: AppTest, words: str) -> None:
    wait_until(lambda: app.run() and words in sidebar_run(app), every=0.3)


def key_of(app: AppTest, kind: str, prefix: str, suffix: str) -> str:
    """The current key of a Build widget (keys carry a counter of structural edits)."""
    return next(widget.key for widget in getattr(app, kind) if widget.key and widget.key.startswith(prefix)
                and widget.key.endswith(suffix))
