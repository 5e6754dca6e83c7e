import math

from run_support import SPIRAL

from core.training.history import EpochRecord, RunHistory, samples_per_second


def test_batches_reported_out_of_order_are_kept_in_step_order():
    history = RunHistory()
    history.begin(total_epochs=1, batches_per_epoch=4)
    for step, loss in ((0, 4.0), (2, 2.0), (1, 3.0), (3, 1.0)):
        history.record_batch(step, loss, None)
    snapshot = history.snapshot()
    assert snapshot.batch_losses == (4.0, 3.0, 2.0, 1.0)
    assert all(math.isnan(value) for value in snapshot.batch_accuracies)
    assert snapshot.fraction_done == 1.0


def test_progress_and_time_left_follow_the_pace_so_far():
    history = RunHistory()
    assert history.snapshot().eta_seconds is None and history.snapshot().fraction_done == 0.0
    history.begin(total_epochs=2, batches_per_epoch=5)
    for step in range(5):
        history.record_batch(step, 1.0, 0.5)
    snapshot = history.snapshot()
    assert snapshot.fraction_done == 0.5
    assert math.isclose(snapshot.eta_seconds, snapshot.elapsed_seconds), "half done: as long again"


def test_steady_epoch_time_leaves_out_the_first_epoch():
    history = RunHistory()
    for epoch, seconds in enumerate([9.0, 1.0, 2.0, 3.0], start=1):
        history.record_epoch(EpochRecord(epoch=epoch, loss=1.0, accuracy=None, seconds=seconds))
    assert history.snapshot().steady_epoch_seconds == 2.0


def test_a_history_survives_its_round_trip_through_json_data():
    history = RunHistory()
    history.begin(total_epochs=1, batches_per_epoch=2)
    history.record_batch(0, 1.5, 0.25)
    history.record_batch(1, 1.0, 0.5)
    history.record_epoch(EpochRecord(epoch=1, loss=1.2, accuracy=0.4, seconds=0.1, val_loss=1.3, val_accuracy=0.3))
    again = RunHistory.from_dict(history.to_dict()).snapshot()
    assert again == history.snapshot()


def test_samples_per_second_count_the_examples_fitted_in_a_steady_epoch():
    history = RunHistory()
    for epoch, seconds in enumerate([9.0, 2.0, 2.0], start=1):
        history.record_epoch(EpochRecord(epoch=epoch, loss=1.0, accuracy=None, seconds=seconds))
    snapshot = history.snapshot()
    assert samples_per_second(snapshot, train_size=1000, validation_split=0.2) == 400.0, "800 fitted in 2 s"
    assert samples_per_second(snapshot, train_size=1000, validation_split=0.0) == 500.0
    assert samples_per_second(snapshot, train_size=0, validation_split=0.2) is None, "a model opened from a file"
    assert samples_per_second(RunHistory().snapshot(), train_size=1000, validation_split=0.2) is None


def test_changes_go_to_another_copy_in_step_order_even_when_batches_arrive_out_of_order():
    """A worker's history reaches the server as changes: a step Keras reports late is never skipped."""
    worker, server = RunHistory(), RunHistory()
    worker.begin(total_epochs=2, batches_per_epoch=3)
    worker.begin_epoch(1)
    for step in (0, 2):  # Step 1's batch-end hook has not run yet.
        worker.record_batch(step, loss=float(step), accuracy=None)
    sent = server.apply_changes(worker.changes_since(0, 0))
    assert sent == (1, 0) and server.snapshot().batch_losses == (0.0,), "only as far as every step is in"
    worker.record_batch(1, loss=1.0, accuracy=None)
    worker.record_epoch(EpochRecord(epoch=1, loss=1.0, accuracy=None, seconds=0.1))
    sent = server.apply_changes(worker.changes_since(*sent))
    assert sent == (3, 1) and server.snapshot() == worker.snapshot()

    worker.rewind_to(0)  # Continuing from the start: the copy is cut back too.
    worker.record_batch(0, loss=9.0, accuracy=None)
    server.apply_changes(worker.changes_since(*sent))
    assert server.snapshot().batch_losses == (9.0,) and server.snapshot().epochs == ()


def test_a_rewind_refilled_to_the_same_length_still_reaches_the_server():
    from core.training.events import ProgressSender, apply_event
    from core.training.run import TrainingRun

    worker = TrainingRun(run_id="20261202-000000-abcdef", owner="", preset_name="spiral-dense10", dataset_name="spiral",
                         spec=SPIRAL.spec, config=SPIRAL.training)
    server = TrainingRun(run_id=worker.run_id, owner="", preset_name="spiral-dense10", dataset_name="spiral",
                         spec=SPIRAL.spec, config=SPIRAL.training)
    sender = ProgressSender(worker, lambda event: apply_event(server, event))
    worker.history.begin(total_epochs=2, batches_per_epoch=2)
    for step, loss in enumerate((4.0, 3.0, 2.0)):  # Epoch 1, and half of epoch 2 (then stopped).
        worker.history.record_batch(step, loss, None)
    worker.history.record_epoch(EpochRecord(epoch=1, loss=3.5, accuracy=None, seconds=0.1))
    sender.send()
    worker.history.rewind_to_whole_epochs()  # Continued: epoch 2 trains again from its start.
    worker.history.record_batch(2, 1.5, None)
    sender.send()
    assert server.history.snapshot().batch_losses == (4.0, 3.0, 1.5)
