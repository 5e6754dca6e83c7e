"""The Data page through AppTest: every dataset's availability, and a look at the built-in ones."""

import json

from test_pages import open_app, page_text, visit


def test_the_catalogue_says_where_each_dataset_is():
    app = visit(open_app(), "data")
    catalogue = app.dataframe[0].value
    statuses = dict(zip(catalogue["dataset"], catalogue["here?"]))
    assert statuses == {"mnist": "shipped sample", "spiral": "built in", "alphabet": "built in",
                        "fashion_mnist": "unreachable", "cifar10": "unreachable", "imdb": "unreachable",
                        "catsdogs": "upload"}, "offline, nothing cached (conftest)"
    assert catalogue.set_index("dataset")["download (MB)"]["cifar10"] > 100


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
    windows = app.dataframe[1].value
    assert windows["input"].iloc[0] == "A B C" and windows["next"].iloc[0] == "D"
    app.selectbox(key="data_view").set_value("imdb").run()
    assert "It needs 19.1 MB" in page_text(app) and not app.exception
