"""The grading engine: run a stage's checks against a submission and fill a Report.

The submission runs in a worker process (autograder.worker); the checks run
here, draw inputs with Hypothesis (context), take expected values from the
reference (reference) and compare. Whatever the submission does can cost it
points, never the report.
"""
import importlib
import time
from pathlib import Path

from autograder.feedback import blame
from autograder.feedback.describe import describe_inputs
from autograder.feedback.report import Outcome, Report
from autograder.grading import integrity
from autograder.grading.context import GRADING, RELEASE, UNCHECKED_REASON, Context
from autograder.grading.failures import Abort, CheckFailed, LearnerError
from autograder.grading.reference import (
    Unchecked,
    Unrecorded,
    configure_reference_jax,
    reference_source,
)
from autograder.grading.isolation import sandbox_decision
from autograder.grading.submission import CALL_TIMEOUT_S, IMPORT_TIMEOUT_S, Submission
from autograder.grading.worker_handle import SELF_STUDY_CACHE
from autograder.metadata import load_stages


def load_check_functions(stage):
    """check id -> function, from autograder/checks/stageN.py."""
    module = importlib.import_module(f"autograder.checks.stage{stage.number}")
    return {name[len("check_"):]: fn for name, fn in vars(module).items()
            if name.startswith("check_") and callable(fn)}


def run_check(function, ctx, check, ledger):
    """Run one check function and turn whatever happens into an Outcome."""
    started = time.perf_counter()
    try:
        function(ctx)
        outcome = Outcome(check, check.points, "pass")
    except (CheckFailed, LearnerError) as exc:
        outcome = Outcome(check, 0, "fail", exc.reason, describe_inputs(exc.inputs),
                          exc.detail or "", advice=exc.advice or "",
                          raised=isinstance(exc, LearnerError))
        outcome.status, outcome.function = ledger.blame(check, exc)
    except Abort as exc:
        outcome = Outcome(check, 0, "fail", exc.reason)
        outcome.status, outcome.function = ledger.blame(check, exc)
    except Unchecked as exc:
        outcome = Outcome(check, 0, "unchecked", exc.reason)
    except Unrecorded:
        outcome = Outcome(check, 0, "unchecked", UNCHECKED_REASON)
    except Exception as exc:  # noqa: BLE001 - a grader bug must not hide the other checks
        outcome = Outcome(check, 0, "error", f"internal grader error: {type(exc).__name__}: {exc}")
    outcome.seconds = time.perf_counter() - started
    ledger.record(outcome)
    return outcome


def blocked(check, function, ledger):
    """The outcome of a check not run: it goes through `function`, which failed."""
    outcome = Outcome(check, 0, "blocked", f"blocked by `{function}`, which fails an earlier "
                      "check: fix it first", function=function)
    ledger.record(outcome)
    return outcome


def default_compile_cache(sandbox_mode):
    return None if sandbox_mode == "require" else SELF_STUDY_CACHE


def grade(stage_number, impl_dir, profile=GRADING, only=None, memory_mb=4096,
          call_timeout=CALL_TIMEOUT_S, sandbox_mode="auto", import_timeout=IMPORT_TIMEOUT_S,
          reference=None, compile_cache=None, standby=None):
    """Grade the stage file in `impl_dir`; returns a Report.

    `reference`: where expected values come from (default: `reference_source`).
    `standby`: a worker started ahead with `Worker.spawn(standby=...)` for this
    file and these settings; the caller closes it (closing twice is harmless).
    `compile_cache`: the worker's CompileCache (default: the learner's own
    cache, and none under "require"; class grading passes a read-only one).

    Raises KitTampered if the kit's own files changed while grading it.
    """
    started = time.perf_counter()
    sandboxed, sandbox_note = sandbox_decision(sandbox_mode)
    kit_before = integrity.snapshot()
    stage = load_stages()[stage_number]
    checks = [c for c in stage.checks if only is None or c.id in only]
    path = Path(impl_dir) / stage.file
    report = Report(stage, path, profile.name, partial=len(checks) < len(stage.checks))
    if not path.is_file():
        reason = f"there is no file {path} (copy the stage file there, or point IMPL at its folder)"
        report.outcomes = [Outcome(c, 0, "fail", reason) for c in checks]
        return report
    functions = load_check_functions(stage)
    submission = Submission(path, stage, memory_mb, call_timeout, sandboxed,
                            compile_cache=compile_cache or default_compile_cache(sandbox_mode),
                            import_timeout=import_timeout, standby=standby)
    ctx = None
    try:
        submission.launch()
        if stage.framework == "jax":
            configure_reference_jax()
        source = reference or reference_source(stage)
        if source.replaying:  # the recorded inputs are the release profile's
            profile = RELEASE
            report.profile = RELEASE.name
        ctx = Context(submission, source, stage, profile)
        submission.wait_for_import()
        ledger = blame.Ledger(stage)
        for check in checks:
            if submission.import_error:
                report.outcomes.append(Outcome(check, 0, "fail", submission.import_error))
            elif function := ledger.blocker(check):
                report.outcomes.append(blocked(check, function, ledger))
            else:
                submission.restart_if_needed()
                ctx.source.begin_check(check.id)
                report.outcomes.append(run_check(functions[check.id], ctx, check, ledger))
        report.info = dict(submission.info, worker_restarts=submission.restarts,
                           sandbox=sandbox_note, isolation=sandboxed.name)
        report.import_error = submission.import_error or ""
    finally:
        submission.close()
        if ctx is not None:
            ctx.close()
    integrity.verify(kit_before, path)
    report.seconds = time.perf_counter() - started
    return report
