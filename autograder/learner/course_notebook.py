"""What the nbgrader course's notebooks call in the learner's kernel: start, grade_cell, summary.

In an assignment notebook the stage file is split into cells, each opening
with a line such as `# Part 3 of stage1_numpy.py`. `start(N)` (the first,
locked cell) records every Part cell that runs without error, and a test
cell's `grade_cell(N, check_id)` grades the recorded cells with the engine of
`make check`, to show the learner the verdicts and hints of the visible
checks. What the kernel shows is for the learner only: grading never runs
the notebook (autograder.instructor.nbgrader_plugins).

Hidden checks (ids starting with "training_") run only at grading: the
released notebook shows an empty hidden test cell, and `summary(N)` tells the
learner how many hidden checks, worth how many points, will run.
"""
import hashlib
import os
import tempfile
from pathlib import Path

from autograder.feedback.report import verdict_table
from autograder.grading.notebook_grading import PART_LINE, assemble, left_out_note
from autograder.metadata import hidden_checks, load_stages, visible_checks

_parts = {}       # part number -> cell source, for the stage started last


_failed = {}      # part number -> why its last run did not count


_started = {}     # "stage": the number, "callback": the registered IPython hook


_results = {}     # source hash -> Report, or an error message


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
    return ("\n" + left_out_note(_failed, "their last run did not finish")
            + " Fix them and run them again (an interrupted cell hit the time limit).")


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
    from autograder.grading import engine
    from autograder.grading.reference import SOLUTIONS_DIR

    source = assembled_source()
    key = (stage_number, hashlib.sha256(source.encode()).hexdigest())
    if key not in _results:
        _results[key] = ("grading was interrupted (the cell time limit?); the other test cells "
                         "will not try again until you re-run the first cell")
        stage = load_stages()[stage_number]
        # A student release has no solutions/: only its visible checks can run.
        only = None if (SOLUTIONS_DIR / stage.file).is_file() else \
            [c.id for c in visible_checks(stage)]
        with tempfile.TemporaryDirectory(prefix="nbgrader-stage-") as folder:
            (Path(folder) / stage.file).write_text(source)
            mode = os.environ.get("AUTOGRADER_SANDBOX", "auto")
            _results[key] = engine.grade(stage_number, folder, sandbox_mode=mode, only=only)
    return _results[key]


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
