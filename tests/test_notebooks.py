"""The learner notebooks: generated from the committed sources, and they run top to bottom.

Every notebook in exercises/ is executed with nbclient against the solutions
(KIT_IMPL_DIR=solutions) in quick mode (KIT_QUICK=1: 20 training steps, a
short timing run), two at a time; how long each took is printed, not asserted
(this machine is shared: a wall-clock budget in a test fails for the load of
others, not for the notebook).
"""
import os
import time
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.metadata import REPO_ROOT
from notebooks import build

from conftest import graded_stages

# One xdist worker runs this module (make test passes --dist loadgroup), so that the
# notebooks are executed once, not once per worker.
pytestmark = pytest.mark.xdist_group("notebooks")
CELL_TIMEOUT_S = 300


def test_committed_notebooks_are_current():
    stale = [str(p.relative_to(REPO_ROOT)) for p in build.stale_files()]
    assert not stale, f"run `make notebooks`: {stale}"


def test_every_graded_stage_has_a_story():
    missing = [n for n in graded_stages() if not (build.SOURCES / build.load_stages()[n].file).exists()]
    assert not missing, f"stages without notebooks/stageN_*.py: {missing}"


def test_stage_file_cells_rebuild_the_solution():
    """The assignment's stage-file cells, joined, are the solution file (markers aside)."""
    from autograder.learner import course_notebook as nbs

    for stage in build.buildable_stages():
        nb = build.assignment_notebook(stage)
        parts = {i: c.source for i, c in enumerate(nb.cells)
                 if c.source.startswith("# Part ")}
        compiled = compile(nbs.assembled_source(parts), stage.file, "exec")
        assert compiled.co_names, stage.number


def test_learner_notebooks_open_with_a_short_first_cell():
    """The kit is installed in .venv, so the first code cell needs no path-finding."""
    for stage in build.buildable_stages():
        first = next(c for c in build.learner_notebook(stage).cells if c.cell_type == "code")
        code = [line for line in first.source.splitlines() if line.strip() and not line.startswith("#")]
        assert len(code) <= 3, (stage.number, first.source)
        assert "sys.path" not in first.source


def test_assignment_notebooks_open_with_two_lines():
    """The course's notebooks import the kit as they find it: installed in .venv, or beside
    the released notebook (make release puts autograder/ there)."""
    for stage in build.buildable_stages():
        first = next(c for c in build.assignment_notebook(stage).cells if c.cell_type == "code")
        assert first.source.splitlines() == [
            "from autograder.learner import course_notebook as kit", f"kit.start({stage.number})"]


def execute(path):
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb, time.perf_counter() - started


@pytest.fixture(scope="module")
def executed():
    """Run every learner notebook once, two at a time; {stage number: (notebook, seconds)}."""
    saved = {k: os.environ.get(k) for k in ("KIT_QUICK", "KIT_IMPL_DIR")}
    os.environ.update(KIT_QUICK="1", KIT_IMPL_DIR=str(REPO_ROOT / "solutions"))
    try:
        stages = build.buildable_stages()
        paths = [build.EXERCISES / f"{s.slug}.ipynb" for s in stages]
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(execute, paths))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for stage, (_, seconds) in zip(stages, results):
        print(f"\nnotebook stage {stage.number}: {seconds:.0f} s")
    return {s.number: result for s, result in zip(stages, results)}


def outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


@pytest.mark.notebooks
@pytest.mark.parametrize("number", [s.number for s in build.buildable_stages()])
def test_notebook_runs_top_to_bottom(executed, number):
    nb, _seconds = executed[number]
    errors = [f"{o.ename}: {o.evalue}" for o in outputs(nb, "error")]
    assert not errors
    text = "".join(o.text for o in outputs(nb, "stream"))
    assert "validation accuracy" in text
    assert "Full marks" in text, "the inline checks did not give the solution full marks"
    assert "Measured just now on" in text
    images = [o for kind in ("display_data", "execute_result") for o in outputs(nb, kind)
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2, "expected the digits and the loss curve"
    widgets = [o for kind in ("display_data", "execute_result") for o in outputs(nb, kind)
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert not widgets, "a widget progress bar is saved as a frozen placeholder"
    assert "100%" in text, "the text progress bar did not finish"
    assert "cpu (cpu)" not in text and "(the bundled subset has no test split) digits" not in text


@pytest.mark.notebooks
def test_new_learner_runs_stage_1_top_to_bottom():
    """On the untouched exercise file: no traceback, a note saying what to write, the 0-point table."""
    saved = os.environ.pop("KIT_IMPL_DIR", None)
    os.environ["KIT_QUICK"] = "1"
    try:
        stage = build.buildable_stages()[0]
        nb, _ = execute(build.EXERCISES / f"{stage.slug}.ipynb")
    finally:
        os.environ.pop("KIT_QUICK")
        if saved is not None:
            os.environ["KIT_IMPL_DIR"] = saved
    assert not outputs(nb, "error")
    text = "".join(o.text for o in outputs(nb, "stream"))
    assert "Not there yet" in text and "raises NotImplementedError" in text
    assert f"Total: 0/{stage.max_points} points" in text
    assert "ran the reference" in text  # the timing cell stands in the reference
