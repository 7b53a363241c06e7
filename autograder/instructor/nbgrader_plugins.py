"""The nbgrader course's plugins: GradeWithEngine, RepairTestCells, QuietOverwriteCells,
HideHiddenChecks, KitCsvExport.

Grading (`make autograde`) never runs the notebook. `GradeWithEngine` takes
the place of nbgrader's Execute step: it reads the Part cells from the
submitted .ipynb, grades the stage file they make with the sandboxed engine
of `make check` (autograder.grading.notebook_grading), and writes each test
cell's verdict as that cell's output, from which nbgrader records the points
in its gradebook as usual. nbgrader keeps doing release, collect, feedback
and export. What the student's own kernel calls is in
autograder.learner.course_notebook.
"""
import json
import os
from pathlib import Path

from nbgrader.plugins import ExportPlugin
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import List

from autograder.feedback.report import verdict_table
from autograder.grading.worker_handle import CompileCache
from autograder.metadata import load_stages

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def released_source(source):
    """`source` as the student received it: the hidden-test region removed."""
    kept, hiding = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN_HIDDEN:
            hiding = True
        elif line.strip() == END_HIDDEN:
            hiding = False
        elif not hiding:
            kept.append(line)
    return "\n".join(kept).strip()


class QuietOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, without the warning every hidden test cell raised.

    A hidden test cell is released without its hidden region, so its checksum
    always differs from the source's and nbgrader warned "checksum has
    changed" for every notebook. Here that warning is kept only when the
    student's cell differs from what was released, so that a real one stands out.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted_source = cell.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum":
            source = self.gradebook.find_source_cell(name, self.notebook_id,
                                                     self.assignment_id).source
            if BEGIN_HIDDEN in source and \
                    released_source(source) == self._submitted_source.strip():
                return
        super().report_change(name, attr, old, new)


class HideHiddenChecks(NbGraderPreprocessor):
    """Feedback preprocessor: hidden test cells keep their score, lose source and output."""

    display_data_priority = List(config=True)  # nbgrader configures it on every feedback step

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
            cell.source = "# Hidden check: graded; its details are not part of the feedback."
            cell.outputs = []
        return cell, resources


# ---------------------------------------------------------------- grading without running

STATUS_DIR = "grading"  # in the course folder: <student>/<assignment>.json per graded notebook
# "0": make autograde grades a student a core, and no core is left for a run ahead.
RUN_AHEAD_ENV = "AUTOGRADER_RUN_AHEAD"


def status_path(student, assignment, course=None):
    course = Path(course or os.environ.get("KIT_COURSE_DIR", "."))
    return course / STATUS_DIR / student / f"{assignment}.json"


def write_status(student, assignment, status, detail="", course=None, **extra):
    path = status_path(student, assignment, course)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(status=status, detail=detail, **extra), indent=1))


def read_status(student, assignment, course=None):
    path = status_path(student, assignment, course)
    return json.loads(path.read_text()) if path.is_file() else None


def _output_text(text):
    import nbformat

    return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")


def _output_error(name, message, lines):
    import nbformat

    return nbformat.v4.new_output("error", ename=name, evalue=message, traceback=lines)


class GradeWithEngine(NbGraderPreprocessor):
    """Autograde step in place of nbgrader's Execute: grade the Part cells, run nothing.

    Each test cell gets the verdict of its check as output: text when it
    passed, an error when it failed; nbgrader's SaveAutoGrades turns that into
    points. The sandbox mode, the time limit of a cell's top-level code and
    the read-only compile cache come from AUTOGRADER_SANDBOX,
    AUTOGRADER_PART_TIMEOUT and AUTOGRADER_COMPILE_CACHE (`make autograde`
    sets them: autograder.instructor.course_runner).
    """

    def preprocess(self, nb, resources):
        from autograder.grading import notebook_grading
        from autograder.grading.integrity import KitTampered

        names = resources["nbgrader"]
        stage = stage_for_assignment(names["assignment"])
        if stage is None:
            raise ValueError(f"{names['assignment']!r} is not an assignment of this kit")
        mode = os.environ.get("AUTOGRADER_SANDBOX", "require")
        timeout = float(os.environ.get("AUTOGRADER_PART_TIMEOUT", notebook_grading.PART_TIMEOUT_S))
        cache = os.environ.get("AUTOGRADER_COMPILE_CACHE")
        try:
            result = notebook_grading.grade_notebook(
                stage.number, nb, mode, timeout,
                compile_cache=CompileCache(Path(cache), writable=False) if cache else None,
                run_ahead=os.environ.get(RUN_AHEAD_ENV, "1") == "1")
        except KitTampered as exc:
            write_status(names["student"], names["assignment"], "tampered", str(exc))
            raise
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
                cell.outputs = [self._verdict(result, grade_id)]
        report = result.report
        write_status(names["student"], names["assignment"],
                     "timed out" if result.timed_out else "graded", result.note(),
                     score=report.earned, max_score=report.possible,
                     seconds=round(report.seconds, 1), isolation=report.info.get("isolation", ""))
        self.log.info("Graded %s for %s: %d/%d", stage.slug, names["student"], report.earned,
                      report.possible)
        return nb, resources

    @staticmethod
    def _verdict(result, grade_id):
        check_id = grade_id[len("check_"):] if grade_id.startswith("check_") else None
        if check_id not in {o.check.id for o in result.report.outcomes}:
            return _output_error("NotACheck", f"{grade_id!r} is not a check of this stage", [])
        failed, table = verdict_table(result.report, [check_id])
        if not failed:
            return _output_text(table)
        note = result.note()
        return _output_error("CheckFailed", "this check did not pass",
                             table.splitlines() + ([note] if note else []))


