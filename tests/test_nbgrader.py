"""The nbgrader course: release, then a round trip through the real nbgrader commands.

Fake students, on every stage that has landed:
- alice submits the solutions: full marks everywhere;
- bob submits the untouched release: 0 everywhere;
- carol submits one buggy variant per stage: partial, lost on the variant's checks;
- dave's stage-1 notebook hangs at top level: the cell times out, the checks of the
  code in that cell lose their points, the batch completes;
- erin deleted one test cell of stage 2 and duplicated another: graded as usual.
"""
import csv
import html
import re
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import nbgrader_support as nbs
from autograder.metadata import REPO_ROOT
from notebooks import build
from conftest import BUGGY, expected_failures

HANG_TIMEOUT_S = 60  # dave's cell limit: must exceed grading one stage on a slow machine
SOLUTION_BODY_SKIP = {"", "### BEGIN SOLUTION", "### END SOLUTION"}


def stages():
    return build.buildable_stages()


def read_nb(path):
    return json.loads(Path(path).read_text())


def write_nb(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb["cells"])
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def source_of(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh course built from the current sources, released with nbgrader."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO_ROOT / "course" / "nbgrader_config.py", root)
    for stage in stages():
        write_nb(build.assignment_notebook(stage), root / "source" / stage.slug / f"{stage.slug}.ipynb")
    nbs.course_command("release", root)
    return root


def solution_body_lines(stage):
    """Code lines inside the solution regions, except lines also given outside them."""
    body, given, inside = [], set(), False
    for line in (REPO_ROOT / "solutions" / stage.file).read_text().splitlines():
        stripped = line.strip()
        if stripped == "### BEGIN SOLUTION":
            inside = True
        elif stripped == "### END SOLUTION":
            inside = False
        elif inside and stripped not in SOLUTION_BODY_SKIP and not stripped.startswith("# TODO:"):
            body.append(stripped)
        elif not inside:
            given.add(stripped)  # e.g. an @jax.jit that also decorates a given function
    return [line for line in body if line not in given]


def released_lines(course):
    """Every line of every released file, notebook cells read line by line."""
    lines = set()
    for path in (course / "release").rglob("*"):
        if path.suffix == ".ipynb":
            for cell in read_nb(path)["cells"]:
                lines |= {line.strip() for line in source_of(cell).splitlines()}
        elif path.is_file():
            lines |= {line.strip() for line in path.read_text().splitlines()}
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
        for check in nbs.hidden_checks(stage):
            cell = nb["cells"][cell_index(nb, f"check_{check.id}")]
            assert "grade_cell" not in source_of(cell)
        text = json.dumps(nb)
        assert "kit.summary" in text and "Hidden checks run only" in text


# ---------------------------------------------------------------- the round trip

def submit(course, student, stage, nb):
    write_nb(nb, course / "submitted" / student / stage.slug / f"{stage.slug}.ipynb")


def source_nb(stage, course):
    return read_nb(course / "source" / stage.slug / f"{stage.slug}.ipynb")


def last_solution_cell(nb):
    return max(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("solution"))


def buggy_variant(stage):
    variants = sorted((BUGGY / f"stage{stage.number}").glob("*.py"))
    return variants[0] if variants else None


def with_variant(nb, variant):
    """The solution notebook with a buggy variant's definitions appended to its last code cell."""
    index = last_solution_cell(nb)
    nb["cells"][index]["source"] = source_of(nb["cells"][index]) + "\n\n" + variant.read_text()
    return nb


def hanging(nb):
    """A stuck loop left at the top level of the cell that defines gradient_descent."""
    index = next(i for i, c in enumerate(nb["cells"]) if "def gradient_descent" in source_of(c))
    nb["cells"][index]["source"] = (source_of(nb["cells"][index])
                                    + "\n\n\nconverged = False\nwhile not converged:\n    pass\n")
    return nb


def edited_cells(nb, stage):
    """One test cell deleted, another duplicated."""
    ids = [f"check_{c.id}" for c in nbs.visible_checks(stage)]
    nb["cells"].pop(cell_index(nb, ids[0]))
    duplicate = json.loads(json.dumps(nb["cells"][cell_index(nb, ids[1])]))
    duplicate["id"] = "duplicated-by-student"
    nb["cells"].insert(cell_index(nb, ids[1]) + 1, duplicate)
    return nb


AUTOGRADE_LOGS = {}  # student -> what `nbgrader autograde` logged for them


@pytest.fixture(scope="module")
def round_trip(course):
    started = time.perf_counter()
    first, second = stages()[0], stages()[min(1, len(stages()) - 1)]
    variants = {}
    for stage in stages():
        submit(course, "alice", stage, source_nb(stage, course))
        submit(course, "bob", stage, read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb"))
        variants[stage.number] = buggy_variant(stage)
        if variants[stage.number]:
            submit(course, "carol", stage, with_variant(source_nb(stage, course), variants[stage.number]))
    submit(course, "dave", first, hanging(source_nb(first, course)))
    submit(course, "erin", second, edited_cells(source_nb(second, course), second))
    # One `nbgrader autograde` per student, two at a time (the CI machine has two cores);
    # dave's hanging notebook runs under a short cell limit.
    commands = [["autograde", "*", "--student", student] for student in ("alice", "carol", "bob", "erin")]
    commands.insert(2, ["autograde", first.slug, "--student", "dave",
                        f"--Execute.timeout={HANG_TIMEOUT_S}"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda args: nbs.run_nbgrader(args, course, capture_output=True,
                                                           text=True), commands))
    for args, run in zip(commands, runs):
        AUTOGRADE_LOGS[args[3]] = run.stdout + run.stderr
    nbs.run_nbgrader(["export", "--to", "grades.csv"], course, capture_output=True)
    nbs.run_nbgrader(["generate_feedback", "*"], course, capture_output=True)
    seconds = time.perf_counter() - started
    rows = list(csv.DictReader((course / "grades.csv").open()))
    print(f"\nround trip: {seconds:.0f} s\n" + (course / "grades.csv").read_text())
    return {(r["student"], int(r["stage"])): (float(r["score"]), float(r["max_score"])) for r in rows}, variants


def test_untouched_notebooks_raise_no_checksum_warning(round_trip):
    """Hidden test cells used to warn "checksum has changed" in every notebook."""
    assert AUTOGRADE_LOGS["alice"] and "has changed" not in AUTOGRADE_LOGS["alice"]


def cell_scores(course, student, stage):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(stage.slug, stage.slug, student)
        return {g.name: g.score for g in notebook.grades}


def test_csv_has_every_student_and_stage(round_trip):
    scores, _ = round_trip
    students = {"alice", "bob", "carol", "dave", "erin"}
    assert {(s, st.number) for s in students for st in stages()} <= set(scores)
    for stage in stages():
        assert scores[("alice", stage.number)][1] == stage.max_points


def test_solutions_get_full_marks(round_trip):
    scores, _ = round_trip
    for stage in stages():
        assert scores[("alice", stage.number)] == (stage.max_points, stage.max_points)


def test_untouched_release_gets_zero(round_trip):
    scores, _ = round_trip
    for stage in stages():
        assert scores[("bob", stage.number)][0] == 0


def test_buggy_variants_lose_points_on_their_checks(round_trip, course):
    scores, variants = round_trip
    for stage in stages():
        if not variants[stage.number]:
            continue
        score = scores[("carol", stage.number)][0]
        assert 0 < score < stage.max_points, (stage.number, score)
        cells = cell_scores(course, "carol", stage)
        for check_id in expected_failures(variants[stage.number]):
            assert cells[f"check_{check_id}"] == 0, (stage.number, check_id)


def test_hanging_notebook_loses_that_cells_points_and_the_batch_completes(round_trip, course):
    scores, _ = round_trip
    first = stages()[0]
    assert 0 < scores[("dave", first.number)][0] < first.max_points
    cells = cell_scores(course, "dave", first)
    assert cells["check_gradient_descent_steps"] == 0
    assert cells["check_relu"] > 0
    graded = (course / "autograded" / "dave" / first.slug / f"{first.slug}.ipynb").read_text()
    assert "CellTimeoutError" in graded and "Not in your graded file" in graded
    for stage in stages()[1:]:
        assert scores[("dave", stage.number)][0] == 0  # not submitted


def test_deleted_and_duplicated_test_cells_are_graded_correctly(round_trip):
    scores, _ = round_trip
    second = stages()[min(1, len(stages()) - 1)]
    assert scores[("erin", second.number)] == (second.max_points, second.max_points)


def test_feedback_shows_no_hidden_check(round_trip, course):
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) >= 2 * len(stages())
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assert "BEGIN HIDDEN TESTS" not in text
        for stage in stages():
            for check in nbs.hidden_checks(stage):
                assert f'grade_cell({stage.number}, "{check.id}")' not in text
                assert not re.search(re.escape(check.title) + r"\s+\d+/\d+", text), page


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

    stage = nbs.load_stages()[1]
    check = nbs.hidden_checks(stage)[0]
    source = nbs.test_cell_source(stage, check)
    overwrite = nbs.QuietOverwriteCells()
    overwrite.gradebook, overwrite.notebook_id, overwrite.assignment_id = (
        _Gradebook(source), "nb", "a")
    overwrite._submitted_source = submitted.replace("2 points", f"{check.points} points")
    overwrite.log = logging.getLogger("nbgrader-test")
    with caplog.at_level(logging.WARNING, logger="nbgrader-test"):
        overwrite.report_change(f"check_{check.id}", "checksum", "old", "new")
    assert ("has changed" in caplog.text) is warned
