"""Grading a notebook without running it, and the pieces of the student release."""
import json
import pickle

import numpy as np
import pytest

from autograder.grading import notebook_grading as ng
from autograder.grading import reference
from autograder.instructor import release
from autograder.metadata import REPO_ROOT, load_stages

STAGE1 = load_stages()[1]


def code(source):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": source}


def source_notebook(stage=STAGE1):
    path = REPO_ROOT / "course" / "source" / stage.slug / f"{stage.slug}.ipynb"
    return json.loads(path.read_text())


def test_parts_are_the_part_cells_of_this_file_last_copy_winning():
    nb = {"cells": [code("# Part 2 of stage1_numpy.py\nx = 1"), code("print('not a part')"),
                    code("# Part 1 of stage1_numpy.py\n%time y = 2\n!ls"),
                    code("# Part 2 of stage1_numpy.py\nx = 3"),
                    code("# Part 3 of stage2_jax.py\nz = 4"),
                    {"cell_type": "markdown", "metadata": {}, "source": "# Part 4 of stage1_numpy.py"}]}
    parts = ng.notebook_parts(nb, "stage1_numpy.py")
    assert sorted(parts) == [1, 2] and parts[2].endswith("x = 3")
    assert ng.assemble(parts).splitlines() == [
        "# Part 1 of stage1_numpy.py", "# %time y = 2", "# !ls", "",
        "# Part 2 of stage1_numpy.py", "x = 3", ""]


def with_appended(nb, defining, extra):
    index = next(i for i, c in enumerate(nb["cells"]) if defining in ng.cell_source(c))
    nb["cells"][index]["source"] = ng.cell_source(nb["cells"][index]) + extra
    return nb


def test_cells_that_exit_or_raise_cost_only_their_own_checks():
    nb = source_notebook()
    nb = with_appended(nb, "def relu_deriv", "\nimport os\nos._exit(0)\n")
    nb = with_appended(nb, "def get_predictions", "\nraise ValueError('left over')\n")
    nb["cells"].append(code("exit()"))  # not a Part cell: never runs
    result = ng.grade_notebook(1, nb, sandbox_mode="auto")
    assert result.dropped == {4: "ended the process", 10: "raised ValueError"}
    statuses = {o.check.id: o.status for o in result.report.outcomes}
    assert statuses["relu_deriv"] == statuses["get_predictions"] == "fail"
    assert statuses["relu"] == statuses["softmax_reference"] == statuses["one_hot"] == "pass"
    assert "part 4 (ended the process)" in result.note() and not result.timed_out


def test_an_honest_notebook_is_graded_once_and_in_full():
    result = ng.grade_notebook(1, source_notebook(), sandbox_mode="auto")
    assert result.report.full_marks and not result.dropped and not result.timed_out


# ---------------------------------------------------------------- recorded references

def test_keys_depend_on_values_not_on_object_identity():
    a = np.arange(6.0).reshape(2, 3)
    shared = reference.key("f", ((a, a), {}))
    copies = reference.key("f", ((a.copy(), np.array(a, order="F")), {}))
    assert shared == copies
    assert reference.key("f", ((a, a + 1), {})) != shared
    assert reference.key("g", ((a, a), {})) != shared
    assert reference.key("f", ((a.astype(np.float32), a), {})) != shared


def test_a_recording_loads_plain_data_only(tmp_path):
    class Evil:
        def __reduce__(self):
            import os
            return os.system, ("echo owned",)

    folder = tmp_path / "recorded"
    folder.mkdir()
    path = reference.recording_path(STAGE1, folder)
    path.write_bytes(pickle.dumps({"format": reference.FORMAT, "stage": 1, "values": Evil(),
                                   "cases": {}}))
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system"):
        reference.load_recording(STAGE1, folder)


def test_release_stubs_hidden_checks_and_their_mnist_helpers():
    source = ('"""doc"""\nimport math\n\n\ndef check_training_accuracy(ctx):\n    train(ctx)\n\n\n'
              'def helper(ctx):\n    return load_mnist("train")\n\n\n'
              'def check_relu(ctx):\n    return 1\n')
    stubbed = release.stub_hidden_checks(source, hidden={"training_accuracy"})
    namespace = {}
    exec(compile(stubbed, "stubbed", "exec"), namespace)
    assert namespace["check_relu"](None) == 1
    for name in ("check_training_accuracy", "helper"):
        with pytest.raises(NotImplementedError, match="hidden check"):
            namespace[name](None)
    assert "train(ctx)" not in stubbed and "load_mnist" not in stubbed
    assert release.stub_hidden_checks("def check_relu(ctx):\n    pass\n", {"x"}) == \
        "def check_relu(ctx):\n    pass\n"
