"""The Learn page's lessons: answers checked kindly, and every number a lesson shows checked against an
independent computation (finite differences, plain loops, Keras's own Conv2D)."""

import re
import subprocess
import sys

import cv2
import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.learn.backprop import DEFAULT_EXAMPLE, WEIGHT_NAMES, backprop_steps, gradients
from core.learn.lesson_math import (
    KERNELS,
    LOSS_MINIMUM,
    activation,
    convolve,
    descent_loss,
    descent_path,
    describe_descent,
    image_path,
    max_pool,
    output_size,
    rnn_weights,
    sample_photo,
    sentence_vocabulary,
    unrolled_rnn,
)
from core.learn.lessons import (
    LESSONS,
    Question,
    Verdict,
    check_answer,
    lesson_named,
    next_lesson,
    progress_summary,
)
from core.models.presets import PRESETS

RELU_QUESTION = lesson_named("activations").question


# Answers


@pytest.mark.parametrize("given", ["11", " 11.0 ", "1.1e1", 11, 11.0])
def test_a_number_answer_is_right_however_it_is_written(given):
    verdict = check_answer(RELU_QUESTION, given)
    assert verdict.right
    assert verdict.message == ("Right! ReLU keeps positive numbers as they are and turns negative ones into 0: "
                               "ReLU(11) = 11.")


def test_a_wrong_number_says_what_was_given_why_and_to_try_again():
    verdict = check_answer(RELU_QUESTION, "-11")
    assert not verdict.right
    assert verdict.message.startswith("Not quite: you said -11. ReLU keeps positive numbers")
    assert verdict.message.endswith("Try again.")


@pytest.mark.parametrize("given", ["eleven", "nan", "inf", True])
def test_what_is_not_a_number_asks_for_one(given):
    assert check_answer(RELU_QUESTION, given) == Verdict(False, "Type a number, such as 3 or 0.5.")


@pytest.mark.parametrize("given", [None, "", "   "])
def test_no_answer_asks_for_one(given):
    assert check_answer(RELU_QUESTION, given) == Verdict(False, "Choose (or type) an answer first.")


def test_a_number_is_right_within_the_tolerance_only():
    question = lesson_named("backpropagation").question
    assert question.tolerance == 0.01
    assert check_answer(question, question.answer + 0.0099).right
    assert check_answer(question, f"{question.answer:.2f}").right
    assert not check_answer(question, question.answer + 0.011).right
    assert not check_answer(question, -question.answer).right


def test_a_choice_answer_must_be_one_of_the_choices():
    question = lesson_named("network").question
    assert check_answer(question, "no").right
    assert check_answer(question, "yes") == Verdict(False, f"Not quite: you said yes. {question.why} Try again.")
    assert check_answer(question, "maybe") == Verdict(False, "Choose one of: yes, no.")


def test_a_question_whose_answer_cannot_be_given_is_refused():
    with pytest.raises(ValueError, match="must be one of the choices"):
        Question(prompt="?", kind="choice", choices=("a", "b"), answer="c", why=".")
    with pytest.raises(ValueError, match="'number' or 'choice'"):
        Question(prompt="?", kind="text", answer="c", why=".")
    with pytest.raises(ValueError, match="tolerance of 0 or more"):
        Question(prompt="?", kind="number", answer=1.0, tolerance=-1, why=".")


# The course


def test_the_seven_lessons_in_order_each_with_a_preset_that_exists():
    assert [lesson.key for lesson in LESSONS] == ["network", "activations", "gradient-descent", "backpropagation",
                                                  "convolution", "recurrent", "own-images"]
    assert [lesson.number for lesson in LESSONS] == list(range(1, 8))
    for lesson in LESSONS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", lesson.key)
        assert lesson.preset in PRESETS
        assert lesson.page == "build"
        assert 2 <= lesson.summary.count(". ") + 1 <= 4, lesson.key


def test_every_lessons_own_answer_is_right():
    for lesson in LESSONS:
        assert check_answer(lesson.question, str(lesson.question.answer)).right, lesson.key


def test_the_course_answers_match_the_lessons_math():
    assert lesson_named("convolution").question.answer == 14, "⌊(28 + 2·1 − 3) / 2⌋ + 1"
    assert lesson_named("own-images").question.answer == "[0, 1]"
    assert lesson_named("recurrent").question.answer == "1"
    assert lesson_named("gradient-descent").question.answer == "categorical cross-entropy"
    gradient = gradients(*DEFAULT_EXAMPLE)["w_out1"]
    assert lesson_named("backpropagation").question.answer == gradient


