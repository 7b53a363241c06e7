"""What the nbgrader course's notebooks call, and the course's nbgrader plugins.

In an assignment notebook the stage file is split into cells, each opening
with a line such as `# Part 3 of stage1_numpy.py`.

Grading (`make autograde`) never runs the notebook. `GradeWithEngine` takes
the place of nbgrader's Execute step: it reads the Part cells from the
submitted .ipynb, grades the stage file they make with the sandboxed engine
of `make check` (autograder.notebook_grading), and writes each test cell's
verdict as that cell's output, from which nbgrader records the points in its
gradebook as usual. nbgrader keeps doing release, collect, feedback and export.

In the student's own kernel, `start(N)` (the first, locked cell) records every
Part cell that runs without error, and a test cell's `grade_cell(N, check_id)`
grades the recorded cells the same way, to show the learner the verdicts and
hints of the visible checks. What the kernel shows is for the learner only.

Hidden checks: the training-accuracy check(s) of each stage (ids starting with
"training_": trained to an accuracy floor) run only at grading: the released
notebook shows an empty hidden test cell, and `summary(N)` tells the learner
how many hidden checks, worth how many points, will run.
"""
import hashlib
import json
import os
import tempfile
from pathlib import Path

from autograder.metadata import load_stages
from autograder.notebook_grading import PART_LINE, assemble
from autograder.worker_handle import CompileCache

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

_parts = {}       # part number -> cell source, for the stage started last
_failed = {}      # part number -> why its last run did not count
_started = {}     # "stage": the number, "callback": the registered IPython hook
_results = {}     # source hash -> Report, or an error message


def hidden_checks(stage):
    """The checks of `stage` that only run at grading."""
    return [c for c in stage.checks if c.hidden]


def visible_checks(stage):
    return [c for c in stage.checks if not c.hidden]


def part_header(number, file_name):
    """The first line of each cell that belongs to the stage file."""
    return f"# Part {number} of {file_name} (keep this line: it places the cell in your file)"


# ---------------------------------------------------------------- in the kernel

def start(stage_number):
    """Record, from now on, every stage-file cell this kernel runs without error."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = lambda: None  # noqa: E731 - not in a kernel: nothing to record
    shell = get_ipython()
    if shell is None:
        raise RuntimeError("start() records notebook cells: run it inside Jupyter")
    if "callback" in _started:
        try:
            shell.events.unregister("post_run_cell", _started["callback"])
        except ValueError:
            pass
    _parts.clear()
    _failed.clear()
    _results.clear()
    _started.update(stage=stage_number, callback=_record)
    shell.events.register("post_run_cell", _record)
    stage = load_stages()[stage_number]
    hidden = hidden_checks(stage)
    print(f"Stage {stage_number}: {stage.title}. {len(visible_checks(stage))} checks run in this "
          f"notebook; {_hidden_sentence(hidden)}")


def _record(result):
    source = result.info.raw_cell or ""
    match = PART_LINE.match(source.lstrip())
    if not match:
        return
    number = int(match.group(1))
    if result.success:
        _parts[number] = source
        _failed.pop(number, None)
    else:
        error = result.error_in_exec or result.error_before_exec
        _failed[number] = type(error).__name__ if error else "an error"


def _failed_note():
    """Which stage-file cells did not count, and why: they explain missing functions."""
    if not _failed:
        return ""
    parts = ", ".join(f"part {n} ({why})" for n, why in sorted(_failed.items()))
    return (f"\nNot in your graded file, because their last run did not finish: {parts}. "
            "Fix them and run them again (an interrupted cell hit the time limit).")


def _hidden_sentence(hidden):
    if not hidden:
        return "no hidden checks."
    points = sum(c.points for c in hidden)
    return (f"{len(hidden)} hidden check{'s' if len(hidden) > 1 else ''} worth {points} "
            f"point{'s' if points > 1 else ''} will run only when your work is graded.")


def assembled_source(parts=None):
    """The stage file made of the recorded cells, in part order; magics commented out."""
    return assemble(_parts if parts is None else parts)


def _graded(stage_number):
    """The Report for the code recorded so far, graded once per distinct source."""
    from autograder import engine

    source = assembled_source()
    key = (stage_number, hashlib.sha256(source.encode()).hexdigest())
    if key not in _results:
        _results[key] = ("grading was interrupted (the cell time limit?); the other test cells "
                         "will not try again until you re-run the first cell")
        stage = load_stages()[stage_number]
        # A student release has no solutions/: only its visible checks can run.
        only = None if (engine.SOLUTIONS_DIR / stage.file).is_file() else \
            [c.id for c in visible_checks(stage)]
        with tempfile.TemporaryDirectory(prefix="nbgrader-stage-") as folder:
            (Path(folder) / stage.file).write_text(source)
            mode = os.environ.get("AUTOGRADER_SANDBOX", "auto")
            _results[key] = engine.grade(stage_number, folder, sandbox_mode=mode, only=only)
    return _results[key]


def _sub_report(report, ids):
    from autograder.engine import Report

    return Report(report.stage, report.path, report.profile,
                  [o for o in report.outcomes if o.check.id in ids], report.info, report.seconds)


def grade_cell(stage_number, *check_ids):
    """Grade the notebook's stage code; fail (AssertionError) unless every named check passes."""
    if _started.get("stage") != stage_number:
        raise AssertionError(f"run the first cell of the notebook (start({stage_number})) first")
    if not _parts:
        raise AssertionError("no cell of the stage file has run without error yet")
    report = _graded(stage_number)
    if isinstance(report, str):
        raise AssertionError(report)
    failed, table = verdict_table(report, check_ids)
    if failed:
        raise AssertionError("\n" + table + _failed_note())
    print(table)


