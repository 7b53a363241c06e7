"""Every realistic buggy variant in tests/buggy/ loses points on the check that names its bug.

A variant file holds a docstring describing the bug, `EXPECT_FAIL = [...]`
(the ids of the checks that must fail) and the function definitions that
replace the reference's: it is appended to the solution, so later
definitions win.
"""
import pytest

from autograder import engine
from conftest import BUGGY, buggy_submission, expected_failures

VARIANTS = sorted(BUGGY.glob("stage*/*.py"))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_variant_fails_named_checks(variant, tmp_path):
    stage = buggy_submission(variant, tmp_path)
    expected = expected_failures(variant)
    unknown = set(expected) - {c.id for c in stage.checks}
    assert not unknown, f"EXPECT_FAIL names unknown checks {unknown}"
    report = engine.grade(stage.number, tmp_path, only=set(expected), call_timeout=20)
    passed = [o.check.id for o in report.outcomes if o.status == "pass"]
    errors = [o.reason for o in report.outcomes if o.status == "error"]
    assert not errors, errors
    assert not passed, f"{variant.name}: these checks should fail but passed: {passed}"


def test_enough_variants_per_stage():
    counts = {}
    for variant in VARIANTS:
        counts[variant.parent.name] = counts.get(variant.parent.name, 0) + 1
    assert all(n >= 8 for n in counts.values()), counts
