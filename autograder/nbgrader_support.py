"""What the nbgrader course's notebooks call, and the course's nbgrader plugins.

In an assignment notebook the stage file is split into cells, each opening
with a line such as `# Part 3 of stage1_numpy.py`. `start(N)` (the first,
locked cell) records every such cell the kernel runs successfully; a test
cell calls `grade_cell(N, check_id)`, which writes the recorded parts as one
stage file in a temporary folder and grades it with the same engine, checks
and points as `make check` (the learner's code runs in the engine's worker
process, as everywhere). The whole stage is graded once per version of the
code; later test cells look their result up.

Hidden checks: the training-accuracy check(s) of each stage (ids starting with
"training_": trained to an accuracy floor) run only at grading: the released
notebook shows an empty hidden test cell, and `summary(N)` tells the learner
how many hidden checks, worth how many points, will run.
"""
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

from autograder.metadata import load_stages

PART_LINE = re.compile(r"#\s*Part (\d+) of (\w+\.py)")
HIDDEN_PREFIX = "training_"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

_parts = {}       # part number -> cell source, for the stage started last
_failed = {}      # part number -> why its last run did not count
_started = {}     # "stage": the number, "callback": the registered IPython hook
_results = {}     # source hash -> Report, or an error message


def hidden_checks(stage):
    """The checks of `stage` that only run at grading."""
    return [c for c in stage.checks if c.id.startswith(HIDDEN_PREFIX)]


def visible_checks(stage):
    return [c for c in stage.checks if not c.id.startswith(HIDDEN_PREFIX)]


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
    parts = _parts if parts is None else parts
    lines = []
    for number in sorted(parts):
        for line in parts[number].splitlines():
            lines.append(f"# {line}" if line.lstrip().startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines) + "\n"


def _graded(stage_number):
    """The Report for the code recorded so far, graded once per distinct source."""
    from autograder import engine

    source = assembled_source()
    key = (stage_number, hashlib.sha256(source.encode()).hexdigest())
    if key not in _results:
        _results[key] = ("grading was interrupted (the cell time limit?); the other test cells "
                         "will not try again until you re-run the first cell")
        stage = load_stages()[stage_number]
        with tempfile.TemporaryDirectory(prefix="nbgrader-stage-") as folder:
            (Path(folder) / stage.file).write_text(source)
            mode = os.environ.get("AUTOGRADER_SANDBOX", "auto")
            _results[key] = engine.grade(stage_number, folder, sandbox_mode=mode)
    return _results[key]


def _sub_report(report, ids):
    from autograder.engine import Report

    return Report(report.stage, report.path, report.profile,
                  [o for o in report.outcomes if o.check.id in ids], report.info, report.seconds)


def grade_cell(stage_number, *check_ids):
    """Grade the notebook's stage code; fail (AssertionError) unless every named check passes."""
    from autograder.report import format_text

    if _started.get("stage") != stage_number:
        raise AssertionError(f"run the first cell of the notebook (start({stage_number})) first")
    if not _parts:
        raise AssertionError("no cell of the stage file has run without error yet")
    report = _graded(stage_number)
    if isinstance(report, str):
        raise AssertionError(report)
    sub = _sub_report(report, set(check_ids))
    failed = [o for o in sub.outcomes if o.status != "pass"]
    lines = format_text(sub).splitlines()
    table = "\n".join(line for line in lines[2:] if not line.startswith(("Total:", "Device:",
                                                                        "Full marks")))
    if failed:
        raise AssertionError("\n" + table.rstrip() + _failed_note())
    print(table.rstrip())


def summary(stage_number):
    """The visible checks' result so far, and what grading adds."""
    stage = load_stages()[stage_number]
    hidden = hidden_checks(stage)
    visible_points = sum(c.points for c in visible_checks(stage))
    report = _graded(stage_number) if _parts else None
    if report is not None and not isinstance(report, str):
        earned = sum(o.earned for o in report.outcomes if not o.check.id.startswith(HIDDEN_PREFIX))
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


