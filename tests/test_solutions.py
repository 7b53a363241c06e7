"""The reference solutions score full marks, under both Hypothesis profiles."""
import pytest

from autograder import engine
from autograder.metadata import REPO_ROOT
from conftest import graded_stages

SOLUTIONS = REPO_ROOT / "solutions"


def _failures(report):
    return [f"{o.check.id}: {o.reason} {o.inputs}" for o in report.outcomes if o.status != "pass"]


@pytest.mark.parametrize("stage", graded_stages())
def test_solution_scores_full_marks(stage):
    report = engine.grade(stage, SOLUTIONS)
    assert report.full_marks, _failures(report)
    assert report.possible == sum(c.points for c in report.stage.checks)


@pytest.mark.thorough
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("stage", graded_stages())
def test_solution_scores_full_marks_when_randomized(stage, seed):
    report = engine.grade(stage, SOLUTIONS, profile=engine.thorough(seed))
    assert report.full_marks, _failures(report)
