"""The grading engine: run a stage's checks against a submission.

The submission runs in a worker process (`worker.py`); the checks run here,
draw inputs with Hypothesis, compute the reference values from `solutions/`
in this process (or read them from a recording, in a student release: see
autograder.reference), and compare. Whatever the submission does can cost it
points, never the report.
"""
import copy
import importlib
import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, given, reporting, settings
from hypothesis.errors import Flaky

from autograder import advice, blame, integrity, sandbox
from autograder import reference as references
from autograder.describe import describe_inputs
from autograder.metadata import REPO_ROOT, load_stages
from autograder.worker_handle import (CACHE_ROOT, SELF_STUDY_CACHE, CompileCache, Worker,
                                      WorkerGone, jax_cache_settings)

SOLUTIONS_DIR = REPO_ROOT / "solutions"
IMPORT_TIMEOUT_S = 90.0
CALL_TIMEOUT_S = 60.0


class CheckFailed(Exception):
    """A check's verdict: the submission's value is wrong. `reason` is one line.

    `detail` holds what was measured; `advice`, how to fix it (the report shows
    it only on request: it gives much away). `function` names the learner
    function at fault where the check knows it (a check of several
    functions); else the report blames the check's own.
    """

    def __init__(self, reason, detail=None, function=None, advice=None):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.function = function
        self.advice = advice
        self.inputs = None


def raised_in(error):
    """The name of the learner-file function in which `error` (the worker's summary) arose."""
    frames = error.get("frames") or []
    return frames[-1][1] if frames else ""


class LearnerError(Exception):
    """The submission raised an exception on some input (Hypothesis shrinks it)."""

    def __init__(self, function, error):
        self.function = function
        self.error = error
        self.raised_in = raised_in(error)
        self.reason = advice.explain_error(function, error)
        super().__init__(self.reason)
        self.detail = None
        self.advice = None
        self.inputs = None


class Abort(BaseException):
    """Stop this check at once, without shrinking: the message says why.

    A BaseException so that Hypothesis lets it through instead of shrinking.
    """

    def __init__(self, reason, function=None):
        super().__init__(reason)
        self.reason = reason
        self.function = function


class NotWritten(Abort):
    """The learner function still raises NotImplementedError."""


class _ShrinkBudgetSpent(BaseException):
    """Enough shrinking: report the smallest failure found so far."""


# How many more examples a failing check may try while Hypothesis shrinks its
# input: each costs a call into the worker (and in JAX often a compile), and a
# smaller input teaches little more after the first few steps. Measured over
# tests/buggy/ (make bench-feedback): 40 left failing runs up to 1.6 times a
# passing one; 10 keeps the slowest at 1.3 times and the median below 1.
SHRINK_BUDGET = 10


def _draw_no_local_constants():
    """Make Hypothesis's draws independent of what this process imported before.

    Hypothesis (6.1xx) also draws, now and then, constants it finds in the
    source of the "local" modules already imported: the kit's own, the
    reference solutions, whatever a test imported. Which ones are loaded
    depends on the process's history (another stage graded first, a test
    module, a notebook's kernel), so one derandomized check drew other cases
    under pytest-xdist than in `make check`, and a bug caught in one place
    slipped through in the other. Its built-in constants stay; the pool of
    local ones stays empty, whatever was imported.
    """
    from hypothesis.internal.conjecture import providers

    no_constants = providers.Constants()
    providers._get_local_constants = lambda: no_constants
    providers.CONSTANTS_CACHE.cache.clear()


_draw_no_local_constants()


@dataclass(frozen=True)
class Profile:
    """How hard Hypothesis searches: `grading` is derandomized, `thorough` is not."""

    name: str
    derandomize: bool
    example_scale: float
    seed: int | None = None
    vary_fixed_inputs: bool = False  # other fixed inputs than grading's (ctx.fixed_seed)


GRADING = Profile("grading", derandomize=True, example_scale=1.0)
# What a student release records its expected values on (autograder.reference).
RELEASE = Profile("release", derandomize=False, example_scale=0.5, seed=20261202,
                  vary_fixed_inputs=True)


def thorough(seed=None):
    return Profile("thorough", derandomize=False, example_scale=5.0, seed=seed)


