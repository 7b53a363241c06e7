"""The grading engine: run a stage's checks against a submission and fill a Report.

The submission runs in a worker process (autograder.worker); the checks run
here, draw inputs with Hypothesis (context), take expected values from the
reference (reference) and compare. Whatever the submission does can cost it
points, never the report.
"""
import importlib
import os
import time
from pathlib import Path

from autograder.feedback import blame
from autograder.feedback.describe import describe_inputs
from autograder.feedback.report import Outcome, Report
from autograder.grading import integrity
from autograder.grading.context import GRADING, RELEASE, UNCHECKED_REASON, Context
from autograder.grading.failures import Abort, CheckFailed, LearnerError
from autograder.grading.isolation import as_isolation, own_process_caps, sandbox_decision
from autograder.grading.reference import Unchecked, Unrecorded, reference_source
from autograder.grading.submission import CALL_TIMEOUT_S, IMPORT_TIMEOUT_S, Submission
from autograder.grading.worker_handle import SELF_STUDY_CACHE
from autograder.metadata import load_stages


def load_check_functions(stage):
    """check id -> function, from autograder/checks/stageN.py."""
    module = checks_module(stage)
    return {name[len("check_"):]: fn for name, fn in vars(module).items()
            if name.startswith("check_") and callable(fn)}


def checks_module(stage):
    return importlib.import_module(f"autograder.checks.stage{stage.number}")


def can_run_ahead(stage, isolation):
    """Whether a grading of `stage` may start its long calls ahead: it has some
    (`calls_ahead`), the machine a core to spare for them, and workers side by side
    would each have a process cap of their own (else they would change each other)."""
    return (getattr(checks_module(stage), "calls_ahead", None) is not None
            and has_spare_core(1) and own_process_caps(as_isolation(isolation)))


def start_calls_ahead(stage, ctx, checks):
    """Start the long calls the stage's checks name (`calls_ahead`) in workers of their own."""
    if not ctx.sub.import_error:
        for function, args in checks_module(stage).calls_ahead(ctx, {c.id for c in checks}):
            ctx.sub.call_ahead(function, *args)


def run_check(function, ctx, check, ledger):
    """Run one check function and turn whatever happens into an Outcome."""
    started = time.perf_counter()
    try:
        function(ctx)
        outcome = Outcome(check, check.points, "pass")
    except (CheckFailed, LearnerError) as exc:
        outcome = Outcome(check, 0, "fail", exc.reason, describe_inputs(exc.inputs),
                          exc.detail or "", advice=exc.advice or "",
                          raised=isinstance(exc, LearnerError),
                          idea=ctx.stage.ideas.get(getattr(exc, "idea", None), ""))
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
    """The outcome of a check that waits: it goes through `function`, which failed."""
    outcome = Outcome(check, 0, "blocked", f"blocked by `{function}`, which fails an earlier "
                      "check: fix it first", function=function)
    ledger.record(outcome)
    return outcome


def score_blocked(function, ctx, waiting):
    """`waiting` (a blocked check's outcome) once the check has run for the score alone.

    The report's order and focus are settled: nothing is learnt from this run.
    A check that passes with the learner's code as it is earns its points and
    says what it waits on; one that fails stays blocked, without shrinking its
    input (its failure is the blocking function's to explain).
    """
    check, blocker = waiting.check, waiting.function
    started = time.perf_counter()
    ctx.shrink = False
    try:
        ctx.source.begin_check(check.id)
        function(ctx)
    except (CheckFailed, LearnerError, Abort, Unchecked, Unrecorded):
        return waiting
    except Exception:  # noqa: BLE001 - a grader fault here must not change the verdict shown
        return waiting
    finally:
        ctx.shrink = True
    return Outcome(check, check.points, "pass", f"passes, but waits on `{blocker}`",
                   seconds=time.perf_counter() - started, waits_on=blocker)


def has_spare_core(jobs):
    """Whether `jobs` gradings side by side leave each a core for its run ahead (run_ahead)."""
    return 2 * max(1, jobs) <= (os.cpu_count() or 1)


def default_compile_cache(sandbox_mode):
    return None if sandbox_mode == "require" else SELF_STUDY_CACHE


def grade(stage_number, impl_dir, profile=GRADING, only=None, memory_mb=4096,
          call_timeout=CALL_TIMEOUT_S, sandbox_mode="auto", import_timeout=IMPORT_TIMEOUT_S,
          reference=None, compile_cache=None, standby=None, run_ahead=True):
    """Grade the stage file in `impl_dir`; returns a Report.

    `reference`: where expected values come from (default: `reference_source`).
    `standby`: {lane: worker} started ahead with `Worker.spawn(standby=...)` for
    this file and these settings (lane 1: the stage's run started ahead, its
    training); the caller closes them (closing twice is harmless).
    `compile_cache`: the worker's CompileCache (default: the learner's own
    cache, and none under "require"; class grading passes a read-only one).
    `run_ahead`: start the stage's long call (its training run) at once, in a
    worker of its own, on the core the grader and the main worker leave idle
    while they take turns (where can_run_ahead). False where every core is
    busy already (class grading with a job a core): the check then makes the
    call in the main worker, which saves a second worker's imports and compiles.

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
    submission = Submission(path, stage, memory_mb, call_timeout, sandboxed,
                            compile_cache=compile_cache or default_compile_cache(sandbox_mode),
                            import_timeout=import_timeout, standby=standby)
    ctx = None
    try:
        submission.launch()  # the worker imports the file while the grader imports its checks
        functions = load_check_functions(stage)
        kept = profile is GRADING and sandbox_mode != "require"
        source = reference or reference_source(stage, kept)
        if source.replaying:  # the recorded inputs are the release profile's
            profile = RELEASE
            report.profile = RELEASE.name
        ctx = Context(submission, source, stage, profile)
        submission.wait_for_import()
        if run_ahead and can_run_ahead(stage, sandboxed):
            start_calls_ahead(stage, ctx, checks)
        ledger = blame.Ledger(stage)
        waiting = []  # positions of the checks not run because a function they need failed
        for check in checks:
            if submission.import_error:
                report.outcomes.append(Outcome(check, 0, "fail", submission.import_error))
            elif function := ledger.blocker(check):
                waiting.append(len(report.outcomes))
                report.outcomes.append(blocked(check, function, ledger))
            else:
                submission.restart_if_needed()
                ctx.source.begin_check(check.id)
                report.outcomes.append(run_check(functions[check.id], ctx, check, ledger))
        # Then the blocked checks, for the score: a grade is what the code earns.
        for position in waiting:
            submission.restart_if_needed()
            outcome = report.outcomes[position]
            report.outcomes[position] = score_blocked(functions[outcome.check.id], ctx, outcome)
        source.save()
        report.info = dict(submission.info, worker_restarts=submission.restarts,
                           sandbox=sandbox_note, isolation=sandboxed.name)
        report.import_error = submission.import_error or ""
    finally:
        submission.close()
        submission.close_ahead()
        if ctx is not None:
            ctx.close()
    integrity.verify(kit_before, path)
    report.seconds = time.perf_counter() - started
    return report
