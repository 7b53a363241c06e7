"""The class compile cache: filled by the reference, read-only to the submissions.

A submission must not be able to write into it (it would plant programs for
the students graded after it), and grading with it must give the verdicts
`make parity` recorded without it.
"""
import pytest

from autograder.grading import engine, sandbox
from autograder.grading.worker_handle import CompileCache, jax_cache_settings
from autograder.instructor import class_cache
from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission, expected_failures, same_as_baseline

STAGE2 = load_stages()[2]
VARIANT = BUGGY / "stage2" / "softmax_no_max_subtraction.py"

needs_sandbox = pytest.mark.skipif(sandbox.unavailable_reason() is not None,
                                   reason="the class cache is for sandboxed grading")


def cache_files(folder):
    return {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*")}


def planting(folder):
    """A stage-2 file that imports the solution's code and tries to write into the cache."""
    solution = (REPO_ROOT / "solutions" / STAGE2.file).read_text()
    return solution + f"""
for _name in ("planted.bin", "jit_forward_prop-deadbeef-cache"):
    try:
        open({str(folder)!r} + "/" + _name, "wb").write(b"not a program")
    except OSError:
        pass
"""


def test_a_read_only_cache_is_never_written_by_jax():
    settings = jax_cache_settings(CompileCache(REPO_ROOT / "x", writable=False))
    assert float(settings["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"]) >= 1e9
    assert jax_cache_settings(CompileCache(REPO_ROOT / "x"))[
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"


@needs_sandbox
def test_submissions_read_the_cache_and_cannot_write_it(tmp_path, monkeypatch):
    folder = tmp_path / "jax-class"
    monkeypatch.setattr(class_cache, "CLASS_CACHE_DIR", folder)
    monkeypatch.setattr(class_cache, "CLASS_KEPT_DIR", tmp_path / "kept-class")
    cache = class_cache.prepared([2] * class_cache.WORTH_FILLING, "require")
    assert cache == CompileCache(folder, writable=False)
    filled = cache_files(folder)
    assert len(filled) > 10, "the reference compiled no programs into the cache"
    class_cache.fill(2)
    assert cache_files(folder) == filled, "a filled stage is filled again"

    for name, source in (("planting", planting(folder)), ("buggy", None)):
        work = tmp_path / name
        work.mkdir()
        if source is None:
            buggy_submission(VARIANT, work)
        else:
            (work / STAGE2.file).write_text(source)
        with_cache = engine.grade(2, work, sandbox_mode="require", compile_cache=cache)
        assert cache_files(folder) == filled, f"the {name} submission changed the cache"
        if source is None:
            failed = {o.check.id for o in with_cache.outcomes if o.status != "pass"}
            assert set(expected_failures(VARIANT)) <= failed
            # The verdict `make parity` recorded without this cache, check by check.
            assert not same_as_baseline(f"stage2/buggy/{VARIANT.stem}", with_cache)
        else:
            assert with_cache.full_marks


def test_no_cache_where_it_does_not_apply(tmp_path, monkeypatch):
    monkeypatch.setattr(class_cache, "CLASS_CACHE_DIR", tmp_path / "jax-class")
    monkeypatch.setattr(class_cache, "CLASS_KEPT_DIR", tmp_path / "kept-class")
    many = class_cache.WORTH_FILLING
    assert class_cache.prepared([2] * many, "off") is None
    assert class_cache.prepared([1] * many + [2] * (many - 1), "require") == \
        CompileCache(tmp_path / "jax-class", False)
    assert not (tmp_path / "jax-class").exists(), \
        "a NumPy stage, or a stage with few submissions, filled the compile cache"
    kept = {p.name for p in (tmp_path / "kept-class").glob("*.pkl")}
    assert kept == {"stage1_numpy.pkl"}, "the stage with many submissions keeps its values"