def test_an_unknown_lesson_lists_the_lessons():
    with pytest.raises(ValueError, match="the lessons are network, activations, .*own-images"):
        lesson_named("transformers")


def test_next_lesson_and_progress():
    assert next_lesson("network").key == "activations"
    assert next_lesson("recurrent").key == "own-images"
    assert next_lesson("own-images") is None
    assert progress_summary(set()) == (0, 7)
    assert progress_summary({"network", "convolution"}) == (2, 7)
    with pytest.raises(ValueError, match="no lesson 'nope'"):
        progress_summary({"nope"})


def test_the_lessons_load_without_keras_or_streamlit():
    code = ("import sys, core.learn.lessons, core.learn.lesson_math; "
            "print(sorted(m for m in ('keras', 'tensorflow', 'streamlit', 'plotly') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# Activations and gradient descent


def test_activations_against_their_definitions():
    values = np.array([-800.0, -2.0, 0.0, 0.5, 11.0, 800.0])
    assert activation("relu", values).tolist() == [0, 0, 0, 0.5, 11, 800]
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(activation("sigmoid", values), 1 / (1 + np.exp(-values)))
    moderate = values[1:-1]
    np.testing.assert_allclose(activation("tanh", moderate),
                               (np.exp(moderate) - np.exp(-moderate)) / (np.exp(moderate) + np.exp(-moderate)))
    assert activation("tanh", values)[[0, -1]].tolist() == [-1.0, 1.0]
    with pytest.raises(ValueError, match="relu, sigmoid, tanh"):
        activation("swish", values)


def test_descent_steps_against_the_slope_measured_on_the_loss():
    path = descent_path(start=0.0, learning_rate=0.1, steps=5)
    assert len(path) == 6 and path[0] == 0.0
    for before, after in zip(path, path[1:]):
        slope = (descent_loss(before + 1e-6) - descent_loss(before - 1e-6)) / 2e-6
        assert after == pytest.approx(before - 0.1 * slope, abs=1e-8)
    assert descent_loss(LOSS_MINIMUM) == 1.0


@pytest.mark.parametrize("rate, steps, words", [
    (0.1, 50, "converged near 2.99 after 26 steps"),  # 3 · 0.8^n ≤ 0.01 first at n = 26
    (0.5, 3, "converged near 3.00 after 1 step"),
    (0.001, 50, "crawling: still far from the minimum after 50 steps, try a larger rate"),
    (1.5, 50, "diverged: the steps grow, the rate is too high"),
    (1.0, 50, "bouncing: each step jumps across the minimum without getting closer, try a smaller rate"),
])
def test_describe_descent(rate, steps, words):
    assert describe_descent(descent_path(0.0, rate, steps)) == words


def test_a_diverging_path_stops_before_it_overflows():
    path = descent_path(0.0, 50.0, 1000)
    assert len(path) < 1000 and np.all(np.isfinite(path))


@pytest.mark.parametrize("start, rate, steps, message", [
    (float("nan"), 0.1, 5, "finite"), (0.0, 0.0, 5, "above 0"), (0.0, 0.1, 0, "at least 1")])
def test_descent_refuses_bad_settings(start, rate, steps, message):
    with pytest.raises(ValueError, match=message):
        descent_path(start, rate, steps)


# Back-propagation


def network_loss(inputs, target, weights):
    """The tiny network's loss, written out again without lesson_math."""
    def sigmoid(value):
        return 1 / (1 + np.exp(-value))
    h1 = sigmoid(weights["w_x1_h1"] * inputs[0] + weights["w_x2_h1"] * inputs[1] + weights["b_h1"])
    h2 = sigmoid(weights["w_x1_h2"] * inputs[0] + weights["w_x2_h2"] * inputs[1] + weights["b_h2"])
    output = sigmoid(weights["w_out1"] * h1 + weights["w_out2"] * h2 + weights["b_out"])
    return 0.5 * (output - target) ** 2


@pytest.mark.parametrize("inputs, target, seed", [(DEFAULT_EXAMPLE.inputs, DEFAULT_EXAMPLE.target, None),
                                                  ((-1.5, 2.0), 0.0, 1), ((0.3, -0.7), 0.25, 2)])
def test_every_gradient_matches_finite_differences(inputs, target, seed):
    weights = dict(DEFAULT_EXAMPLE.weights) if seed is None else dict(
        zip(WEIGHT_NAMES, np.random.default_rng(seed).normal(0, 1, len(WEIGHT_NAMES))))
    computed = gradients(inputs, target, weights)
    assert set(computed) == set(WEIGHT_NAMES)
    for name in WEIGHT_NAMES:
        plus, minus = dict(weights), dict(weights)
        plus[name] += 1e-6
        minus[name] -= 1e-6
        measured = (network_loss(inputs, target, plus) - network_loss(inputs, target, minus)) / 2e-6
        assert computed[name] == pytest.approx(measured, abs=1e-8), name


def test_the_steps_show_the_forward_numbers_and_their_formulas():
    steps = {step.name: step for step in backprop_steps(DEFAULT_EXAMPLE.inputs, DEFAULT_EXAMPLE.target,
                                                        DEFAULT_EXAMPLE.weights)}
    assert steps["hidden sum z_h1"].value == pytest.approx(0.4 * 0.5 + 0.3 * 1.0 + 0.1)
    assert steps["hidden sum z_h1"].formula == "w_x1_h1·x1 + w_x2_h1·x2 + b_h1 = 0.4·0.5 + 0.3·1 + 0.1"
    assert steps["loss"].value == pytest.approx(network_loss(DEFAULT_EXAMPLE.inputs, DEFAULT_EXAMPLE.target,
                                                             DEFAULT_EXAMPLE.weights))
    assert steps["dLoss/dOutput"].value == pytest.approx(steps["output"].value - DEFAULT_EXAMPLE.target)
    assert list(steps)[:7] == ["hidden sum z_h1", "hidden h1", "hidden sum z_h2", "hidden h2", "output sum z_out",
                               "output", "loss"]


def test_backprop_refuses_missing_weights_and_inputs():
    weights = dict(DEFAULT_EXAMPLE.weights)
    del weights["b_out"]
    with pytest.raises(ValueError, match=r"missing: \['b_out'\], unknown: none"):
        backprop_steps((0.5, 1.0), 1.0, weights)
    with pytest.raises(ValueError, match="two finite inputs"):
        backprop_steps((0.5, 1.0, 2.0), 1.0, DEFAULT_EXAMPLE.weights)


# Convolution and pooling


def loop_convolution(image, kernel, stride, padding):
    """Cross-correlation the slow, obvious way."""
    padded = np.zeros((image.shape[0] + 2 * padding, image.shape[1] + 2 * padding))
    padded[padding:padding + image.shape[0], padding:padding + image.shape[1]] = image
    size = kernel.shape[0]
    rows = (padded.shape[0] - size) // stride + 1
    columns = (padded.shape[1] - size) // stride + 1
    result = np.zeros((rows, columns))
    for row in range(rows):
        for column in range(columns):
            for i in range(size):
                for j in range(size):
                    result[row, column] += padded[row * stride + i, column * stride + j] * kernel[i, j]
    return result


@pytest.fixture(scope="module")
def digit():
    return load_dataset("mnist").x_train[0].astype(float) / 255


def test_output_size_formula():
    assert output_size(28, 3) == 26
    assert output_size(28, 3, stride=2) == 13
    assert output_size(28, 3, padding=1) == 28
    assert output_size(5, 5) == 1
    with pytest.raises(ValueError, match="does not fit"):
        output_size(3, 5)
    with pytest.raises(ValueError, match="stride must be a whole number of at least 1"):
        output_size(28, 3, stride=0)


@pytest.mark.parametrize("name", sorted(KERNELS))
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (1, 1), (3, 2)])
def test_convolve_matches_a_plain_loop(digit, name, stride, padding):
    expected = loop_convolution(digit, KERNELS[name], stride, padding)
    result = convolve(digit, KERNELS[name], stride, padding)
    assert result.shape == (output_size(28, 3, stride, padding),) * 2
    np.testing.assert_allclose(result, expected, atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2])
