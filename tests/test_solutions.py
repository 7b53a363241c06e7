"""The reference solutions score full marks, under both Hypothesis profiles.

The thorough (randomized) profile runs one seed per stage, a different one
for each stage (its number); KIT_THOROUGH_SEEDS=N runs seeds 1 to N on every
stage instead (docs/adding-a-stage.md).
"""
import os

import pytest

from autograder.grading import engine
from autograder.grading.context import thorough
from autograder.metadata import REPO_ROOT

from conftest import graded_stages, same_as_baseline

SOLUTIONS = REPO_ROOT / "solutions"


def _failures(report):
    return [f"{o.check.id}: {o.reason} {o.inputs}" for o in report.outcomes if o.status != "pass"]


@pytest.mark.parametrize("stage", graded_stages())
def test_solution_scores_full_marks(stage):
    report = engine.grade(stage, SOLUTIONS)
    assert report.full_marks, _failures(report)
    assert report.possible == sum(c.points for c in report.stage.checks)
    assert not same_as_baseline(f"stage{stage}/solution", report)


def thorough_runs():
    """(stage, seed) pairs: the stage's own number as seed, or seeds 1..KIT_THOROUGH_SEEDS."""
    most = int(os.environ.get("KIT_THOROUGH_SEEDS", "0"))
    return [(stage, seed) for stage in graded_stages()
            for seed in (range(1, most + 1) if most else [stage])]


@pytest.mark.thorough
@pytest.mark.parametrize(("stage", "seed"), thorough_runs())
def test_solution_scores_full_marks_when_randomized(stage, seed):
    report = engine.grade(stage, SOLUTIONS, profile=thorough(seed))
    assert report.full_marks, _failures(report)
