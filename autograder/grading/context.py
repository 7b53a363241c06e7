"""What a check sees: the Context (ctx.sub, ctx.expected, ctx.forall) under a Hypothesis Profile."""
import copy
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.grading import reference as references
from autograder.grading.failures import CheckFailed, LearnerError
from autograder.grading.submission import Submission

# Hypothesis without its third-party plugins, whoever imports it first (a stage's
# checks do): the grader draws with its own strategies only, and one plugin
# installed beside it imports trio and pytest.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")


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


@functools.cache
def _hypothesis():
    """Hypothesis, set up on first use to draw the same cases in every process."""
    import hypothesis

    _draw_no_local_constants()
    return hypothesis


@dataclass(frozen=True)
class Profile:
    """How hard Hypothesis searches: `grading` is derandomized, `thorough` is not."""

    name: str
    derandomize: bool
    example_scale: float
    seed: int | None = None
    vary_fixed_inputs: bool = False  # other fixed inputs than grading's (ctx.fixed_seed)


GRADING = Profile("grading", derandomize=True, example_scale=1.0)


# What a student release records its expected values on (autograder.grading.reference).
RELEASE = Profile("release", derandomize=False, example_scale=0.5, seed=20261202,
                  vary_fixed_inputs=True)


def thorough(seed=None):
    return Profile("thorough", derandomize=False, example_scale=5.0, seed=seed)


class Context:
    """What a check function receives: the submission, the reference, the stage."""

    def __init__(self, submission, source, stage, profile):
        self.sub = submission
        self.source = source  # a reference.Live, or a recording of it
        self.stage = stage
        self.profile = profile
        self._judge = None
        self._judge_folder = None
        # False while a check blocked by a failing function runs for the score alone:
        # its first failing input settles it, no smaller one is looked for.
        self.shrink = True

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
        if known is not None:
            failure = self._first_failure_of(known, prop)
            if failure is None:
                return
            if not self.shrink:
                raise failure
        hypothesis = _hypothesis()
        from hypothesis import HealthCheck, given, reporting, settings
        from hypothesis.errors import Flaky

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
                if not self.shrink:
                    raise _ShrinkBudgetSpent from None
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
    def _first_failure_of(cases, prop):
        """The failure of `prop` on the first of `cases` (an earlier passing run's) it fails, or None.

        Hypothesis, derandomized, draws the same cases in the same order on
        every run that passes, so a run that passes them all is the run it
        would make. On a failure the caller runs Hypothesis afresh, to find
        the smallest failing input as `make check` does.
        """
        import warnings

        from hypothesis.errors import HypothesisDeprecationWarning, UnsatisfiedAssumption

        for case in cases:
            try:
                with warnings.catch_warnings():  # assume() outside @given: here on purpose
                    warnings.simplefilter("ignore", HypothesisDeprecationWarning)
                    prop(**copy.deepcopy(case))
            except UnsatisfiedAssumption:
                continue
            except (CheckFailed, LearnerError) as exc:
                exc.inputs = case
                return exc
        return None

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
