"""Every realistic buggy variant in tests/buggy/ loses points on the check that names its bug,
and the report leads to the function that holds it.

A variant file holds a docstring describing the bug, `EXPECT_FAIL = [...]`
(the checks that name the bug: none may pass, and the one failure shown for
the function at fault is one of them), `FOCUS = "name"` (the function that
holds the bug: the report's focus must start there) and the definitions that
replace the reference's: it is appended to the solution, so later
definitions win. The whole stage is graded, as `make check` does, with the
shipped limits. A variant whose bug is slowness may declare a shorter call
limit, `CALL_TIMEOUT_S = 20`: its slow run (about a minute here) then fails
on every run, not only when the machine is busy (docs/instructors.md), and
the suite waits 20 s for it, not 60. The training run is made by its check
(run_ahead=False, as class grading does when its jobs fill the cores): the
suite's workers keep every core busy, so a worker started ahead for it would
only cost a second set of imports and compiles. The solutions and the
alternatives are graded with it started ahead, and both ways are held to the
same parity baseline.
"""
import pytest

from autograder.feedback import blame
from autograder.grading import engine
from autograder.grading.submission import CALL_TIMEOUT_S

from conftest import (
    ALTERNATIVES, BUGGY, buggy_submission, declared, expected_failures, graded_stages,
    same_as_baseline,
)

VARIANTS = sorted(BUGGY.glob("stage*/*.py"))
# A single bug may show as two failures at most: one in the function that
# holds it, one in a check that covers several functions.
MOST_FAILURES_SHOWN = 2


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_variant_fails_named_checks_and_leads_to_its_bug(variant, tmp_path):
    stage = buggy_submission(variant, tmp_path)
    expected, focus = expected_failures(variant), declared(variant, "FOCUS")
    assert not set(expected) - {c.id for c in stage.checks}, "EXPECT_FAIL names unknown checks"
    assert focus in stage.functions, f"FOCUS {focus!r} is not a function of stage {stage.number}"
    limit = declared(variant, "CALL_TIMEOUT_S", CALL_TIMEOUT_S)
    report = engine.grade(stage.number, tmp_path, call_timeout=limit, run_ahead=False)
    statuses = {o.check.id: o.status for o in report.outcomes}
    assert not [o.reason for o in report.outcomes if o.status == "error"]
    assert not [c for c in expected if statuses[c] == "pass"], "a check naming the bug passed"
    assert report.focus[0]["function"] == focus, report.focus
    shown = [o.check.id for o in report.outcomes if o.status == "fail"]
    assert 1 <= len(shown) <= MOST_FAILURES_SHOWN, shown
    assert blame.lead(report.outcomes, focus).check.id in expected, shown
    assert not same_as_baseline(f"{variant.parent.name}/buggy/{variant.stem}", report)


def test_every_graded_stage_has_its_variants_and_an_alternative():
    """At least 8 buggy variants and one correct alternative per stage, none missing."""
    buggy = {n: len(list((BUGGY / f"stage{n}").glob("*.py"))) for n in graded_stages()}
    alternatives = {n: len(list(ALTERNATIVES.glob(f"stage{n}_*.py"))) for n in graded_stages()}
    assert all(count >= 8 for count in buggy.values()), buggy
    assert all(count >= 1 for count in alternatives.values()), alternatives
