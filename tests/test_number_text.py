"""Numbers as the Train page, the Runs page, the sidebar and the CLI write them for a learner."""

import pytest

from core.models.compile_options import compile_summary, smaller_learning_rate
from core.models.spec import CompileSpec
from core.number_text import readable_loss, readable_number


@pytest.mark.parametrize("value, text", [
    (1000, "1000"), (0.001, "0.001"), (0.0005, "0.0005"), (1e-5, "0.00001"), (100.0, "100"), (2.37, "2.37"),
    (0.35533, "0.355"), (48428.3, "48,400"), (4842759.25, "4.84 million"), (2349827584.0, "2.35 billion"),
    (999_999, "1 million"), (1.77e15, "1.77×10¹⁵"), (1e30, "1×10³⁰"), (1e-7, "1×10⁻⁷"), (0, "0"),
    (float("nan"), "nan"),
])
def test_numbers_read_as_written_by_hand_never_as_1e_plus_03(value, text):
    assert readable_number(value) == text


def test_a_loss_keeps_four_decimals_until_it_has_exploded():
    assert readable_loss(0.07341) == "0.0734"
    assert readable_loss(4842759.25) == "4.84 million"


def test_learning_rates_in_the_compile_summary_and_the_retry_are_readable():
    assert compile_summary(CompileSpec(optimizer="sgd", learning_rate=1000.0)) == "sgd, learning rate 1000"
    assert compile_summary(CompileSpec(optimizer="adam", learning_rate=1e-5)) == "adam, learning rate 0.00001"
    assert smaller_learning_rate(CompileSpec(optimizer="sgd", learning_rate=1000.0)) == pytest.approx(100)
    assert smaller_learning_rate(CompileSpec(optimizer="rmsprop")) == pytest.approx(0.0001), "a tenth of its default"
