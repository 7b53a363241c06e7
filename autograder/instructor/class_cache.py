"""What grading a class keeps from the reference: compiled programs and expected values.

Instructor grading gives no submission a writable compile cache (it could
plant programs for the submissions graded after it), so each worker compiled
every JAX program afresh: most of the time a JAX stage takes to grade. Before
a class is graded, each JAX stage's solution is graded once with this cache
writable; the students' workers then read it and cannot write it. A student's
function that compiles to the reference's program (the same operations on the
same shapes: the grading inputs are derandomized) loads it instead of
compiling it; any other program is compiled as before, so scores are the same
with or without the cache.

The same grade of the solution keeps the reference's values and the cases of
every check (reference.Kept, in the grader's own folder): each grading
process then starts from them, so a submission's passing checks replay those
cases instead of drawing them, and no value is computed twice for a class.
"""
from collections import Counter

from autograder.grading import engine, integrity
from autograder.grading.reference import SOLUTIONS_DIR, Kept
from autograder.grading.worker_handle import CACHE_ROOT, CompileCache
from autograder.metadata import load_stages

CLASS_CACHE_DIR = CACHE_ROOT / "jax-class"
CLASS_KEPT_DIR = CACHE_ROOT / "kept-class"
# Filling costs about one submission graded without the cache; each one like the
# reference then grades three to four times as fast (stage 3 on 2 cores, 2026-12-07:
# fill 16.5 s; a buggy file 15.3 s without the cache, 5.2 s with it; the solution 15.6 s
# and 4.0 s), so it pays from two on.
WORTH_FILLING = 2


class ReferenceNotFullMarks(Exception):
    """The solution lost points while filling the cache: the kit itself is broken."""


def _marker(stage_number):
    return CLASS_KEPT_DIR / f".filled-stage{stage_number}-{integrity.version()}"


def fill(stage_number):
    """Grade the solution with the caches writable, once per kit version."""
    marker = _marker(stage_number)
    if marker.exists():
        return
    stage = load_stages()[stage_number]
    print(f"stage {stage_number}: grading the reference once for the class "
          "(once per kit version)...", flush=True)
    jax = stage.framework == "jax"
    report = engine.grade(stage_number, SOLUTIONS_DIR, sandbox_mode="require",
                          compile_cache=CompileCache(CLASS_CACHE_DIR, writable=True) if jax else None,
                          reference=Kept(stage, CLASS_KEPT_DIR))
    if not report.full_marks:
        raise ReferenceNotFullMarks(f"the solution of stage {stage_number} got {report.earned}/"
                                    f"{report.possible} while filling the compile cache")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def kept_reference(stage):
    """The class's store of the reference's values and cases (this process adds to it in memory)."""
    return Kept(stage, CLASS_KEPT_DIR, save_changes=False)


def prepared(submission_stages, sandbox_mode):
    """The read-only cache for grading submissions of these stages; None where it does not apply.

    `submission_stages` holds one stage number per submission to grade: a
    stage with at least WORTH_FILLING of them is filled first. The cache
    applies under sandbox mode "require" in a kit that has its solutions (not
    in a student's release kit); an unfilled stage just finds nothing in it.
    """
    if sandbox_mode != "require" or not SOLUTIONS_DIR.is_dir():
        return None
    for number, count in sorted(Counter(submission_stages).items()):
        if count >= WORTH_FILLING:
            fill(number)
    return CompileCache(CLASS_CACHE_DIR, writable=False)