def verdict_table(report, check_ids):
    """(any failed, the rows of `make check`'s table for `check_ids`)."""
    from autograder.report import format_text

    sub = _sub_report(report, set(check_ids))
    lines = format_text(sub).splitlines()
    table = "\n".join(line for line in lines[2:] if not line.startswith(("Total:", "Device:",
                                                                        "Full marks")))
    return any(o.status not in ("pass", "unchecked") for o in sub.outcomes), table.rstrip()


def summary(stage_number):
    """The visible checks' result so far, and what grading adds."""
    stage = load_stages()[stage_number]
    hidden = hidden_checks(stage)
    visible_points = sum(c.points for c in visible_checks(stage))
    report = _graded(stage_number) if _parts else None
    if report is not None and not isinstance(report, str):
        earned = sum(o.earned for o in report.outcomes if not o.check.hidden)
        print(f"Visible checks: {earned}/{visible_points} points.")
    print(f"This stage is worth {stage.max_points} points in all. {_hidden_sentence(hidden)}")
    if hidden:
        print("So 'all visible checks passed' is not yet full marks: the hidden "
              + ", ".join(f"'{c.title}'" for c in hidden) + " must pass too.")


# ---------------------------------------------------------------- nbgrader plugins

from traitlets import List  # noqa: E402 - traitlets comes with ipykernel and nbgrader

try:  # the plugins below need nbgrader; the kernel-side functions above do not
    from nbgrader.plugins import ExportPlugin
    from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
except ImportError:  # pragma: no cover - nbgrader is in requirements.lock
    ExportPlugin = NbGraderPreprocessor = OverwriteCells = object


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
    sets them: autograder.course_runner).
    """

    def preprocess(self, nb, resources):
        from autograder import notebook_grading
        from autograder.integrity import KitTampered

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
                compile_cache=CompileCache(Path(cache), writable=False) if cache else None)
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
                     seconds=round(report.seconds, 1))
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
    failed to grade, tampered or not submitted) and detail (what the status
    rests on, e.g. the cells left out of the graded file).
    """

    def export(self, gradebook):
        import csv

        destination = self.to or "grades.csv"
        rows = list(self.rows(gradebook))
        with open(destination, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["student", "stage", "score", "max_score", "status", "detail"])
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
                    score, status, detail = 0.0, "not submitted", ""
                else:
                    score = max(0.0, submission.score - submission.late_submission_penalty)
                    recorded = read_status(student.id, assignment.name) or {
                        "status": "failed to grade",
                        "detail": "no verdict was recorded: see the `make autograde` log"}
                    status, detail = recorded["status"], recorded["detail"]
                    if status in ("failed to grade", "tampered"):
                        score = 0.0
                stage = stages.get(assignment.name, assignment.name)
                yield [student.id, stage, f"{score:g}", f"{assignment.max_score:g}", status, detail]
