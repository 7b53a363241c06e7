"""make progress, make reset and make solution, on a temporary copy of the kit."""
import json
import shutil

import pytest

from autograder.grading import engine
from autograder.learner import progress
from autograder.metadata import REPO_ROOT, load_stages

STAGE = load_stages()[1]


@pytest.fixture
def kit(tmp_path):
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns(".backup", "*.ipynb"))
    return tmp_path


def graded(kit, source):
    (kit / "exercises" / STAGE.file).write_text(source)
    report = engine.grade(STAGE.number, kit / "exercises")
    progress.record(report, kit)
    return report


def test_progress_moves_from_not_started_to_done_and_points_at_the_next_stage(kit):
    assert progress.status(STAGE, kit)[0] == "not started"
    assert "next: stage 1, exercises/stage1_numpy.py" in progress.table(kit)
    graded(kit, with_solved_relu(kit))
    state, recorded = progress.status(STAGE, kit)
    assert state == "in progress" and 0 < recorded["earned"] < recorded["possible"]
    graded(kit, (kit / "solutions" / STAGE.file).read_text())
    assert progress.status(STAGE, kit)[0] == "done"
    table = progress.table(kit)
    assert "29/29 points" in table and "next: stage 2, exercises/stage2_jax.py" in table


def test_reset_backs_up_the_learners_file_and_restores_the_stub(kit):
    exercise = kit / "exercises" / STAGE.file
    shipped = exercise.read_text()
    exercise.write_text(shipped + "\n# my work\n")
    backup = progress.reset(STAGE, kit)
    assert exercise.read_text() == shipped
    assert backup.read_text() == shipped + "\n# my work\n" and backup.parent.name == ".backup"
    assert progress.reset(STAGE, kit) is None  # nothing to back up the second time


def with_solved_relu(kit):
    """The shipped exercise with the reference's relu: some points, not all."""
    exercise = (kit / "exercises" / STAGE.file).read_text()
    relu = (kit / "solutions" / STAGE.file).read_text().split("def relu(Z):")[1].split("\n\n\n")[0]
    return exercise.replace(exercise.split("def relu(Z):")[1].split("\n\n\n")[0], relu)


def test_solution_only_after_full_marks_or_when_forced(kit):
    assert progress.solution(STAGE, root=kit) is None
    assert "### BEGIN SOLUTION" in progress.solution(STAGE, force=True, root=kit)
    partial = graded(kit, with_solved_relu(kit))
    assert 0 < partial.earned < partial.possible
    assert progress.solution(STAGE, root=kit) is None, "shown at partial marks"
    graded(kit, (kit / "solutions" / STAGE.file).read_text())
    assert progress.solution(STAGE, root=kit) == (kit / "solutions" / STAGE.file).read_text()


def test_make_check_records_progress_only_for_exercises(monkeypatch, tmp_path, capsys):
    from autograder import cli

    state = tmp_path / "progress.json"
    monkeypatch.setattr(progress, "STATE", state)
    monkeypatch.delenv("AUTOGRADER_NO_PROGRESS", raising=False)
    assert cli.main(["check", "1", "--impl", str(REPO_ROOT / "exercises")]) == 1
    assert not state.exists(), "a run with --impl is not the learner's progress"
    assert cli.main(["check", "1"]) == 1
    recorded = json.loads(state.read_text())["1"]
    assert (recorded["earned"], recorded["possible"]) == (0, STAGE.max_points)
