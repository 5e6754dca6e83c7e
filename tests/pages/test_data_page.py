"""The Data page through AppTest: every dataset's availability, and a look at the built-in ones."""

import json

import tomllib
from conftest import REPOSITORY
from page_support import open_app, page_text, visit

from core.settings import DEFAULT_UPLOAD_MEGABYTES, MAX_UPLOAD_VARIABLE


def test_the_catalogue_says_where_each_dataset_is():
    app = visit(open_app(), "data")
    catalogue = app.table[0].value
    statuses = dict(zip(catalogue["dataset"], catalogue["here?"]))
    assert statuses == {"mnist": "shipped sample", "spiral": "built in", "alphabet": "built in",
                        "fashion_mnist": "unreachable", "cifar10": "unreachable", "imdb": "unreachable",
                        "catsdogs": "upload"}, "offline, nothing cached (conftest)"
    downloads = catalogue.set_index("dataset")["download"]
    assert (downloads["cifar10"], downloads["spiral"]) == ("170.5 MB", "—"), "sizes in words, no None"


def test_each_kind_of_dataset_is_shown_its_own_way():
    app = visit(open_app(), "data")
    assert app.metric[0].value == "4,000" and app.metric[2].value == "28×28" and app.metric[3].value == "0 to 255"
    balance = json.loads(app.get("plotly_chart")[0].proto.spec)["data"]
    assert [trace["name"] for trace in balance] == ["train", "test"]
    assert len(app.get("image")) == 10 * 8, "eight training digits of each of the ten classes"

    app.selectbox(key="data_view").set_value("spiral").run()
    assert [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in app.get("plotly_chart")] == [
        "Examples per class", "The training points"]
    app.selectbox(key="data_view").set_value("alphabet").run()
    windows = app.dataframe[0].value
    assert windows["input"].iloc[0] == "A B C" and windows["next"].iloc[0] == "D"
    app.selectbox(key="data_view").set_value("imdb").run()
    assert "It needs 19.1 MB" in page_text(app) and not app.exception


def test_one_upload_limit_is_stated_and_enforced_by_every_data_and_model_uploader(monkeypatch):
    server_ceiling = tomllib.loads((REPOSITORY / ".streamlit" / "config.toml").read_text()).get("server", {}).get(
        "maxUploadSize", 200)  # Streamlit's own default.
    assert server_ceiling >= DEFAULT_UPLOAD_MEGABYTES, "Streamlit's server must not refuse what Keras Lab accepts"
    monkeypatch.setenv(MAX_UPLOAD_VARIABLE, "150")
    app = visit(open_app(), "data")
    [uploader] = app.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 150 and "Files of up to 150 MB each." in page_text(app)
    app = visit(open_app(), "runs")
    assert [uploader.proto.max_upload_size_mb for uploader in app.get("file_uploader")] == [150]
