"""What the grader keeps between runs (reference.Kept) never changes a verdict.

A kept store holds the reference's values and the cases of every forall that
passed; the next grade replays those cases instead of drawing them, and
computes no value twice. Replayed or drawn afresh, the report must be the
same: same statuses, points, reasons, smallest inputs and details.
"""
import shutil

import pytest

from autograder.grading import engine, reference
from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission

VARIANTS = ["stage1/one_hot_sized_by_max_label.py", "stage3/w2_transposed_in_backward.py",
            "stage6/loss_sum_not_mean.py", "stage8/opt_state_not_threaded.py"]


def verdicts(report):
    return [(o.check.id, o.status, o.earned, o.reason, o.inputs, o.detail, o.function)
            for o in report.outcomes]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_kept_store_gives_the_grade_of_a_fresh_run(variant, tmp_path):
    buggy, finished, store = tmp_path / "buggy", tmp_path / "finished", tmp_path / "kept"
    buggy.mkdir()
    finished.mkdir()
    stage = buggy_submission(BUGGY / variant, buggy)
    shutil.copy(REPO_ROOT / "solutions" / stage.file, finished / stage.file)

    def kept():
        return reference.Kept(stage, store)

    assert engine.grade(stage.number, finished, reference=kept()).full_marks
    replayed = engine.grade(stage.number, buggy, reference=kept())
    again = engine.grade(stage.number, buggy, reference=kept())  # its own values kept too
    fresh = engine.grade(stage.number, buggy, reference=reference.Live(stage=stage))
    assert verdicts(replayed) == verdicts(fresh)
    assert verdicts(again) == verdicts(fresh)


def test_a_store_of_another_kit_version_is_ignored(tmp_path, monkeypatch):
    stage = load_stages()[1]
    store = reference.Kept(stage, tmp_path)
    store.values["some value"] = 1.0
    store.changed = True
    store.save()
    assert reference.Kept(stage, tmp_path).values == {"some value": 1.0}
    monkeypatch.setattr(reference, "kept_stamp", lambda: "another kit")
    assert reference.Kept(stage, tmp_path).values == {}


def test_a_damaged_store_is_ignored(tmp_path):
    stage = load_stages()[1]
    (tmp_path / f"{stage.slug}.pkl").write_bytes(b"\x80\x05not a pickle at all")
    assert reference.Kept(stage, tmp_path).values == {}
    (tmp_path / f"{stage.slug}.pkl").write_bytes(
        b"\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.")
    assert reference.Kept(stage, tmp_path).values == {}  # os.system refused, not called


def test_a_full_grade_of_a_kept_stage_draws_and_computes_nothing(tmp_path, monkeypatch):
    stage = load_stages()[1]
    shutil.copy(REPO_ROOT / "solutions" / stage.file, tmp_path / stage.file)
    store = tmp_path / "kept"
    engine.grade(stage.number, tmp_path, reference=reference.Kept(stage, store))

    def no_reference(stage):
        raise AssertionError("the reference was imported although every value is kept")

    monkeypatch.setattr(reference, "load_reference", no_reference)
    assert engine.grade(stage.number, tmp_path, reference=reference.Kept(stage, store)).full_marks
