"""`make grade`: a class of .py and .ipynb submissions, graded in parallel and incrementally.

The class: ann the solution, ben a buggy variant, cat an alternative
implementation, dan the course notebook in nbgrader's layout, eve a file that
tries to read the solutions, writes into the kit and exits at import, fay a
file that is not a notebook, gus the stage-2 solution (so stage 2 is part of
the class, and everyone else has not submitted it).
"""
import csv
import json
import re
import shutil

import pytest

from autograder.grading import engine
from autograder.instructor import classgrade
from autograder.metadata import REPO_ROOT, load_stages

from conftest import ALTERNATIVES, BUGGY, expected_failures

# `graded` grades the class once per process: one xdist worker runs the module's tests.
pytestmark = pytest.mark.xdist_group("class_grading")

STAGE1, STAGE2 = load_stages()[1], load_stages()[2]
BUGGY_VARIANT = BUGGY / "stage1" / "descent_ignores_alpha.py"
HOSTILE = f"""
import os
for _path in ({str(REPO_ROOT / 'solutions' / STAGE1.file)!r}, {str(REPO_ROOT / 'stages.toml')!r}):
    try:
        exec(open(_path).read())
    except OSError:
        pass
    try:
        open(_path, "a").write("# eve was here")
    except OSError:
        pass
os._exit(0)
"""
GRADESCOPE_TEST_FIELDS = {"name", "score", "max_score", "output", "visibility", "status"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def solution(stage):
    return (REPO_ROOT / "solutions" / stage.file).read_text()


def make_class(root):
    def put(student, name, text):
        path = root / student / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    put("ann", STAGE1.file, solution(STAGE1))
    put("ben", STAGE1.file, solution(STAGE1) + "\n\n" + BUGGY_VARIANT.read_text())
    put("cat", STAGE1.file, (ALTERNATIVES / "stage1_einsum.py").read_text())
    notebook = REPO_ROOT / "course" / "source" / STAGE1.slug / f"{STAGE1.slug}.ipynb"
    put("dan", f"{STAGE1.slug}/{STAGE1.slug}.ipynb", notebook.read_text())
    put("eve", STAGE1.file, HOSTILE)
    put("fay", f"{STAGE1.slug}.ipynb", "{not a notebook")
    put("gus", STAGE2.file, solution(STAGE2))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    import jax

    # As under xdist after a JAX test: this process has JAX's threads running, which a
    # forked grading process would inherit and could deadlock on.
    jax.numpy.zeros(1).block_until_ready()
    root = tmp_path_factory.mktemp("class")
    submissions, out = root / "submissions", root / "grades"
    make_class(submissions)
    kit_before = {p: p.read_bytes() for p in (REPO_ROOT / "solutions" / STAGE1.file,
                                             REPO_ROOT / "stages.toml")}
    status = classgrade.grade_class(submissions, out, jobs=2, progress=False)
    kit_after = {p: p.read_bytes() for p in kit_before}
    rows = {(r["student"], int(r["stage"])): r for r in csv.DictReader((out / "grades.csv").open())}
    return {"root": submissions, "out": out, "status": status, "rows": rows,
            "kit_unchanged": kit_before == kit_after}


def make_check_score(stage, source, tmp_path):
    (tmp_path / stage.file).write_text(source)
    return engine.grade(stage.number, tmp_path).earned


def test_every_row_has_the_right_status_and_the_grading_run_succeeded(graded):
    assert graded["status"] == 0
    rows = graded["rows"]
    assert len(rows) == 7 * 2
    statuses = {key: row["status"] for key, row in rows.items()}
    assert statuses[("fay", 1)] == "error"
    assert statuses[("gus", 1)] == statuses[("ann", 2)] == "not_submitted"
    assert {statuses[(s, 1)] for s in ("ann", "ben", "cat", "dan", "eve")} == {"graded"}
    assert statuses[("gus", 2)] == "graded"
    assert graded["kit_unchanged"]


def test_scores_are_those_of_make_check(graded, tmp_path):
    rows = graded["rows"]
    for student in ("ann", "ben", "cat", "eve"):
        source = (graded["root"] / student / STAGE1.file).read_text()
        folder = tmp_path / student
        folder.mkdir()
        assert float(rows[(student, 1)]["score"]) == make_check_score(STAGE1, source, folder), student
    assert float(rows[("ann", 1)]["score"]) == float(rows[("dan", 1)]["score"]) == STAGE1.max_points
    assert float(rows[("eve", 1)]["score"]) == 0
    report = json.loads((graded["out"] / "ben" / f"{STAGE1.slug}.json").read_text())
    failed = {c["id"] for c in report["checks"] if c["status"] != "pass"}
    assert set(expected_failures(BUGGY_VARIANT)) <= failed and report["student"] == "ben"


def test_gradescope_results_have_the_published_fields(graded):
    results = json.loads((graded["out"] / "ben" / f"{STAGE1.slug}.results.json").read_text())
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert len(results["tests"]) == len(STAGE1.checks)
    for test in results["tests"]:
        assert GRADESCOPE_TEST_FIELDS <= set(test)
        assert test["visibility"] in VISIBILITIES and test["status"] in ("passed", "failed")
        assert 0 <= test["score"] <= test["max_score"]
    hidden = [t for t in results["tests"] if t["name"] == "training reaches the accuracy floor"]
    assert hidden and hidden[0]["visibility"] == "after_published"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all("idea:" in t["output"] or "blocked by" in t["output"] for t in failed)


def test_summary_names_the_checks_the_class_fails(graded):
    summary = (graded["out"] / "summary.md").read_text()
    assert "## Stage 1" in summary and "| gradient_descent takes the right steps |" in summary
    assert (graded["out"] / "stage1_scores.png").stat().st_size > 1000


@pytest.fixture
def graded_copy(graded, tmp_path):
    """The graded class and its results, copied: a test may change them."""
    shutil.copytree(graded["root"], tmp_path / "submissions")
    shutil.copytree(graded["out"], tmp_path / "grades")
    return {"root": tmp_path / "submissions", "out": tmp_path / "grades"}


def regrade(graded_copy, capsys, **options):
    """(exit status, how many submissions it graded) of grading the class again."""
    capsys.readouterr()
    status = classgrade.grade_class(graded_copy["root"], graded_copy["out"], jobs=2,
                                    progress=False, **options)
    return status, int(re.search(r"(\d+) to grade", capsys.readouterr().out).group(1))


def test_a_second_run_grades_nothing_and_a_changed_file_is_regraded(graded_copy, capsys):
    before = (graded_copy["out"] / "grades.csv").read_text()
    assert regrade(graded_copy, capsys) == (0, 0)
    assert (graded_copy["out"] / "grades.csv").read_text() == before
    shutil.copy(REPO_ROOT / "solutions" / STAGE1.file, graded_copy["root"] / "ben" / STAGE1.file)
    assert regrade(graded_copy, capsys, student="ben") == (0, 1)
    rows = {(r["student"], r["stage"]): r
            for r in csv.DictReader((graded_copy["out"] / "grades.csv").open())}
    assert float(rows[("ben", "1")]["score"]) == STAGE1.max_points


def test_force_regrades_unchanged_work_and_stage_narrows_it(graded_copy, capsys):
    assert regrade(graded_copy, capsys, stage=2) == (0, 0)
    assert regrade(graded_copy, capsys, stage=2, force=True) == (0, 1)  # gus, the only one


def test_a_changed_kit_regrades_what_it_graded(graded_copy, capsys, monkeypatch):
    from autograder.grading import integrity

    version = integrity.version
    monkeypatch.setattr(integrity, "version", lambda files=None: "changed-" + version(files))
    assert regrade(graded_copy, capsys, stage=2) == (0, 1)
    result = json.loads((graded_copy["out"] / "gus" / f"{STAGE2.slug}.json").read_text())
    assert result["kit_version"].startswith("changed-")


def test_code_that_runs_past_the_timeout_gets_the_timeout_status(tmp_path):
    (tmp_path / "class" / "hal").mkdir(parents=True)
    (tmp_path / "class" / "hal" / STAGE1.file).write_text("import time\ntime.sleep(600)\n")
    assert classgrade.grade_class(tmp_path / "class", tmp_path / "out", jobs=1, progress=False,
                                  timeout=3) == 0
    row = next(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    assert (row["student"], row["status"], float(row["score"])) == ("hal", "timeout", 0)
