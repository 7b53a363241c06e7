"""A grade follows the code: one bug costs the points of the checks its code fails, no more.

The report still leads with the one function to fix and marks the checks that
go through it as blocked; those checks are then run for the score alone, and
earn their points when they pass as the code is. The oracle here is each such
check graded on its own (`only=`), where nothing can block it.
"""
import json

import pytest

from autograder.grading import engine, notebook_grading
from autograder.instructor import classgrade
from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission

# Variants whose bug blocks other checks in the report (a sample: one grade of a
# blocked check alone costs a worker of its own).
SAMPLE = ["stage1/softmax_no_max_subtraction.py", "stage3/one_hot_sized_by_max_label.py",
          "stage6/loss_sum_not_mean.py"]


def points(report):
    return {o.check.id: o.earned for o in report.outcomes}


@pytest.mark.parametrize("variant", SAMPLE)
def test_blocked_checks_earn_what_they_earn_alone(variant, tmp_path):
    stage = buggy_submission(BUGGY / variant, tmp_path)
    report = engine.grade(stage.number, tmp_path)
    waiting = [o for o in report.outcomes if o.status == "blocked" or o.waits_on]
    assert waiting, "the sample variant blocks nothing: pick another"
    for outcome in waiting:
        alone = engine.grade(stage.number, tmp_path, only={outcome.check.id})
        assert alone.earned == outcome.earned, (outcome.check.id, alone.outcomes[0].reason)
    assert report.focus[0]["function"] == blocked_by(report)


def blocked_by(report):
    """The function the report blames for its blocked checks."""
    return next(o.waits_on or o.function for o in report.outcomes
                if o.status == "blocked" or o.waits_on)


def test_one_softmax_bug_costs_only_its_own_check(tmp_path):
    stage = buggy_submission(BUGGY / "stage1" / "softmax_no_max_subtraction.py", tmp_path)
    report = engine.grade(stage.number, tmp_path)
    lost = {o.check.id for o in report.outcomes if o.earned < o.check.points}
    assert lost == {"softmax_large_logits"}
    assert report.earned == stage.max_points - stage.check("softmax_large_logits").points
    waits = [o for o in report.outcomes if o.waits_on]
    assert waits and all(o.waits_on == "softmax" and o.status == "pass" for o in waits)
    assert not report.full_marks


def test_the_single_softmax_bug_notebook_loses_only_its_points(tmp_path):
    stage = load_stages()[1]
    nb = json.loads((REPO_ROOT / "course" / "source" / stage.slug / f"{stage.slug}.ipynb")
                    .read_text())
    last = max(i for i, c in enumerate(nb["cells"])
               if c["metadata"].get("nbgrader", {}).get("solution"))
    variant = (BUGGY / "stage1" / "softmax_no_max_subtraction.py").read_text()
    cell = nb["cells"][last]
    cell["source"] = "".join(cell["source"]) + "\n\n" + variant
    graded = notebook_grading.grade_notebook(stage.number, nb, sandbox_mode="auto")
    assert graded.report.earned == stage.max_points - 2, [
        (o.check.id, o.status) for o in graded.report.outcomes if o.earned < o.check.points]


def test_class_grading_gives_the_same_points_check_by_check(tmp_path):
    variant = BUGGY / "stage1" / "softmax_no_max_subtraction.py"
    folder = tmp_path / "check"
    folder.mkdir()
    stage = buggy_submission(variant, folder)
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / stage.file).write_text((folder / stage.file).read_text())
    assert classgrade.grade_class(tmp_path / "class", tmp_path / "out", jobs=1,
                                  progress=False) == 0
    result = json.loads((tmp_path / "out" / "ann" / f"{stage.slug}.json").read_text())
    assert {c["id"]: c["points"] for c in result["checks"]} == points(
        engine.grade(stage.number, folder))
