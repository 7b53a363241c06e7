"""A boolean mask from relu_deriv is correct in every stage that has it (issue 25, item 2).

The original notebook's `return Z > 0`: NumPy and JAX multiply a boolean mask
by floats exactly as they multiply 0.0 and 1.0, and the contract accepts it.
"""
import re

import pytest

from autograder.metadata import load_stages

from conftest import grade_source


def with_mask(source, argument):
    """`source` with relu_deriv's solution line replaced by `return <argument> > 0`."""
    mask, count = re.subn(rf"return \({argument} > 0\)\.astype\([\w.]+\)",
                          f"return {argument} > 0", source)
    assert count == 1, "the solution's relu_deriv line changed"
    return mask


def test_a_boolean_mask_from_relu_deriv_gets_full_marks(tmp_path, solution_source):
    graded = grade_source(1, with_mask(solution_source(1), "Z"), tmp_path)
    lost = [(o.check.id, o.status, o.reason) for o in graded.outcomes if o.status != "pass"]
    assert graded.full_marks and not lost, lost


@pytest.mark.parametrize("number, argument", [(2, "Z"), (3, "z"), (4, "Z")])
def test_a_boolean_mask_passes_every_check_through_relu_deriv(number, argument, tmp_path,
                                                             solution_source):
    """The JAX stages: relu_deriv's own check and every check that goes through it."""
    stage = load_stages()[number]
    through = {c.id for c in stage.checks if "relu_deriv" in stage.reaches(c)
               and not c.id.startswith("training_")}
    assert {"relu_deriv", "backward_prop_reference", "returns_jax_float32"} <= through
    graded = grade_source(number, with_mask(solution_source(number), argument), tmp_path,
                          only=through)
    lost = [(o.check.id, o.status, o.reason) for o in graded.outcomes if o.status != "pass"]
    assert len(graded.outcomes) == len(through) and not lost, lost