class Submission:
    """The learner's stage file, imported in a worker that is restarted as needed."""

    def __init__(self, path, stage, memory_mb=4096, call_timeout=CALL_TIMEOUT_S,
                 sandboxed=True, compile_cache=SELF_STUDY_CACHE, import_timeout=IMPORT_TIMEOUT_S,
                 standby=None, environment=None):
        self.path = Path(path).resolve()
        self.environment = environment  # extra environment variables for its workers
        self.standby = standby  # a Worker started ahead (make watch), used for the first launch
        self.import_timeout = import_timeout
        self.sandboxed = sandboxed
        self.compile_cache = compile_cache
        self.stage = stage
        self.memory_mb = memory_mb
        self.call_timeout = call_timeout
        self.worker = None
        self.import_error = None
        self.info = {}
        self.broken = {}  # function -> why it cannot be called again (hang, crash)
        self.needs_restart = False
        self.restarts = 0

    def _new_worker(self):
        return Worker(self.path, self.stage.slug, self.stage.number, self.stage.framework,
                      self.memory_mb, self.sandboxed, self.compile_cache, self.environment)

    def start(self):
        """Import the submission in a fresh worker; remember why if it fails."""
        self.launch()
        self.wait_for_import()

    def launch(self):
        """Start a fresh worker; it imports the submission while we do other work."""
        if self.worker:
            self.restarts += 1
        self.close()
        standby, self.standby = self.standby, None
        if standby and standby.alive():
            self.worker = standby
            self.worker.load()
            return
        if standby:
            standby.close()
        self.worker = self._new_worker()
        self.worker.spawn()

    def wait_for_import(self):
        try:
            reply = self.worker.wait_for_import(self.import_timeout)
        except WorkerGone as exc:
            self.import_error = f"{exc}"
            return
        if reply["status"] == "ok":
            self.info = reply["value"]
            self.needs_restart = False
        else:
            self.import_error = advice.explain_import_error(self.stage.file, reply["error"])

    def restart_if_needed(self):
        if self.needs_restart and not self.import_error:
            self.start()

    def probe(self, name, function=None, **kwargs):
        """Run probe `name` in the worker; `function` names the learner function involved."""
        if self.import_error:
            raise Abort(self.import_error)
        if function in self.broken:
            raise Abort(self.broken[function], function)
        if self.needs_restart:
            self.start()
        try:
            reply = self.worker.ask({"probe": name, "kwargs": kwargs}, self.call_timeout,
                                    f"running `{function or name}`")
        except WorkerGone as exc:
            self.needs_restart = True
            if function:
                self.broken[function] = f"skipped: {exc} in an earlier check"
            raise Abort(self._with_output(str(exc)), function) from None
        if reply.get("tampered"):
            self.needs_restart = True  # a fresh worker for the next check
        if reply["status"] == "ok":
            return reply["value"]
        error = reply["error"]
        if error["not_implemented"]:
            where = raised_in(error)
            missing = where if where in self.stage.calls else function
            raise NotWritten(f"`{missing}` is not written yet (it raises NotImplementedError)",
                             missing)
        if error["type"] == "MissingFunction":
            raise Abort(error["message"])
        raise LearnerError(function or name, error)

    def call(self, function, *args, return_args=False, **kwargs):
        """Call the learner's `function`; returns its value as NumPy data."""
        return self.call_full(function, *args, return_args=return_args, **kwargs)["value"]

    def call_full(self, function, *args, return_args=False, **kwargs):
        """Like `call`, returning {"value", "types", "args_after"?}."""
        return self.probe("call", function=function, fn=function, args=args, kwargs=kwargs,
                          return_args=return_args)

    def _with_output(self, message):
        tail = self.worker.output_tail() if self.worker else ""
        return message + (f"\n    last lines your code printed:\n      {tail}" if tail else "")

    def close(self):
        if self.worker:
            self.worker.close()
            self.worker = None


