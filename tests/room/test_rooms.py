"""Rooms on disk: codes and keys, learners' names, leading, a restart, and the board built from real runs."""

import csv
import io
import json
import time

import pytest

from core.models.editing import change_setting
from core.models.presets import get_preset
from core.room.board import OWN_MODEL, board_csv, board_rows, room_queue
from core.room.room import CODE_PATTERN, Room
from core.room.store import RoomStore
from core.training.history import EpochRecord
from core.training.run import RunState, TrainingRun

DENSE = get_preset("mnist-dense512")


def test_codes_and_keys_are_drawn_apart_and_a_key_opens_only_its_own_room(tmp_path):
    store = RoomStore(tmp_path)
    made = [store.create("Grace") for _ in range(200)]
    codes, keys = [room.code for room, _ in made], [key for _, key in made]
    assert all(CODE_PATTERN.fullmatch(code) for code in codes) and len(set(codes)) == 200
    assert len(set(keys)) == 200 and all(len(key) >= 32 for key in keys)
    assert not any(code in key or code.lower() in key.lower() for code, key in zip(codes, keys))
    for (room, key), (other, other_key) in zip(made, made[1:]):
        assert store.instructor_room(room.code, key) == room
        assert store.instructor_room(room.code, other_key) is None, "another room's key opens nothing here"
        assert store.instructor_room(room.code, room.code) is None
    # Only the key's digest is written down: the room's file does not hold the key.
    room, key = made[0]
    written = (tmp_path / f"{room.code}.json").read_text()
    assert key not in written and json.loads(written)["key_digest"] != key
    with pytest.raises(ValueError, match=f"That key does not open room {room.code}"):
        store.lead(room.code, made[1][1], "learn", lesson="convolution")


def test_a_room_survives_a_restart_with_its_learners_key_and_direction(tmp_path):
    store = RoomStore(tmp_path)
    room, key = store.create("  Grace   Hopper ")
    store.join(room.code, "a" * 32, "Ada")
    store.lead(room.code, key, "build", preset="mnist-cnn-2conv")

    restarted = RoomStore(tmp_path)  # A new server process over the same data directory.
    found = restarted.get(room.code.lower())
    assert found is not None and found.instructor == "Grace Hopper"
    assert found.learner("a" * 32).name == "Ada"
    assert (found.direction.number, found.direction.page, found.direction.preset) == (1, "build", "mnist-cnn-2conv")
    assert restarted.instructor_room(f"{room.code[:3]}-{room.code[3:]}", key) == found
    assert restarted.lead(room.code, key, "learn", lesson="convolution").direction.number == 2


def test_names_are_checked_kindly_and_a_learner_may_rename_themselves(tmp_path):
    store = RoomStore(tmp_path)
    room, _ = store.create("")
    assert room.instructor == "Your instructor"
    with pytest.raises(ValueError, match="Type your name"):
        store.join(room.code, "a" * 32, "   ")
    with pytest.raises(ValueError, match="at most 40"):
        store.join(room.code, "a" * 32, "x" * 41)
    joined = store.join(room.code, "a" * 32, "Ada\nLovelace").learner("a" * 32)
    assert joined.name == "Ada Lovelace"
    with pytest.raises(ValueError, match="already called ada lovelace"):
        store.join(room.code, "b" * 32, "ada lovelace")
    renamed = store.join(room.code, "a" * 32, "Countess").learner("a" * 32)
    assert renamed.name == "Countess" and renamed.joined_at == joined.joined_at
    with pytest.raises(ValueError, match="There is no room 'ZZZZZZ'"):
        store.join("ZZZZZZ", "a" * 32, "Ada")


def test_unknown_places_are_refused_and_a_damaged_room_file_is_no_room(tmp_path):
    store = RoomStore(tmp_path)
    room, key = store.create("Grace")
    with pytest.raises(ValueError, match="no lesson 'gradients'"):
        store.lead(room.code, key, "learn", lesson="gradients")
    with pytest.raises(ValueError, match="no preset 'resnet'"):
        store.lead(room.code, key, "build", preset="resnet")
    (tmp_path / "ABCDEF.json").write_text("{not json")
    assert RoomStore(tmp_path).get("ABCDEF") is None and RoomStore(tmp_path).get("../etc") is None


def finished_run(owner: str, accuracy: float, spec=DENSE.spec, epochs: int = 2, created_at: float | None = None):
    run = TrainingRun(run_id=f"run-{owner[:4]}-{accuracy}", owner=owner, preset_name=DENSE.name,
                      dataset_name="mnist", spec=spec, config=DENSE.training)
    run.history.begin(epochs, 10)
    for epoch in range(epochs):
        run.history.record_epoch(EpochRecord(epoch=epoch + 1, loss=0.5, accuracy=accuracy, val_loss=None,
                                             val_accuracy=None, seconds=0.25 * (epoch + 1)))
    run.test_accuracy, run.created_at = accuracy, created_at or time.time()
    run.settle(RunState.FINISHED)
    return run


def test_the_board_shows_each_learners_best_run_and_what_they_do_now():
    ada, alan, linus, outsider = "a" * 32, "b" * 32, "c" * 32, "d" * 32
    room = Room(code="ABCDEF", key_digest="", instructor="Grace")
    room = room.with_learner(ada, "Ada").with_learner(alan, "Alan").with_learner(linus, "<script>")
    before_joining = finished_run(alan, 0.99, created_at=room.learners[alan].joined_at - 60)
    own_spec = change_setting(DENSE.spec, 1, "units", 64)
    best, worse = finished_run(ada, 0.95, spec=own_spec), finished_run(ada, 0.90)
    training = TrainingRun(run_id="run-ada-now", owner=ada, preset_name=DENSE.name, dataset_name="mnist",
                           spec=DENSE.spec, config=DENSE.training, state=RunState.RUNNING)
    training.history.begin(4, 10)
    training.history.begin_epoch(2)
    waiting = TrainingRun(run_id="run-alan-wait", owner=alan, preset_name=DENSE.name, dataset_name="mnist",
                          spec=DENSE.spec, config=DENSE.training)
    runs = [before_joining, worse, best, training, waiting, finished_run(outsider, 1.0)]

    rows = board_rows(room, runs, places_ahead=lambda run: 1 if run is waiting else 0)
    assert [row.learner for row in rows] == ["Ada", "<script>", "Alan"]
    first = rows[0]
    assert (first.test_accuracy, first.model, first.epochs, first.runs) == (0.95, OWN_MODEL, 2, 3)
    assert first.parameters == 784 * 64 + 64 + 64 * 10 + 10 and first.seconds_per_epoch == 0.5
    assert first.state == "training, epoch 2/4", "the state is the latest run's, the figures the best run's"
    assert (rows[1].state, rows[1].test_accuracy) == ("no run yet", None)
    assert rows[2].state == "waiting, 1 run ahead" and rows[2].test_accuracy is None, "the run from before joining"
    assert [(item.place, item.learner) for item in room_queue(room, runs, lambda run: 1)] == [(2, "Alan")]

    table = list(csv.reader(io.StringIO(board_csv(rows))))
    assert table[0][:3] == ["learner", "test accuracy", "model"]
    assert table[1] == ["Ada", "0.9500", OWN_MODEL, "50890", "2", "0.5", "training, epoch 2/4", "3"]
    assert table[2][0] == "<script>" and table[2][1] == ""
