"""The diagnoses a failure carries name the cause the numbers show, and only that.

Unit tests of the checks' toolkit (compare.py, scales.py): no grading, no
worker. The learner-style files of tests/learners/ hold the same diagnoses
on whole submissions.
"""
import re

import numpy as np
import pytest

from autograder.checks import scales
from autograder.checks.compare import expect_close
from autograder.grading.failures import CheckFailed
from autograder.metadata import REPO_ROOT, load_stages


def failure(got, expected, what="A"):
    with pytest.raises(CheckFailed) as caught:
        expect_close(np.asarray(got), np.asarray(expected), what)
    return caught.value


def log_softmax(Z, axis):
    top = Z.max(axis=axis, keepdims=True)
    return Z - top - np.log(np.exp(Z - top).sum(axis=axis, keepdims=True))


def test_a_difference_only_where_the_reference_is_zero_is_told_in_absolute_terms():
    Z = np.array([[-1.25, 2.0], [0.5, -3.0]])
    relu = np.maximum(Z, 0)
    leaky = np.where(Z > 0, Z, 0.01 * Z)
    exc = failure(leaky, relu, "relu(Z)")
    assert "only where the reference is 0" in exc.reason and "-0.0125" in exc.reason
    assert "e+30" not in exc.detail and "max abs error 0.03" in exc.detail
    assert "max rel error 0 where the reference is not 0" in exc.detail
    only_zeros = failure(np.array([-0.0125]), np.array([0.0]))
    assert "rel error" not in only_zeros.detail, only_zeros.detail


def test_a_log_softmax_where_logits_belong_is_named_per_example():
    rng = np.random.default_rng(0)
    z = rng.normal(size=5)
    assert "it is the log-softmax of the reference" in failure(log_softmax(z, 0), z).reason
    Z = rng.normal(size=(3, 4))  # rows are examples (stages 3 and 5-10)
    assert "each row is the log-softmax" in failure(log_softmax(Z, 1), Z).reason
    assert "each column is the log-softmax" in failure(log_softmax(Z, 0), Z).reason
    shifted = failure(Z + 0.75, Z).reason
    assert "every entry is off by the same amount, 0.75" in shifted
    per_row = failure(Z + np.arange(3.0)[:, None] + 1, Z).reason
    assert "one constant per row" in per_row and "log-softmax" not in per_row


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_a_float_dtype_the_contract_does_not_allow_fails_with_the_dtype_idea(dtype):
    if np.dtype(dtype) == np.dtype(np.float64):
        pytest.skip("long double is float64 on this platform")
    expected = np.linspace(0, 1, 6).reshape(2, 3)
    exc = failure(expected.astype(dtype), expected, "Z1 from forward_prop")
    assert f"has dtype {np.dtype(dtype)}" in exc.reason and exc.idea == "dtype"
    for allowed in (np.float32, np.float64):
        expect_close(expected.astype(allowed), expected, "Z1")


def test_a_factor_is_measured_on_every_entry_and_on_nice_ratios_for_one_number():
    e = np.linspace(1, 2, 6)
    assert scales.factor_of((2 * e,), (e,)) == pytest.approx(2)
    assert scales.factor_of(e + 0.1, e) is None
    assert scales.factor_of(e * 1.001, e) is None  # that is rounding, not a factor
    assert scales.factor_of(3.4, 2.0) is None  # one number: any ratio, named only if nice
    assert scales.factor_of(0.2, 2.0) == pytest.approx(0.1)
    assert scales.ratio_words(0.1) == "1/10 of" and scales.ratio_words(2) == "2 times"


@pytest.mark.parametrize("k, m, k2, m2, sizes, words, idea", [
    (2, 1, 2, 5, {"n_out": 3}, "a constant factor, not the number of examples",
     "constant_factor"),
    (4, 4, 5, 5, {"n_out": 3}, "a sum over the examples where the mean belongs", "batch_scale"),
    (1 / 41000, 1, 5 / 41000, 5, {"n_out": 3}, "as if divided by a fixed 41000", "batch_scale"),
    (2 / 3, 2, 5 / 3, 5, {"n_in": 3, "n_out": 10}, "(3 is X's number of features)",
     "batch_scale"),
    (1 / 4, 4, 1 / 5, 5, {"n_out": 3}, "divided by the number of examples twice", "batch_scale"),
    (0.1, 4, 0.1, 5, {"n_out": 10}, "10 is the number of classes", "classes_scale"),
    (1.5, 3, 1.2, 5, {"n_out": 10}, "1.2 times on 5", None),
])
def test_the_law_of_a_factor_is_named_from_two_batch_sizes(k, m, k2, m2, sizes, words, idea):
    law, named = scales.describe_law(k, m, k2, m2, sizes)
    assert words in law and named == idea, law


def test_a_factor_on_one_batch_names_no_cause_until_a_second_batch_is_measured():
    exc = scales.Scaled("the gradients", 2.0, 1, {"n_out": 3})
    assert exc.reason == "the gradients are 2 times the correct ones" and exc.idea is None
    exc.name_law(5, None)  # the second batch showed no factor: nothing more is claimed
    assert exc.reason == "the gradients are 2 times the correct ones" and exc.idea is None
    exc.name_law(5, 2.0)
    assert exc.reason.endswith("a constant factor, not the number of examples")
    assert exc.idea == "constant_factor" and "2 on a batch of 5 examples" in exc.detail


def test_every_idea_a_check_names_is_in_stages_toml():
    code = "\n".join(path.read_text() for path in (REPO_ROOT / "autograder").rglob("*.py"))
    named = set(re.findall(r'idea="(\w+)"', code))
    named |= set(re.findall(r'"(\w+_scale|constant_factor)"', code))
    assert {"mutation", "dtype", "constant_factor", "batch_scale", "classes_scale"} <= named
    for stage in load_stages().values():
        assert named <= set(stage.ideas), named - set(stage.ideas)
        assert all(text.endswith(".") for text in stage.ideas.values())
