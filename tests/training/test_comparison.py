"""The runs overlaid before the learner chooses are the newest and the ones before it on the same data."""

from core.models.presets import PRESETS
from core.training.comparison import comparable_runs, sweeps_of
from core.training.run import TrainingRun


def run_of(preset_name: str, number: int) -> TrainingRun:
    preset = PRESETS[preset_name]
    return TrainingRun(run_id=f"run-{number}", owner="visitor", preset_name=preset.name,
                       dataset_name=preset.dataset_name, spec=preset.spec, config=preset.training)


def test_the_newest_run_is_compared_with_the_one_before_it_on_the_same_data():
    newest_first = [run_of("spiral-dense10", 4), run_of("alphabet-lstm32", 3), run_of("mnist-dense512", 2),
                    run_of("spiral-dense10", 1)]
    assert [run.run_id for run in comparable_runs(newest_first)] == ["run-4", "run-1"], "not the alphabet"
    assert [run.run_id for run in comparable_runs(newest_first, count=3)] == ["run-4", "run-1"]
    assert [run.run_id for run in comparable_runs(newest_first[1:])] == ["run-3"], "alone rather than unrelated"
    assert comparable_runs([]) == []


def test_the_runs_of_each_sweep_are_grouped_in_order():
    first, second, alone, third = (run_of("spiral-dense10", number) for number in range(4))
    first.sweep = second.sweep = "a"
    third.sweep = "b"
    assert sweeps_of([first, alone, second, third]) == [[first, second], [third]]
