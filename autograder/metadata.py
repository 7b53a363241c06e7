"""The stage metadata in `stages.toml`: files, titles, checks, points, hints."""
import tomllib
from dataclasses import dataclass
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
    hint: str

    @property
    def hidden(self):
        return self.id.startswith(HIDDEN_PREFIX)


@dataclass(frozen=True)
class Stage:
    number: int
    slug: str
    title: str
    teaches: str
    framework: str  # "numpy" or "jax": what the worker hands the submission
    checks: tuple
    training: dict = None  # alpha, iterations (or epochs), floor of the training check

    @property
    def file(self):
        return f"{self.slug}.py"

    @property
    def max_points(self):
        return sum(c.points for c in self.checks)

    def check(self, check_id):
        return next(c for c in self.checks if c.id == check_id)


def _stage(raw):
    checks = tuple(Check(**{k: v for k, v in c.items()}) for c in raw.pop("checks", []))
    return Stage(checks=checks, **raw)


@cache
def load_stages(path=METADATA_FILE):
    """All stages by number."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    stages = [_stage(dict(s)) for s in raw["stages"]]
    return {s.number: s for s in stages}
