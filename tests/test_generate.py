"""Generation of exercises from solution regions."""
import textwrap

import pytest

from autograder import generate

SOLUTION = textwrap.dedent('''\
    import numpy as np


    def relu(Z):
        """Elementwise max(Z, 0)."""
        ### BEGIN SOLUTION
        # TODO: return the elementwise maximum of Z and 0.
        return np.maximum(Z, 0)
        ### END SOLUTION
''')


def test_region_becomes_todo_and_raise():
    stub = generate.stub_source(SOLUTION, 1)
    assert "# TODO: return the elementwise maximum of Z and 0." in stub
    assert 'raise NotImplementedError("stage 1: relu")' in stub
    assert "np.maximum" not in stub and "BEGIN SOLUTION" not in stub
    assert '"""Elementwise max(Z, 0)."""' in stub
    compile(stub, "stub", "exec")


@pytest.mark.parametrize("broken, message", [
    (SOLUTION.replace("    # TODO: return the elementwise maximum of Z and 0.\n", ""), "TODO"),
    (SOLUTION.replace("    ### END SOLUTION\n", ""), "without"),
    (SOLUTION + "### BEGIN SOLUTION\n# TODO: x\nx = 1\n### END SOLUTION\n", "function body"),
])
def test_bad_markers_are_refused(broken, message):
    with pytest.raises(generate.MarkerError, match=message):
        generate.stub_source(broken, 1)


def test_regenerating_backs_up_a_learners_edits(tmp_path, monkeypatch):
    exercise = tmp_path / "stage1_numpy.py"
    exercise.write_text("# my own work\n")
    monkeypatch.setattr(generate, "expected_exercises", lambda: {exercise: "generated\n"})
    monkeypatch.setattr(generate, "REPO_ROOT", tmp_path)
    generate.write_exercises(log=lambda _: None)
    assert exercise.read_text() == "generated\n"
    backups = list((tmp_path / ".backup").iterdir())
    assert [b.read_text() for b in backups] == ["# my own work\n"]
