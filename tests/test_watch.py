"""`make watch` in a pseudo-terminal: a broken save, then a fixed one, one watcher throughout."""
import re
import shutil
import time

import pytest

from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission
from support.terminal import Terminal

VERDICT = r"Graded \d\d:\d\d:\d\d\."


def stamp(screen):
    """The time of the last grade shown on `screen` (to the second)."""
    return re.findall(r"Graded (\d\d:\d\d:\d\d)\.", screen)[-1]


def test_watch_grades_every_save_and_quits_cleanly(tmp_path):
    stage = load_stages()[1]
    target = tmp_path / stage.file
    shutil.copy(REPO_ROOT / "solutions" / stage.file, target)
    variant = BUGGY / "stage1" / "softmax_no_max_subtraction.py"
    broken = tmp_path / "broken"
    broken.mkdir()
    buggy_submission(variant, broken)

    terminal = Terminal(["make", "watch", "STAGE=1", f"IMPL={tmp_path}"], cwd=REPO_ROOT)
    try:
        first = terminal.expect(VERDICT, timeout=180)
        assert "Full marks for stage 1" in first

        target.write_text((broken / stage.file).read_text())
        second = terminal.expect(VERDICT, timeout=120)
        assert "Fix first: `softmax`" in second, second
        assert "Full marks" not in second

        shutil.copy(REPO_ROOT / "solutions" / stage.file, target)
        third = terminal.expect(VERDICT, timeout=120)
        assert "Full marks for stage 1" in third

        terminal.type("h")  # hints on: the same grade shown again, no regrade
        shown = terminal.expect(VERDICT + r".*h: hide hints", timeout=30)
        assert "Full marks for stage 1" in shown
        assert stamp(shown) == stamp(third)

        time.sleep(1.1)  # the stamp counts seconds
        terminal.type("r")  # grade again, unsaved: a new grade, hints still on
        again = terminal.expect(VERDICT + r".*h: hide hints", timeout=120)
        assert "Full marks for stage 1" in again and stamp(again) != stamp(third)

        terminal.type("\x03")  # Ctrl-C
        status = terminal.wait(timeout=30)
    finally:
        terminal.close()
    rest = terminal.unread
    assert status == 0, terminal.seen[-2000:]
    assert "Stopped watching." in rest
    assert not re.search(r"Traceback|Interrupt|\*\*\*", terminal.seen), terminal.seen[-2000:]


def test_watch_quits_on_q(tmp_path):
    stage = load_stages()[1]
    shutil.copy(REPO_ROOT / "exercises" / stage.file, tmp_path / stage.file)
    terminal = Terminal(["make", "watch", "STAGE=1", f"IMPL={tmp_path}"], cwd=REPO_ROOT)
    try:
        assert "Not written yet" in terminal.expect(VERDICT, timeout=180)
        terminal.type("q")
        status = terminal.wait(timeout=30)
    finally:
        terminal.close()
    assert status == 0 and "Stopped watching." in terminal.unread, terminal.seen[-2000:]


def _verdicts(report):
    return [(o.check.id, o.status, o.earned, o.reason, o.inputs, o.detail, o.function)
            for o in report.outcomes]


@pytest.mark.parametrize("variant", [
    "stage1/db_summed_over_units.py", "stage3/w2_transposed_in_backward.py",
    "stage6/loss_sum_not_mean.py", "stage8/opt_state_not_threaded.py",
])
def test_warm_grades_are_make_checks_grades(tmp_path, variant):
    """A watcher that graded the finished file first (its kept cases all pass) then grades
    a buggy save exactly as a cold `make check` does: same statuses, messages, inputs."""
    from autograder.grading import engine
    from autograder.learner import watch

    cold_folder, warm_folder = tmp_path / "cold", tmp_path / "warm"
    cold_folder.mkdir()
    warm_folder.mkdir()
    stage = buggy_submission(BUGGY / variant, cold_folder)
    cold = engine.grade(stage.number, cold_folder)
    grader = watch.WarmGrader(stage, warm_folder)
    try:
        shutil.copy(REPO_ROOT / "solutions" / stage.file, warm_folder / stage.file)
        assert grader.grade().full_marks
        shutil.copy(cold_folder / stage.file, warm_folder / stage.file)
        warm = grader.grade()
        again = grader.grade()
    finally:
        grader.close()
    assert not cold.full_marks
    assert _verdicts(warm) == _verdicts(cold)
    assert _verdicts(again) == _verdicts(cold)


def test_a_warm_grader_starts_the_training_run_in_a_worker_it_started_ahead(tmp_path, monkeypatch):
    """The run started ahead of its check (stage 1's training) takes the standby of its lane,
    which has NumPy imported before the save, rather than a worker started on the save."""
    from autograder.grading.submission import Submission
    from autograder.learner import watch

    stage = load_stages()[1]
    shutil.copy(REPO_ROOT / "solutions" / stage.file, tmp_path / stage.file)
    started_on_the_save = []
    new_worker = Submission._new_worker
    monkeypatch.setattr(Submission, "_new_worker", lambda self, lane=0: (
        started_on_the_save.append(lane), new_worker(self, lane))[1])
    grader = watch.WarmGrader(stage, tmp_path)
    try:
        assert grader.lanes == [0, 1]
        report = grader.grade()
        assert report.full_marks
        assert started_on_the_save == [], started_on_the_save
    finally:
        grader.close()