class Context:
    """What a check function receives: the submission, the reference, the stage."""

    def __init__(self, submission, source, stage, profile):
        self.sub = submission
        self.source = source  # a reference.Live, or a recording of it
        self.stage = stage
        self.profile = profile
        self._judge = None
        self._judge_folder = None

    @property
    def judge(self):
        """A second sandboxed worker that never imports the submission (started on first use).

        It runs what the submission produced (a serialized program, a model
        file) with the stage's probes alone, so that an artifact is judged on
        what it holds, not on Python the submission left behind. It has no
        compile cache: a submission could otherwise plant compiled programs
        for it. Its worker runs with AUTOGRADER_JUDGE=1 in its environment,
        so that a stage's probes can skip set-up only the submission's worker
        needs. Call its probes with `function=` the learner function that
        made the artifact.
        """
        if self._judge is None:
            import tempfile

            self._judge_folder = tempfile.TemporaryDirectory(prefix="autograder-judge-")
            stand_in = Path(self._judge_folder.name) / self.stage.file
            stand_in.write_text('"""Stands in for the submission: the judge never imports it."""\n')
            self._judge = Submission(stand_in, self.stage, self.sub.memory_mb,
                                     self.sub.call_timeout, self.sub.sandboxed, compile_cache=None,
                                     environment={"AUTOGRADER_JUDGE": "1"})
            self._judge.start()
        return self._judge

    def close(self):
        """Stop the judge, if one was started (the submission's worker is the engine's)."""
        if self._judge is not None:
            self._judge.close()
            self._judge_folder.cleanup()
            self._judge = self._judge_folder = None

    @property
    def ref(self):
        """The reference solution's module (a check that reads it directly cannot be replayed)."""
        if self.source.replaying:
            raise references.Unrecorded("the reference module")
        return self.source.module

    def reference_value(self, label, compute, *inputs):
        """`compute()`, a value of the reference on `inputs`, recorded or replayed under `label`."""
        return self.source.value(label, compute, inputs)

    @property
    def dtype(self):
        """The float dtype of the drawn inputs: float64 for NumPy, float32 for JAX."""
        import numpy as np

        return np.float64 if self.stage.framework == "numpy" else np.float32

    @property
    def dtype_name(self):
        return "float64" if self.stage.framework == "numpy" else "float32"

    def expected(self, function, *args, **kwargs):
        """The reference solution's `function(*args)`, as NumPy data."""
        return self.reference_value(
            function, lambda: to_numpy(getattr(self.ref, function)(*args, **kwargs)), args, kwargs)

    def forall(self, strategy, prop, examples=20, explicit=()):
        """Run `prop(**case)` on cases drawn from `strategy` (and the `explicit` cases first);
        raise the smallest failure."""
        index = self.source.next_forall()
        if self.source.replaying:
            return self._replay(index, prop)
        known = self.source.known_cases(index)
        if known is not None and self._all_pass(known, prop):
            return
        count = max(1, round(examples * self.profile.example_scale))
        if self.profile.vary_fixed_inputs:
            explicit = [_scaled_floats(case) for case in explicit]

        failures = []  # the latest failure: Hypothesis only tries smaller inputs after the first
        tried_since_failure = 0

        @settings(max_examples=count, derandomize=self.profile.derandomize, database=None,
                  deadline=None, suppress_health_check=list(HealthCheck),
                  report_multiple_bugs=False, print_blob=False)
        @given(strategy)
        def run(case):
            nonlocal tried_since_failure
            if failures:
                tried_since_failure += 1
                if tried_since_failure > SHRINK_BUDGET:
                    raise _ShrinkBudgetSpent
            drawn = copy.deepcopy(case) if self.source.keeps_cases else case
            try:
                prop(**case)
            except (CheckFailed, LearnerError) as exc:
                exc.inputs = case
                failures[:] = [exc]
                raise
            self.source.saw_case(index, drawn)

        for case in explicit:
            run = hypothesis.example(case)(run)
        if self.profile.seed is not None:
            run = hypothesis.seed(self.profile.seed)(run)
        with reporting.with_reporter(lambda _message: None):
            try:
                run()
            except Flaky as flaky:
                raise _first_failure(flaky) from None
            except _ShrinkBudgetSpent:
                raise failures[0] from None
        self.source.passed_forall(index)

    @staticmethod
    def _all_pass(cases, prop):
        """True when `prop` holds on every case of an earlier passing run of this forall.

        Hypothesis, derandomized, draws the same cases in the same order on
        every run that passes, so a run that passes them all is the run it
        would make. On the first failure the caller runs Hypothesis afresh,
        to find the smallest failing input as `make check` does.
        """
        for case in cases:
            try:
                prop(**copy.deepcopy(case))
            except (CheckFailed, LearnerError):
                return False
        return True

    def _replay(self, index, prop):
        """Run `prop` on the recorded cases of this forall; the first failure is reported as is."""
        import warnings

        from hypothesis.errors import HypothesisDeprecationWarning, UnsatisfiedAssumption

        replayed = 0
        for case in self.source.recorded_cases(index):
            try:
                with warnings.catch_warnings():  # assume() outside @given: here on purpose
                    warnings.simplefilter("ignore", HypothesisDeprecationWarning)
                    prop(**case)
            except (references.Unrecorded, UnsatisfiedAssumption):
                continue
            except (CheckFailed, LearnerError) as exc:
                exc.inputs = case
                raise
            replayed += 1
        if not replayed:
            raise references.Unchecked(UNCHECKED_REASON)

    def fixed_seed(self, seed):
        """`seed` for a check's fixed inputs; another one when recording a release."""
        return seed + 7919 if self.profile.vary_fixed_inputs else seed

    def random_arg(self, seed):
        """The stage's source of randomness for `seed`: a NumPy Generator or a JAX key."""
        import numpy as np

        if self.stage.framework == "numpy":
            return np.random.default_rng(seed)
        return np.array([0, seed], dtype=np.uint32)  # == jax.random.PRNGKey(seed)


UNCHECKED_REASON = ("not checked here: its expected values are not in this release (they "
                    "would give grading's answers away, or depend on what your code returned); "
                    "it runs when your work is graded")


