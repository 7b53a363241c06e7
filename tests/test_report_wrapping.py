"""The smallest failing input, printed whole: the report wraps arrays between elements only."""
import re

import numpy as np
import pytest

from autograder.feedback import report
from autograder.feedback.describe import describe_inputs
from autograder.metadata import REPO_ROOT, load_stages

LABEL = "smallest failing input: "
# The case issue 25 quotes: "b2: float64 (3, 1) = [[-0.8624], [ 0.\n ], [ 0. ]]" broke
# a zero from its bracket. Around it, inputs whose numbers hold minus signs and exponents.
QUOTED = {
    "W1": np.array([[0.5, -0.25, 1.0], [1e-05, -3.5e7, 0.0]]),
    "b1": np.array([[-0.8624], [0.0]]),
    "W2": np.array([[-1.0, 2.5], [0.125, -0.0625], [1e-07, 7.0]]),
    "b2": np.array([[-0.8624], [0.0], [0.0]]),
    "Y": np.array([0, 2, 1, 10]),
    "mask": np.array([True, False, True]),
}


def failing_report(inputs):
    stage = load_stages()[1]
    check = next(c for c in stage.checks if c.id == "forward_prop")
    outcome = report.Outcome(check, 0, "fail", reason="Z2 differs from the reference.",
                             inputs=inputs, function="forward_prop")
    return report.Report(stage, REPO_ROOT / "solutions" / stage.file, "grading", [outcome])


def input_block(text):
    """The lines of the report's 'smallest failing input', as printed."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if LABEL in line)
    indent = lines[start].index(LABEL) + len(LABEL)
    block = [lines[start]]
    for line in lines[start + 1:]:
        if len(line) - len(line.lstrip(" ")) < indent or not line.strip():
            break
        block.append(line)
    return block


@pytest.mark.parametrize("width", [40, 52, 60, 66, 71, 78, 90, 120])
def test_inputs_wrap_between_elements_never_inside_one(width, monkeypatch):
    monkeypatch.setattr(report, "WIDTH", width)
    inputs = describe_inputs(QUOTED)
    block = input_block(report.format_text(failing_report(inputs)))
    # The printed pieces, put back together with one space at each break, are the inputs
    # exactly: a line breaks only where the text had a space.
    pieces = [block[0].split(LABEL, 1)[1]] + [line.strip() for line in block[1:]]
    assert " ".join(pieces) == " ".join(inputs.splitlines())
    # ... and the only spaces inside an array's values follow the comma between elements.
    for line in inputs.splitlines():
        values = line.split(" = ", 1)[1]
        assert not re.search(r"(?<!,) ", values), line
        assert "  " not in values, line
    assert "b2: float64 (3, 1) = [[-0.8624], [0.], [0.]]" in inputs.splitlines()
    assert len(block) > len(QUOTED), "nothing wrapped: the test shows nothing at this width"
