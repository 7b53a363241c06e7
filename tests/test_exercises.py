"""The shipped exercises: generated from solutions/, complete stubs, worth 0 as shipped."""
import ast

import pytest

from autograder import generate
from autograder.feedback import report
from autograder.grading import engine
from autograder.metadata import REPO_ROOT, load_stages

from conftest import graded_stages, same_as_baseline


def test_exercises_are_in_sync_with_solutions():
    stale = generate.stale_exercises()
    assert not stale, f"run `make exercises`: {[p.name for p in stale]}"


@pytest.mark.parametrize("stage", graded_stages())
def test_every_stub_has_a_todo_and_raises(stage):
    source = (REPO_ROOT / "exercises" / load_stages()[stage].file).read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(isinstance(n, ast.Raise) for n in node.body):
            segment = ast.get_source_segment(source, node)
            assert "# TODO:" in segment and "NotImplementedError" in segment, node.name


@pytest.mark.parametrize("stage", graded_stages())
def test_solution_has_no_stub_left(stage):
    source = (REPO_ROOT / "solutions" / load_stages()[stage].file).read_text()
    assert "NotImplementedError" not in source


@pytest.mark.parametrize("stage", graded_stages())
def test_shipped_exercise_scores_zero_with_a_clean_report(stage):
    result = engine.grade(stage, REPO_ROOT / "exercises")
    assert result.earned == 0
    assert all(o.status in ("todo", "blocked") and o.reason for o in result.outcomes)
    text = report.format_text(result)
    assert "Traceback" not in text and f"Total: 0/{result.possible}" in text
    assert not same_as_baseline(f"stage{stage}/exercise", result)
