"""The stage metadata in `stages.toml`: files, titles, checks, points, ideas, hints."""
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
METADATA_FILE = REPO_ROOT / "stages.toml"
# The checks that train to an accuracy floor (ids "training_..."): `make check`
# runs them, but a notebook and Gradescope hold them back until grading.
HIDDEN_PREFIX = "training_"


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    points: int
    hint: str  # the formula-level help, shown on request (`make hint`)
    idea: str = ""  # what the check is about, shown with a failure
    functions: tuple = ()  # the learner functions it calls, the one it is about first
    across: bool = False  # about a property of all its functions (purity, jit), none first
    # False when its failure does not change what the functions' callers compute (a
    # dtype, whether a function is jitted): the checks after it are not blocked by it.
    blocks: bool = True

    @property
    def hidden(self):
        return self.id.startswith(HIDDEN_PREFIX)

    @property
    def function(self):
        """The learner function this check is about ('' for a check across functions)."""
        return self.functions[0] if self.functions and not self.across else ""


@dataclass(frozen=True)
class Stage:
    number: int
    slug: str
    title: str
    teaches: str
    framework: str  # "numpy" or "jax": what the worker hands the submission
    checks: tuple
    training: dict = None  # alpha, iterations (or epochs), floor of the training check
    calls: dict = field(default_factory=dict)  # function -> the stage functions it calls
    libraries: tuple = ()  # distributions beyond numpy/jax/haiku/optax it uses (report versions)
    # Pure array functions the worker may call as one compiled program each (JAX stages).
    compiled: tuple = ()
    # A kind of failure that is not a check's own topic (a mutation, a dtype) -> the
    # idea shown with it instead of the check's (CheckFailed(idea=kind)).
    ideas: dict = field(default_factory=dict)

    @property
    def file(self):
        return f"{self.slug}.py"

    @property
    def max_points(self):
        return sum(c.points for c in self.checks)

    def check(self, check_id):
        return next(c for c in self.checks if c.id == check_id)

    @property
    def functions(self):
        """The learner functions of the stage, in the order of the file."""
        return tuple(self.calls)

    def reaches(self, check):
        """Every learner function `check` goes through: its own and those they call."""
        seen, todo = [], list(check.functions)
        while todo:
            function = todo.pop(0)
            if function not in seen:
                seen.append(function)
                todo += self.calls.get(function, [])
        return tuple(seen)


def _stage(raw, ideas):
    """A Stage from its table; `ideas` are the shared ones, which the stage's own override."""
    checks = tuple(Check(**{**c, "functions": tuple(c.get("functions", ()))})
                   for c in raw.pop("checks", []))
    return Stage(checks=checks, **{**raw, "libraries": tuple(raw.get("libraries", ())),
                                   "compiled": tuple(raw.get("compiled", ())),
                                   "ideas": {**ideas, **raw.get("ideas", {})}})


@cache
def load_stages(path=METADATA_FILE):
    """All stages by number."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    stages = [_stage(dict(s), raw.get("ideas", {})) for s in raw["stages"]]
    return {s.number: s for s in stages}


def hidden_checks(stage):
    """The checks of `stage` that only run at grading."""
    return [c for c in stage.checks if c.hidden]


def visible_checks(stage):
    return [c for c in stage.checks if not c.hidden]
