"""The stage checks as pytest items: `pytest --stage 3`, `-k`, `--junitxml`, an editor's test panel.

A front end like cli.py. Each stage file becomes a pytest file node with one
item per check of stages.toml, named by the check's id; collecting reads
stages.toml and never grades. The first item of a stage that runs grades the
stage once with the engine, as `make check` does (the sandbox when it can
start, the GRADING profile), asking only for the checks still selected after
`-k` or node ids; each item then reports its check's outcome from that one
report. A pass passes; a fail or an error fails with the report's message;
a check not written yet, blocked by another function or unchecked is skipped
with the reason. Status and points go to `item.user_properties`, which
`--junitxml` writes; the report's focus and total close the run, and pytest
exits 0 only if every check that ran earned its points.

The package's entry points register the plugin in every pytest run of the
kit's environment, but it acts on stage files only: a file named like one of
stages.toml's, in the folder being graded (exercises/, or --impl DIR), in a
folder named on the command line, or named there itself. The kit's own
tests (`pytest tests`) never are.
"""
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.metadata import REPO_ROOT, load_stages

EXERCISES = REPO_ROOT / "exercises"


@dataclass
class Run:
    """What this pytest run asked of the kit, and the reports it has graded."""

    stages: list  # the stage numbers of --stage (empty: every stage collected)
    impl: Path  # the folder whose stage files are graded when no path is given
    reports: list = field(default_factory=list)


RUN = pytest.StashKey[Run]()


def pytest_addoption(parser):
    group = parser.getgroup("mnist-jax-kit", "the kit's stage checks (docs/learners.md)")
    group.addoption("--stage", action="append", default=[], metavar="N",
                    help="grade stage N (repeat it, or give N,M)")
    group.addoption("--impl", metavar="DIR",
                    help="the folder holding the stage files (default: exercises/)")


def pytest_configure(config):
    run = Run(_asked_stages(config.getoption("stage")), _impl(config.getoption("impl")))
    config.stash[RUN] = run
    # With no path given, pytest collects the stage files asked for (it reads config.args).
    if (run.stages or config.getoption("impl")) and config.args_source != config.ArgsSource.ARGS:
        config.args = [str(path) for path in _stage_files(run)]


def _asked_stages(values):
    """The stage numbers of every --stage (each a number or a comma list); UsageError if unknown."""
    ready = [n for n, s in load_stages().items() if s.checks]
    asked = []
    for part in (p.strip() for value in values for p in value.split(",")):
        if not part.isdigit() or int(part) not in ready:
            raise pytest.UsageError(f"--stage must be one of {', '.join(map(str, ready))} "
                                    f"(got {part!r}).")
        asked.append(int(part))
    return asked


def _impl(value):
    if value is None:
        return EXERCISES
    folder = Path(value).resolve()
    if not folder.is_dir():
        raise pytest.UsageError(f"--impl {value}: no such folder.")
    return folder


def _stage_files(run):
    """The stage files of `run.impl` to grade; UsageError if one asked for is missing."""
    stages = load_stages()
    wanted = run.stages or [n for n, s in stages.items() if s.checks]
    paths = [run.impl / stages[n].file for n in wanted]
    present = [path for path in paths if path.is_file()]
    if run.stages and len(present) < len(paths) or not present:
        missing = ", ".join(path.name for path in paths if not path.is_file())
        raise pytest.UsageError(f"{_shown(run.impl)} holds no {missing}: copy the stage file "
                                "there, or point --impl at its folder.")
    return present


def _shown(path):
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def stage_of(path):
    """The stage whose file is named like `path`, or None."""
    return next((s for s in load_stages().values() if s.checks and s.file == path.name), None)


def pytest_collect_file(file_path, parent):
    """A stage file met while walking the folder being graded, or a folder named to pytest.

    Python's own hook skips it (its name is not test_*.py); a stage file named
    on the command line is claimed by `pytest_pycollect_makemodule` below.
    """
    session = parent.session
    if session.isinitpath(file_path) or not stage_of(file_path):
        return None
    folder = file_path.parent
    if folder.resolve() == parent.config.stash[RUN].impl or session.isinitpath(folder):
        return StageFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    """A stage file named on the command line: graded by the engine, never imported here."""
    if stage_of(module_path):
        return StageFile.from_parent(parent, path=module_path)
    return None


