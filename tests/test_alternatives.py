"""Every correct implementation in tests/alt/ scores full marks.

A file `tests/alt/stageN_<idiom>.py` is a complete stage file written in
another idiom than the reference (float32 NumPy, einsum, jax.nn, ...). A
correct submission losing points there means a check is stricter than
SPEC.md, which is a grader bug.
"""
import re
import shutil

import pytest

from autograder.grading import engine
from autograder.metadata import load_stages

from conftest import ALTERNATIVES, same_as_baseline

ALTERNATIVE_FILES = sorted(ALTERNATIVES.glob("stage*_*.py"))


def stage_number(path):
    """N from the file name prefix `stageN_`."""
    return int(re.match(r"stage(\d+)_", path.name).group(1))


@pytest.mark.parametrize("alternative", ALTERNATIVE_FILES, ids=lambda p: p.stem)
def test_alternative_scores_full_marks(alternative, tmp_path):
    number = stage_number(alternative)
    shutil.copy(alternative, tmp_path / load_stages()[number].file)
    report = engine.grade(number, tmp_path)
    lost = [f"{o.check.id} ({o.status}): {o.reason} | inputs: {o.inputs} | {o.detail}"
            for o in report.outcomes if o.status != "pass"]
    assert report.full_marks and not lost, (
        f"{alternative.name} scored {report.earned}/{report.possible}:\n" + "\n".join(lost))
    idiom = alternative.stem.removeprefix(f"stage{number}_")
    assert not same_as_baseline(f"stage{number}/alt/{idiom}", report)
