import math

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