def stage_for_assignment(name):
    return next((s for s in load_stages().values() if s.slug == name), None)


def test_cell_source(stage, check):
    """The source of the autograded test cell of `check` (hidden checks in a hidden region)."""
    call = f'kit.grade_cell({stage.number}, "{check.id}")'
    if not check.hidden:
        return call
    return (f"# Hidden check ({check.points} points): runs only when your work is graded.\n"
            f"{BEGIN_HIDDEN}\n{call}\n{END_HIDDEN}")


class RepairTestCells(NbGraderPreprocessor):
    """Autograde sanitizer, after DeduplicateIds: put back test cells a student deleted.

    nbgrader's own OverwriteCells.add_missing_cells trips over the empty metadata
    DeduplicateIds leaves on a duplicated cell, and needs the cell before a
    deleted one to be a graded cell; this does the same job for the kit's test
    cells (OverwriteCells then restores their exact source and points).
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader") == {}:  # a duplicate DeduplicateIds disowned
                del cell.metadata["nbgrader"]
        stage = stage_for_assignment(resources.get("nbgrader", {}).get("assignment", ""))
        if stage is None:
            return nb, resources
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        graded = [i for i, grade_id in enumerate(ids) if str(grade_id).startswith("check_")]
        position = graded[-1] + 1 if graded else len(nb.cells)
        for check in stage.checks:
            if f"check_{check.id}" in ids:
                continue
            self.log.warning("Test cell check_%s was missing; putting it back", check.id)
            nb.cells.insert(position, _test_cell(stage, check))
            position += 1
        return nb, resources


def _test_cell(stage, check):
    import nbformat

    cell = nbformat.v4.new_code_cell(test_cell_source(stage, check))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"check_{check.id}", "locked": True,
                                 "points": check.points, "schema_version": 3, "solution": False,
                                 "task": False}
    return cell


class KitCsvExport(ExportPlugin):
    """`nbgrader export` plugin: one row per student and stage.

    Columns: student, stage, score, max_score, status (graded, timed out,
    failed to grade, tampered or not submitted), detail (what the status
    rests on, e.g. the cells left out of the graded file) and isolation (the
    walls the student's code ran behind: grading.isolation).
    """

    def export(self, gradebook):
        import csv

        destination = self.to or "grades.csv"
        rows = list(self.rows(gradebook))
        with open(destination, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["student", "stage", "score", "max_score", "status", "detail",
                             "isolation"])
            writer.writerows(rows)
        self.log.info("Exported %d rows to %s", len(rows), destination)

    def rows(self, gradebook):
        from nbgrader.api import MissingEntry

        stages = {s.slug: s.number for s in load_stages().values()}
        for assignment in sorted(gradebook.assignments, key=lambda a: stages.get(a.name, 99)):
            if self.assignment and assignment.name not in self.assignment:
                continue
            for student in sorted(gradebook.students, key=lambda s: s.id):
                if self.student and student.id not in self.student:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    score, status, detail, isolation = 0.0, "not submitted", "", ""
                else:
                    score = max(0.0, submission.score - submission.late_submission_penalty)
                    recorded = read_status(student.id, assignment.name) or {
                        "status": "failed to grade",
                        "detail": "no verdict was recorded: see the `make autograde` log"}
                    status, detail = recorded["status"], recorded["detail"]
                    isolation = recorded.get("isolation", "")
                    if status in ("failed to grade", "tampered"):
                        score = 0.0
                stage = stages.get(assignment.name, assignment.name)
                yield [student.id, stage, f"{score:g}", f"{assignment.max_score:g}", status, detail,
                       isolation]