def test_convolve_matches_keras_conv2d(digit, stride):
    import keras  # Only this test needs it: the lesson modules themselves must not import Keras.

    layer = keras.layers.Conv2D(len(KERNELS), 3, strides=stride, padding="valid", use_bias=False)
    layer.build((1, 28, 28, 1))
    layer.set_weights([np.stack(list(KERNELS.values()), axis=-1)[:, :, np.newaxis, :]])
    outputs = keras.ops.convert_to_numpy(layer(digit[np.newaxis, :, :, np.newaxis].astype("float32")))[0]
    for index, kernel in enumerate(KERNELS.values()):
        np.testing.assert_allclose(convolve(digit, kernel, stride), outputs[:, :, index], atol=1e-5)


def test_the_edge_kernels_find_edges_across_and_down():
    step = np.zeros((6, 6))
    step[:, 3:] = 1.0  # dark left half, bright right half: one vertical edge
    assert np.abs(convolve(step, KERNELS["vertical edges"])).max() == 4
    assert np.abs(convolve(step, KERNELS["horizontal edges"])).max() == 0
    np.testing.assert_allclose(convolve(np.ones((5, 5)), KERNELS["blur"]), np.ones((3, 3)))


def test_max_pool_keeps_the_largest_of_each_block(digit):
    pooled = max_pool(digit, 2)
    assert pooled.shape == (14, 14)
    assert pooled[3, 5] == digit[6:8, 10:12].max()
    odd = np.arange(25.0).reshape(5, 5)
    assert max_pool(odd, 2).tolist() == [[6, 8], [16, 18]]  # the fifth row and column are dropped, as in Keras
    with pytest.raises(ValueError, match="does not fit"):
        max_pool(np.ones((2, 2)), 3)


