"""Every KERAS_LAB_* setting follows one rule: unset means the default, a good value is used, and a bad one is
named in the log while the default stands (a deployment's typo never stops the server, nor passes unnoticed)."""

import logging
from pathlib import Path

import pytest

from core import settings

NUMBER_SETTINGS = [
    (settings.max_upload_bytes, settings.MAX_UPLOAD_VARIABLE, "1.5", int(1.5 * 2**20), 200 * 2**20),
    (settings.max_parameters, settings.MAX_PARAMETERS_VARIABLE, "1000", 1000, settings.DEFAULT_MAX_PARAMETERS),
    (settings.max_concurrent_runs, settings.MAX_RUNS_VARIABLE, "3", 3, settings.DEFAULT_MAX_RUNS),
    (settings.orphan_seconds, settings.ORPHAN_VARIABLE, "2.5", 2.5, settings.DEFAULT_ORPHAN_SECONDS),
]


@pytest.mark.parametrize(("read", "variable", "good", "value", "default"), NUMBER_SETTINGS)
def test_a_number_setting_takes_a_good_value_and_falls_back_from_a_bad_one(monkeypatch, caplog, read, variable,
                                                                         good, value, default):
    monkeypatch.delenv(variable, raising=False)
    assert read() == default
    monkeypatch.setenv(variable, good)
    assert read() == value
    for bad in ("lots", "0", "-2", "inf", "nan"):
        monkeypatch.setenv(variable, bad)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="core.settings"):
            assert read() == default
        assert f"{variable}={bad!r} is not" in caplog.text and "using the default" in caplog.text


@pytest.mark.parametrize(("read", "variable", "default"), [
    (settings.max_parameters, settings.MAX_PARAMETERS_VARIABLE, settings.DEFAULT_MAX_PARAMETERS),
    (settings.max_concurrent_runs, settings.MAX_RUNS_VARIABLE, settings.DEFAULT_MAX_RUNS)])
def test_a_count_must_be_whole(monkeypatch, caplog, read, variable, default):
    monkeypatch.setenv(variable, "2.5")
    with caplog.at_level(logging.WARNING, logger="core.settings"):
        assert read() == default
    assert "a whole number" in caplog.text


def test_the_data_directory_and_offline_switch(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.HOME_VARIABLE, str(tmp_path))
    assert settings.data_directory() == tmp_path
    monkeypatch.delenv(settings.HOME_VARIABLE)
    assert settings.data_directory() == Path.home() / ".keras-lab"
    for text, offline in (("", False), ("0", False), ("1", True), ("yes", True)):
        monkeypatch.setenv(settings.OFFLINE_VARIABLE, text)
        assert settings.is_offline() is offline