def _scaled_floats(case):
    """`case` with every float array scaled by 1 + 2**-10: the same test, other inputs."""
    import numpy as np

    return {name: value * value.dtype.type(1 + 2**-10)
            if isinstance(value, np.ndarray) and value.dtype.kind == "f" else value
            for name, value in case.items()}


def to_numpy(value):
    """Arrays (NumPy or JAX) to NumPy arrays, through tuples, lists and dicts."""
    import numpy as np

    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    return np.asarray(value)


def _first_failure(flaky):
    """The first check failure inside a Flaky group, marked as irreproducible."""
    for exc in getattr(flaky, "exceptions", ()):
        if isinstance(exc, (CheckFailed, LearnerError)):
            exc.reason += " (not reproducible: your function gave different results on the same input)"
            return exc
    return CheckFailed("your function gave different results on the same input")


@dataclass
class Outcome:
    check: object
    earned: int
    # "pass", "fail", "todo" (a function it needs is not written yet), "blocked"
    # (not run, or failed inside, because of `function`), "error" (a fault in the
    # grader) or "unchecked" (a release cannot check it)
    status: str
    reason: str = ""
    inputs: str = ""
    detail: str = ""
    seconds: float = 0.0
    function: str = ""  # the learner function to blame, for a check that did not pass
    advice: str = ""  # how to fix this failure, shown on request
    raised: bool = False  # the learner's code raised, rather than returning a wrong value


@dataclass
class Report:
    stage: object
    path: Path
    profile: str
    outcomes: list = field(default_factory=list)
    info: dict = field(default_factory=dict)
    seconds: float = 0.0
    import_error: str = ""  # why the file could not be imported, if it could not
    partial: bool = False  # only some of the stage's checks were asked for (--only)

    @property
    def earned(self):
        return sum(o.earned for o in self.outcomes)

    @property
    def possible(self):
        return sum(o.check.points for o in self.outcomes)

    @property
    def full_marks(self):
        return self.earned == self.possible and not self.partial

    @property
    def focus(self):
        return blame.focus(self.outcomes)


def configure_reference_jax():
    """The reference computes at the worker's precision, with its own compile cache."""
    import jax

    jax.config.update("jax_default_matmul_precision", "highest")
    settings = jax_cache_settings(CompileCache(CACHE_ROOT / "jax-grader"))
    jax.config.update("jax_compilation_cache_dir", settings["JAX_COMPILATION_CACHE_DIR"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def reference_source(stage):
    """The reference of `stage`: solutions/ where the kit has it, else a release's recording."""
    if (SOLUTIONS_DIR / stage.file).is_file():
        return references.Live(load_reference(stage))
    if references.recording_path(stage).is_file():
        return references.Replay(references.load_recording(stage))
    raise FileNotFoundError(f"neither {SOLUTIONS_DIR / stage.file} nor "
                            f"{references.recording_path(stage)} exists: nothing to compare with")


def load_reference(stage):
    """The reference solution of `stage`, imported in the grader's own process."""
    spec = importlib.util.spec_from_file_location(f"reference_{stage.slug}",
                                                  SOLUTIONS_DIR / stage.file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    except references.Unchecked as exc:
        outcome = Outcome(check, 0, "unchecked", exc.reason)
    except references.Unrecorded:
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


class SandboxUnavailable(Exception):
    """Instructor grading was asked for, but no sandbox can start here."""


# How grading treats the sandbox: "auto" (self-study: use it where it starts,
# else run without it and say so), "require" (instructors: refuse without it,
# and share no writable compile cache between submissions) or "off" (--no-sandbox).
SANDBOX_MODES = ("auto", "require", "off")


def sandbox_decision(mode):
    """(sandboxed, note): whether the worker runs sandboxed, and a line for the report."""
    if mode not in SANDBOX_MODES:
        raise ValueError(f"sandbox mode must be one of {SANDBOX_MODES}, not {mode!r}")
    if mode == "off":
        return False, "off (--no-sandbox): learner code ran with the grader's rights"
    reason = sandbox.unavailable_reason()
    if reason is None:
        return True, "bubblewrap"
    if mode == "require":
        raise SandboxUnavailable(
            f"instructor grading needs the sandbox, and {reason}. Install bubblewrap "
            "(apt-get install bubblewrap) or, only for code you trust, pass --no-sandbox.")
    return False, f"off: {reason}; your code ran unsandboxed, as you"


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
                           sandbox=sandbox_note)
        report.import_error = submission.import_error or ""
    finally:
        submission.close()
        if ctx is not None:
            ctx.close()
    integrity.verify(kit_before, path)
    report.seconds = time.perf_counter() - started
    return report