def test_convolve_refuses_what_is_not_an_image_and_a_square_kernel():
    with pytest.raises(ValueError, match="one grey image"):
        convolve(np.ones((4, 4, 3)), KERNELS["blur"])
    with pytest.raises(ValueError, match="must be square"):
        convolve(np.ones((4, 4)), np.ones((2, 3)))


def test_kernels_cannot_be_changed_by_accident():
    with pytest.raises(ValueError, match="read-only"):
        KERNELS["blur"][0, 0] = 1.0


# Recurrent networks


def test_every_step_uses_the_same_weights():
    sentence = "the movie was not bad"
    steps = unrolled_rnn(sentence, units=4, seed=7)
    vocabulary = sentence_vocabulary(sentence)
    weights = rnn_weights(len(vocabulary), units=4, seed=7)
    assert [step.word for step in steps] == sentence.split()
    state = np.zeros(4)
    for step in steps:
        assert step.input_vector.tolist() == [float(word == step.word) for word in vocabulary]
        state = np.tanh(weights.input_weights @ step.input_vector + weights.recurrent_weights @ state + weights.bias)
        np.testing.assert_allclose(step.state, state)


def test_the_state_depends_on_word_order():
    forwards = unrolled_rnn("the movie was not bad")[-1].state
    backwards = unrolled_rnn("bad not was movie the")[-1].state
    assert not np.allclose(forwards, backwards)
    np.testing.assert_array_equal(unrolled_rnn("The movie was not bad")[-1].state, forwards)


def test_an_empty_sentence_is_refused():
    with pytest.raises(ValueError, match="the sentence is empty"):
        unrolled_rnn("   ")


# Images of your own


def test_a_photo_becomes_a_scaled_rgb_example_and_a_one_hot_label():
    photo = sample_photo()
    assert photo.dtype == np.uint8 and photo.shape == (240, 320, 3)
    steps = image_path(photo, 64, class_index=1, classes=2)
    assert [name for name, _ in steps] == ["read (BGR from OpenCV)", "as RGB", "resized to 64×64", "scaled to [0, 1]",
                                           "one-hot label"]
    read, rgb, resized, scaled, label = (array for _, array in steps)
    np.testing.assert_array_equal(rgb, photo[:, :, ::-1])
    np.testing.assert_array_equal(resized, cv2.resize(rgb, (64, 64), interpolation=cv2.INTER_AREA))
    assert scaled.dtype == np.float32 and scaled.min() >= 0 and scaled.max() <= 1
    np.testing.assert_allclose(scaled * 255, resized, atol=1e-4)
    assert label.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("image, size, class_index, classes, message", [
    (np.zeros((10, 10), np.uint8), 8, 0, 2, "uint8 of shape"),
    (np.zeros((10, 10, 3), np.float32), 8, 0, 2, "uint8 of shape"),
    (np.zeros((10, 10, 3), np.uint8), 0, 0, 2, "size must be"),
    (np.zeros((10, 10, 3), np.uint8), 8, 2, 2, "must be 0 to 1"),
    (np.zeros((10, 10, 3), np.uint8), 8, 0, 1, "at least 2 classes"),
])
def test_image_path_refuses_bad_inputs(image, size, class_index, classes, message):
    with pytest.raises(ValueError, match=message):
        image_path(image, size, class_index, classes)