def stage_for_assignment(name):
    return next((s for s in load_stages().values() if s.slug == name), None)


def test_cell_source(stage, check):
    """The source of the autograded test cell of `check` (hidden checks in a hidden region)."""
    call = f'kit.grade_cell({stage.number}, "{check.id}")'
    if not check.id.startswith(HIDDEN_PREFIX):
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
    """`nbgrader export` plugin: one row per student and stage (student,stage,score,max_score)."""

    def export(self, gradebook):
        from nbgrader.api import MissingEntry

        stages = {s.slug: s.number for s in load_stages().values()}
        destination = self.to or "grades.csv"
        rows = ["student,stage,score,max_score"]
        for assignment in sorted(gradebook.assignments, key=lambda a: stages.get(a.name, 99)):
            if self.assignment and assignment.name not in self.assignment:
                continue
            for student in sorted(gradebook.students, key=lambda s: s.id):
                if self.student and student.id not in self.student:
                    continue
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                    score = max(0.0, submission.score - submission.late_submission_penalty)
                except MissingEntry:
                    score = 0.0
                stage = stages.get(assignment.name, assignment.name)
                rows.append(f"{student.id},{stage},{score:g},{assignment.max_score:g}")
        Path(destination).write_text("\n".join(rows) + "\n")
        self.log.info("Exported %d rows to %s", len(rows) - 1, destination)


# ---------------------------------------------------------------- running nbgrader

COURSE_DIR = Path(__file__).resolve().parents[1] / "course"


def nbgrader_env(kit_root=None):
    """The environment nbgrader and its kernels need: the kit importable, nbgrader's tools on PATH."""
    import os
    import sys

    from autograder.metadata import REPO_ROOT

    root = str(kit_root or REPO_ROOT)
    env = dict(os.environ, KIT_ROOT=root)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
    return env


def run_nbgrader(args, course=COURSE_DIR, check=True, **options):
    """Run `nbgrader ARGS` in the course folder, as an instructor would."""
    import subprocess
    import sys

    options.setdefault("env", nbgrader_env())
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          check=check, **options)


def autograde_each_student(course, extra, sandbox_mode):
    """`nbgrader autograde` one student at a time, verifying the kit after each.

    The test cells grade through the engine with `sandbox_mode` ("require"
    unless the instructor passed --no-sandbox): no sandbox, no grading.
    """
    from autograder import engine, integrity

    engine.sandbox_decision(sandbox_mode)  # raises SandboxUnavailable, with the reason
    submitted = course / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    if not students:
        print(f"nothing to grade: {submitted} holds no student folders")
        return 0
    env = dict(nbgrader_env(), AUTOGRADER_SANDBOX=sandbox_mode)
    before = integrity.snapshot()
    for student in students:
        run_nbgrader(["autograde", "*", "--force", f"--student={student}", *extra], course,
                     env=env)
        integrity.verify(before, f"the notebooks of student {student!r}")
    return 0


def course_command(action, course=COURSE_DIR, timeout=None, sandbox_mode="require"):
    """release, autograde, grades or feedback, for every assignment of the course."""
    from autograder.engine import SandboxUnavailable
    from autograder.integrity import KitTampered

    course = Path(course)
    if action == "release":
        run_nbgrader(["generate_assignment", "*", "--force"], course)
        print(f"released to {course / 'release'}")
    elif action == "autograde":
        extra = [f"--Execute.timeout={int(timeout)}"] if timeout else []
        try:
            return autograde_each_student(course, extra, sandbox_mode)
        except (SandboxUnavailable, KitTampered) as exc:
            print(f"STOPPED: {exc}", file=sys.stderr)
            return 3
    elif action == "grades":
        run_nbgrader(["export", "--to", "grades.csv"], course)
        print((course / "grades.csv").read_text(), end="")
    elif action == "feedback":
        run_nbgrader(["generate_feedback", "*", "--force"], course)
        print(f"feedback in {course / 'feedback'}")
    else:
        raise ValueError(action)
    return 0