class StageFile(pytest.File):
    """One stage file: an item per check; graded once, when its first item runs."""

    def collect(self):
        stage = stage_of(self.path)
        asked = self.config.stash[RUN].stages
        if asked and stage.number not in asked:
            return
        for check in stage.checks:
            yield CheckItem.from_parent(self, name=check.id, check=check)

    def report(self):
        """The stage's Report, graded on the first call (a grader fault is kept, not retried)."""
        if not hasattr(self, "_graded"):
            try:
                self._graded = self._grade()
            except Exception:  # noqa: BLE001 - every item of the stage reports it
                self._graded = CheckFailure("The grader failed on this stage (a fault of the kit, "
                                            f"not of your code):\n{traceback.format_exc()}")
        if isinstance(self._graded, CheckFailure):
            raise self._graded
        return self._graded

    def _grade(self):
        from autograder.grading import engine
        from autograder.grading.context import GRADING
        from autograder.grading.integrity import KitTampered

        stage = stage_of(self.path)
        selected = {item.name for item in self.session.items if item.parent is self}
        only = None if selected == {c.id for c in stage.checks} else selected
        try:
            report = engine.grade(stage.number, self.path.parent, GRADING, only=only,
                                  sandbox_mode="auto")
        except KitTampered as exc:
            pytest.exit(f"STOPPED: {exc}", returncode=3)
        if self.path.parent.resolve() == EXERCISES and not os.environ.get("AUTOGRADER_NO_PROGRESS"):
            from autograder.learner import progress

            progress.record(report)
        self.config.stash[RUN].reports.append(report)
        return report


class CheckFailure(Exception):
    """A check that did not pass; its message is the report's, shown without a traceback."""


class CheckItem(pytest.Item):
    """One check of stages.toml; its verdict comes from the stage's one grading run."""

    def __init__(self, *, check, **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def runtest(self):
        report = self.parent.report()
        outcome = next(o for o in report.outcomes if o.check.id == self.check.id)
        self.user_properties += [("stage", report.stage.number), ("status", outcome.status),
                                 ("points", outcome.earned), ("max_points", self.check.points)]
        if outcome.status in ("fail", "error"):
            raise CheckFailure(failure_message(report, outcome))
        if outcome.status != "pass":
            # At the item's location (the function's line), not at this line.
            raise pytest.skip.Exception(skip_reason(report, outcome), _use_item_location=True)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        from autograder.feedback.report import def_line

        line = def_line(self.path, self.check.functions[0]) if self.check.functions else None
        return self.path, line - 1 if line else None, self.check.id


def failure_message(report, outcome):
    """The report's account of a failing check: the function, why, smallest input, idea."""
    from autograder.feedback.report import check_details

    if report.import_error:
        first = report.outcomes[0].check.id
        if outcome.check.id != first:
            return f"{report.path.name} does not import, so no check can run (see `{first}`)."
        return f"{report.path.name} does not import, so no check can run:\n{report.import_error}"
    if outcome.status == "error":
        head = "The grader failed on this check (a fault of the kit, not of your code):"
    elif outcome.function:
        head = f"`{outcome.function}` fails this check:"
    else:
        head = "This check fails:"
    return "\n".join([head] + check_details(report, outcome))


def skip_reason(report, outcome):
    """Why a check did not run or could not be checked, in one line."""
    from autograder.feedback.report import unwritten

    if outcome.status == "todo" or outcome.function in unwritten(report):
        if outcome.function == outcome.check.function:
            return f"not written yet: `{outcome.function}`"
        return f"waits on `{outcome.function}`, which is not written yet"
    if outcome.status == "blocked" and not outcome.reason.startswith("blocked by"):
        return f"blocked by `{outcome.function}`: {outcome.reason}"
    return outcome.reason


def pytest_sessionfinish(session, exitstatus):
    """Not full marks is not a success: exit 1, as `make check` does, when a check lost points."""
    reports = session.config.stash[RUN].reports
    if exitstatus == pytest.ExitCode.OK and any(r.earned < r.possible for r in reports):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    """The report's focus and total for every stage graded."""
    from autograder.feedback.report import format_summary

    for report in sorted(config.stash[RUN].reports, key=lambda r: r.stage.number):
        terminalreporter.write_sep("=", f"stage {report.stage.number}: the grade")
        terminalreporter.write_line(format_summary(report))
