"""The nbgrader course's release: what the students get, and what it must not hold.

The round trip through `make autograde` is in tests/test_nbgrader_round_trip.py;
both take copies of one release (tests/support/nbgrader_course.py).
"""
import ast
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.worker_handle import SELF_STUDY_CACHE
from autograder.instructor import nbgrader_plugins as nbs
from autograder.metadata import REPO_ROOT, hidden_checks, load_stages, visible_checks
from notebooks import build

from conftest import BUGGY, expected_failures
from support.nbgrader_course import (
    cell_index,
    code_cell,
    kit_of,
    lookup_notebook,
    read_nb,
    release_nb,
    released_course,
    source_nb,
    source_of,
    stages,
    with_variant,
    write_nb,
)

# One xdist worker runs this module (make test passes --dist loadgroup), so that its
# fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("nbgrader_release")
SOLUTION_BODY_SKIP = {"", "### BEGIN SOLUTION", "### END SOLUTION"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return released_course(tmp_path_factory)


def solution_body_lines(stage):
    """Code lines inside the solution regions, except lines also given outside them."""
    body, given, inside = [], set(), False
    for line in (REPO_ROOT / "solutions" / stage.file).read_text().splitlines():
        stripped = line.strip()
        if stripped == "### BEGIN SOLUTION":
            inside = True
        elif stripped == "### END SOLUTION":
            inside = False
        elif inside and stripped not in SOLUTION_BODY_SKIP and not stripped.startswith("#"):
            body.append(stripped)  # the TODO comment and its continuation are the stub's
        elif not inside:
            given.add(stripped)  # e.g. an @jax.jit that also decorates a given function
    # A line that computes nothing ("return params", "continue", "}") gives nothing away.
    return [line for line in body if line not in given and any(c in line for c in "(=[@")]


def released_lines(course):
    """Every line of every released file, notebook cells read line by line."""
    lines = set()
    for path in (course / "release").rglob("*"):
        if path.suffix == ".ipynb":
            for cell in read_nb(path)["cells"]:
                lines |= {line.strip() for line in source_of(cell).splitlines()}
        elif path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            lines |= {line.strip() for line in text.splitlines()}
    return lines


def test_release_holds_no_solution_line(course):
    released = released_lines(course)
    assert stages(), "no stage has notebooks yet"
    for stage in stages():
        body = solution_body_lines(stage)
        assert body
        leaked = [line for line in body if line in released]
        assert not leaked, f"stage {stage.number}: solution lines in the release: {leaked}"


def test_release_hides_hidden_checks_and_says_so(course):
    for stage in stages():
        nb = read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb")
        for check in hidden_checks(stage):
            cell = nb["cells"][cell_index(nb, f"check_{check.id}")]
            assert "grade_cell" not in source_of(cell)
        text = json.dumps(nb)
        assert "kit.summary" in text and "Hidden checks run only" in text


# ---------------------------------------------------------------- the student release

def test_released_notebook_opens_with_two_lines_and_the_kit_beside_it(course):
    for stage in stages():
        nb = release_nb(stage, course)
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert source_of(first).splitlines() == [
            "from autograder.learner import course_notebook as kit", f"kit.start({stage.number})"]
        assert (kit_of(course, stage) / "autograder" / "learner" / "course_notebook.py").is_file()


def test_release_kit_holds_no_solution_and_no_hidden_check(course):
    for stage in stages():
        kit = kit_of(course, stage)
        assert (kit / "stages.toml").is_file() and (kit / "recorded" / f"{stage.slug}.pkl").is_file()
        solution_files = {s.file for s in stages()}
        assert not (kit / "solutions").exists()
        assert not [p for p in kit.rglob("*.py") if p.name in solution_files]
        for path in (kit / "autograder" / "checks").glob("*.py"):
            tree = ast.parse(path.read_text())
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("check_training"):
                    assert ast.unparse(node.body[0]).startswith("raise NotImplementedError"), path
                    assert len(node.body) == 1
            assert "load_mnist(" not in path.read_text(), path


def fill_in(released, source):
    """The released notebook with every Part cell as the source notebook has it."""
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in source["cells"]}
    for cell in released["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("part"):
            cell["source"] = by_id[grade_id]["source"]
    return released


def run_notebook(folder, name):
    """Execute folder/name as a student would, without the kit on any path; the run notebook."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("KIT_ROOT", "PYTHONPATH")}
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "notebook",
                    "--execute", "--allow-errors", "--output", "run.ipynb", name],
                   cwd=folder, env=env, check=True, capture_output=True, timeout=600)
    return read_nb(folder / "run.ipynb")


def printed(run):
    """All a run notebook's cells printed, joined: a busy kernel may send one print in pieces."""
    return "".join("".join(o.get("text", "")) for cell in run["cells"]
                   for o in cell.get("outputs", []) if o["output_type"] == "stream")


def test_student_runs_the_release_alone_and_sees_the_visible_verdicts(course, tmp_path):
    """Only release/<stage>/, outside the kit: the visible checks pass or fail, with hints."""
    first = stages()[0]
    variant = BUGGY / "stage1" / "descent_ignores_alpha.py"
    for name, notebook in (("honest", source_nb(first, course)),
                           ("buggy", with_variant(source_nb(first, course), variant))):
        folder = tmp_path / name / first.slug
        shutil.copytree(course / "release" / first.slug, folder)
        released = fill_in(read_nb(folder / f"{first.slug}.ipynb"), notebook)
        released["cells"].append(code_cell("import autograder\nprint('kit:', autograder.__file__)"))
        write_nb(released, folder / f"{first.slug}.ipynb")
        run = run_notebook(folder, f"{first.slug}.ipynb")
        text = printed(run)
        # The release's own kit graded it, not one installed in the kernel's Python.
        assert f"kit: {folder.resolve() / 'autograder' / '__init__.py'}" in text, name
        errors = {}
        for cell in run["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
            for output in cell.get("outputs", []):
                if output["output_type"] == "error":
                    errors[grade_id] = output["evalue"]
        assert "Visible checks:" in text
        if name == "honest":
            assert not errors, errors
        else:
            named = {f"check_{i}" for i in expected_failures(variant)}
            assert named <= set(errors), errors
            assert all("blocked by" in errors[cell] for cell in set(errors) - named), errors
            assert "idea:" in errors["check_gradient_descent_steps"]


REPLAY = """
import json, shutil, sys, tempfile
from pathlib import Path
kit, stage_number, source = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]).read_text()
sys.path.insert(0, kit)
from autograder.grading import engine
from autograder.grading.worker_handle import CompileCache
from autograder.metadata import load_stages
stage = load_stages()[stage_number]
folder = tempfile.mkdtemp()
Path(folder, stage.file).write_text(source)
only = [c.id for c in stage.checks if not c.id.startswith("training_")]
report = engine.grade(stage_number, folder, only=only, compile_cache=CompileCache(Path(sys.argv[4])))
print(json.dumps({o.check.id: o.status for o in report.outcomes}))
"""


def replayed(kit, stage, source, tmp_path):
    """{check id: status} of `source` graded by the release kit alone, in its own process.

    Its worker compiles into this kit's compile cache, not the fresh kit's own:
    the same programs, 2.5 s a stage instead of 8 s (stage 3, quiet machine).
    """
    import subprocess
    import sys

    script, path = tmp_path / "replay.py", tmp_path / f"{stage.slug}-submitted.py"
    script.write_text(REPLAY)
    path.write_text(source)
    run = subprocess.run([sys.executable, str(script), str(kit), str(stage.number), str(path),
                          str(SELF_STUDY_CACHE.folder)],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("stage_number", [s.number for s in build.buildable_stages()])
def test_release_kit_replays_every_visible_check_of_the_solution(course, tmp_path, stage_number):
    stage = load_stages()[stage_number]
    statuses = replayed(kit_of(course, stage), stage,
                        (REPO_ROOT / "solutions" / stage.file).read_text(), tmp_path)
    assert set(statuses) == {c.id for c in visible_checks(stage)}
    assert set(statuses.values()) == {"pass"}, statuses


def test_the_lookup_really_finds_the_shipped_answers(course):
    """walter's cell answers the release's recorded inputs with the recorded values
    (grading, in the round trip, gives it nothing)."""
    first = stages()[0]
    namespace = {}
    cell = lookup_notebook(course, first)["cells"][-1]
    exec(compile(source_of(cell), "walter", "exec"), namespace)
    recording = pickle.loads((kit_of(course, first) / "recorded" / f"{first.slug}.pkl").read_bytes())
    for function in ("relu", "softmax"):
        found = 0
        for case in recording["cases"][(f"{function}_reference" if function == "softmax"
                                         else function, 0)]:
            try:
                answer = namespace[function](case["Z"])
            except KeyError:  # left out of the release: grading uses it
                continue
            assert np.array_equal(answer, namespace["RECORDED"][_key(function, case["Z"])])
            found += 1
        assert found >= 5, (function, found)


def _key(function, Z):
    from autograder.grading import reference

    return reference.key(function, ((Z,), {}))


class _SourceCell:
    def __init__(self, source):
        self.source = source


class _Gradebook:
    def __init__(self, source):
        self.cell = _SourceCell(source)

    def find_source_cell(self, name, notebook, assignment):
        return self.cell


@pytest.mark.parametrize("submitted, warned", [
    ("# Hidden check (2 points): runs only when your work is graded.", False),
    ("# Hidden check (2 points): runs only when your work is graded.\nprint('passed')", True),
])
def test_checksum_warning_only_for_a_really_changed_hidden_cell(submitted, warned, caplog):
    """The released hidden cell differs from its source by design: no warning for that."""
    import logging

    stage = load_stages()[1]
    check = hidden_checks(stage)[0]
    source = nbs.test_cell_source(stage, check)
    overwrite = nbs.QuietOverwriteCells()
    overwrite.gradebook, overwrite.notebook_id, overwrite.assignment_id = (
        _Gradebook(source), "nb", "a")
    overwrite._submitted_source = submitted.replace("2 points", f"{check.points} points")
    overwrite.log = logging.getLogger("nbgrader-test")
    with caplog.at_level(logging.WARNING, logger="nbgrader-test"):
        overwrite.report_change(f"check_{check.id}", "checksum", "old", "new")
    assert ("has changed" in caplog.text) is warned
