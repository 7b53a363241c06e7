"""The engine survives whatever a submission does, and judges it in its own process.

Each test grades stage 1 (NumPy: quick to start) with a hostile or broken
submission and checks that the report is complete, the damage stays in the
checks it belongs to, and every other check is judged as usual.
"""
import json
import pickle
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.feedback import report
from autograder.grading import engine, reference
from autograder.grading.context import GRADING, Context
from autograder.grading.failures import Abort
from autograder.grading.submission import Submission
from autograder.metadata import REPO_ROOT, load_stages
from autograder.worker import transport

from conftest import grade_source

STAGE = load_stages()[1]
ALL_CHECKS = {c.id for c in STAGE.checks}
SOFTMAX_CHECKS = {"softmax_reference", "softmax_laws", "softmax_large_logits"}


def outcomes(report):
    return {o.check.id: o for o in report.outcomes}


def failed(report):
    return {o.check.id for o in report.outcomes if o.status != "pass"}


def with_override(solution_source, code):
    """The reference solution with `code` appended (its definitions win)."""
    return solution_source(1) + "\n\n" + textwrap.dedent(code)


def test_missing_file_gives_clean_zero_report(tmp_path):
    result = engine.grade(1, tmp_path)
    assert result.earned == 0 and len(result.outcomes) == len(STAGE.checks)
    assert all("there is no file" in o.reason for o in result.outcomes)


def test_syntax_error_costs_every_check_with_line_number(tmp_path, solution_source):
    source = solution_source(1).replace("def relu(Z):", "def relu(Z)")
    result = grade_source(1, source, tmp_path)
    assert result.earned == 0
    reason = result.outcomes[0].reason
    assert "SyntaxError" in reason and "line" in reason, reason
    assert all(o.status == "fail" for o in result.outcomes)


@pytest.mark.parametrize("statement, words", [
    ("raise RuntimeError('boom at import')", "boom at import"),
    ("import sys; sys.exit(3)", "SystemExit"),
    ("open('/no/such/training/data.csv')", "FileNotFoundError"),
    ("import os; os._exit(7)", "exited with status 7"),
])
def test_failure_at_import_is_reported_once_per_check(tmp_path, solution_source, statement, words):
    result = grade_source(1, solution_source(1) + "\n" + statement + "\n", tmp_path)
    assert result.earned == 0
    assert all(words in o.reason for o in result.outcomes), result.outcomes[0].reason


def test_stubs_score_zero_with_not_implemented(tmp_path):
    source = (REPO_ROOT / "exercises" / STAGE.file).read_text()
    result = grade_source(1, source, tmp_path)
    assert result.earned == 0
    assert all(o.status in ("todo", "blocked") for o in result.outcomes)
    assert any("not written yet" in o.reason for o in result.outcomes)


def test_os_exit_in_a_function_costs_only_its_checks(tmp_path, solution_source):
    source = with_override(solution_source, """
        def softmax(Z):
            import os
            os._exit(1)
    """)
    result = grade_source(1, source, tmp_path, only=SOFTMAX_CHECKS | {"relu", "one_hot", "update_params"})
    lost = failed(result)
    assert SOFTMAX_CHECKS <= lost
    assert "relu" not in lost and "one_hot" not in lost and "update_params" not in lost
    assert "exited with status 1" in outcomes(result)["softmax_reference"].reason


def test_endless_loop_times_out_and_later_checks_skip_it(tmp_path, solution_source):
    source = with_override(solution_source, """
        def softmax(Z):
            while True:
                pass
    """)
    result = grade_source(1, source, tmp_path, call_timeout=2,
                          only=SOFTMAX_CHECKS | {"relu", "update_params"})
    by_id = outcomes(result)
    assert "did not finish within 2 s" in by_id["softmax_reference"].reason
    assert by_id["softmax_laws"].status == "blocked" and by_id["softmax_laws"].function == "softmax"
    assert by_id["relu"].status == "pass" and by_id["update_params"].status == "pass"
    assert result.seconds < 60


def test_segfault_costs_only_its_checks(tmp_path, solution_source):
    source = with_override(solution_source, """
        def relu(Z):
            import ctypes
            ctypes.string_at(0)
    """)
    result = grade_source(1, source, tmp_path, only={"relu", "one_hot", "update_params"})
    by_id = outcomes(result)
    assert by_id["relu"].status == "fail" and "SIGSEGV" in by_id["relu"].reason
    assert by_id["one_hot"].status == "pass" and by_id["update_params"].status == "pass"


def test_memory_hog_is_stopped(tmp_path, solution_source):
    source = with_override(solution_source, """
        def relu(Z):
            hog = np.ones((40_000, 40_000))  # 12.8 GB
            return np.maximum(Z, 0)
    """)
    result = grade_source(1, source, tmp_path, memory_mb=2048, only={"relu", "one_hot"})
    by_id = outcomes(result)
    assert by_id["relu"].status == "fail"
    assert "MemoryError" in by_id["relu"].reason or "memory" in by_id["relu"].reason
    assert by_id["one_hot"].status == "pass"


def test_patching_numpy_cannot_fake_a_pass(tmp_path, solution_source):
    source = with_override(solution_source, """
        np.allclose = lambda *a, **k: True
        np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool)
        np.array_equal = lambda *a, **k: True

        def softmax(Z):
            return np.zeros_like(Z)
    """)
    result = grade_source(1, source, tmp_path, only={"softmax_reference", "softmax_laws", "relu"})
    assert {"softmax_reference", "softmax_laws"} <= failed(result)
    assert outcomes(result)["relu"].status == "pass"


def test_patching_numpy_inside_a_check_does_not_leak_into_others(tmp_path, solution_source):
    source = with_override(solution_source, """
        def one_hot(Y, num_classes=10):
            encoded = np.zeros((num_classes, Y.size))
            encoded[Y, np.arange(Y.size)] = 1.0
            np.maximum = lambda a, b: a * 0 - 1  # sabotage relu for whoever comes next
            return encoded
    """)
    result = grade_source(1, source, tmp_path,
                          only={"one_hot", "forward_prop", "backward_prop_reference"})
    assert outcomes(result)["forward_prop"].status == "pass"
    assert outcomes(result)["backward_prop_reference"].status == "pass"
    assert result.info["worker_restarts"] >= 1


def test_sabotaging_the_reference_changes_nothing(tmp_path, solution_source):
    """Even unsandboxed, where the file can load solutions/ and patch it, the patch stays in
    the worker's process: the grader computes its expected values with its own reference."""
    source = with_override(solution_source, f"""
        import importlib.util as _util
        import sys as _sys
        _spec = _util.spec_from_file_location("reference_stage1_numpy",
                                              {str(REPO_ROOT / 'solutions' / STAGE.file)!r})
        _ref = _util.module_from_spec(_spec)
        _spec.loader.exec_module(_ref)
        _ref.softmax = lambda Z: np.zeros_like(Z)
        _sys.modules["reference_stage1_numpy"] = _ref

        def softmax(Z):
            return np.zeros_like(Z)

        def patched_reference_softmax(Z):
            return _sys.modules["reference_stage1_numpy"].softmax(Z)
    """)
    (tmp_path / STAGE.file).write_text(source)
    submission = Submission(tmp_path / STAGE.file, STAGE, sandboxed=False)
    try:
        submission.start()
        assert submission.import_error is None, submission.import_error
        ones = np.ones((2, 1))
        assert not submission.call("patched_reference_softmax", ones).any(), "the patch ran"
    finally:
        submission.close()
    result = engine.grade(1, tmp_path, sandbox_mode="off", only={"softmax_reference"})
    assert not result.import_error
    assert outcomes(result)["softmax_reference"].status == "fail"


def test_patching_hypothesis_and_pytest_in_the_submission_changes_nothing(tmp_path,
                                                                         solution_source):
    source = with_override(solution_source, """
        import hypothesis, pytest
        hypothesis.given = None
        hypothesis.settings = None
        pytest.fail = None
    """)
    result = grade_source(1, source, tmp_path, only={"relu", "softmax_large_logits",
                                                     "backward_prop_numerical"})
    assert result.earned == result.possible, [o.reason for o in result.outcomes if o.status != "pass"]


def test_printing_does_not_disturb_the_protocol(tmp_path, solution_source):
    source = with_override(solution_source, """
        import sys as _sys

        def relu(Z):
            print("x" * 100_000)
            _sys.stdout.buffer.write(b"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x08garbage!")
            return np.maximum(Z, 0)
    """)
    result = grade_source(1, source, tmp_path, only={"relu"})
    assert result.earned == result.possible, result.outcomes[0].reason


def test_returning_a_function_is_a_clean_failure(tmp_path, solution_source):
    source = with_override(solution_source, """
        def relu(Z):
            return lambda: Z
    """)
    result = grade_source(1, source, tmp_path, only={"relu"})
    assert "expected an array" in result.outcomes[0].reason


def test_missing_function_is_named(tmp_path, solution_source):
    source = solution_source(1).replace("def relu_deriv(Z):", "def relu_derivative(Z):")
    result = grade_source(1, source, tmp_path, only={"relu_deriv"})
    assert "defines no `relu_deriv`" in result.outcomes[0].reason


def test_forged_reply_cannot_run_code_in_the_grader():
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ("echo pwned",))

    payload = pickle.dumps({"status": "ok", "value": Evil()})
    with pytest.raises(transport.UnsafeReply):
        transport.decode_untrusted(payload)
    import numpy as np
    plain = {"status": "ok", "value": (np.arange(3.0), np.float32(2), {"w": np.eye(2)}, [1, "a"])}
    assert repr(transport.decode_untrusted(pickle.dumps(plain))) == repr(plain)


def test_same_submission_same_report(tmp_path, solution_source):
    source = with_override(solution_source, """
        def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
            m = 1000
            dZ2 = A2 - one_hot(Y, A2.shape[0])
            dW2 = 1 / m * dZ2 @ A1.T
            db2 = 1 / m * np.sum(dZ2)
            dZ1 = W2.T @ dZ2 * relu_deriv(Z1)
            return 1 / m * dZ1 @ X.T, 1 / m * np.sum(dZ1), dW2, db2
    """)
    runs = []
    for _ in range(2):
        result = grade_source(1, source, tmp_path, only={
            "backward_prop_reference", "backward_prop_numerical", "backward_prop_bias_sums"})
        data = report.to_json(result)
        for key in ("seconds",):
            data.pop(key)
        for check in data["checks"]:
            check.pop("seconds")
        runs.append(json.dumps(data, sort_keys=True))
    assert runs[0] == runs[1]
    assert not result.full_marks


def _drawn_cases():
    """The cases a derandomized forall draws, as grading draws them."""
    from hypothesis import strategies as st

    class Source(reference.Live):
        def __init__(self):
            super().__init__(None)
            self.begin_check("any")

    seen = []
    ctx = Context(None, Source(), None, GRADING)
    ctx.forall(st.fixed_dictionaries({"n": st.integers(1, 1000), "x": st.floats(-1e4, 1e4)}),
               lambda n, x: seen.append((n, x)), examples=40)
    return seen


def test_drawn_cases_do_not_depend_on_what_the_process_imported(tmp_path, monkeypatch):
    """Hypothesis mixes in constants from the source of imported local modules; grading must
    draw the same cases in `make check`, under pytest-xdist and in a notebook's kernel."""
    before = _drawn_cases()
    (tmp_path / "module_with_constants.py").write_text(
        "VALUES = [3.25, -7.5, 1e3, 123456.0, 0.001, 42, 17, 99999, -12345, 2.5e-3, 0.3333]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("module_with_constants")
    assert _drawn_cases() == before


def test_the_judge_never_imports_the_submission(tmp_path, solution_source):
    """ctx.judge: a second sandboxed worker for the stage, with none of the learner's names."""
    stage = load_stages()[1]
    (tmp_path / stage.file).write_text(solution_source(1))
    submission = Submission(tmp_path / stage.file, stage)
    ctx = Context(submission, None, stage, GRADING)
    try:
        submission.start()
        assert "softmax" in submission.probe("defined_names")
        assert ctx.judge.probe("defined_names") == {}
        assert ctx.judge.worker.isolation == submission.worker.isolation
    finally:
        ctx.close()
        submission.close()
    assert ctx._judge is None


def test_a_run_started_ahead_is_held_to_the_call_time_limit(tmp_path, solution_source):
    """The training run starts ahead in a worker of its own; its check still fails it when it
    takes longer than a call may, whether it is still running or already done when asked."""
    import time

    source = with_override(solution_source, """
        import time as _time

        def gradient_descent(X, Y, alpha, iterations, rng):
            _time.sleep(4)
            return init_params(rng, X.shape[0])
    """)
    result = grade_source(1, source, tmp_path, only={"training_accuracy"}, call_timeout=2)
    assert "did not finish within 2 s" in outcomes(result)["training_accuracy"].reason
    submission = Submission(tmp_path / STAGE.file, STAGE, call_timeout=2)
    try:
        submission.start()
        X = np.zeros((3, 2))
        submission.call_ahead("gradient_descent", X, np.zeros(2, np.int64), 0.1, 1, None)
        time.sleep(6)  # the run is over by now, in 4 s: longer than a call may take
        with pytest.raises(Abort, match="did not finish within 2 s"):
            submission.call("gradient_descent", X, np.zeros(2, np.int64), 0.1, 1, None)
    finally:
        submission.close()
        submission.close_ahead()


def test_a_run_started_ahead_that_leaves_a_process_holding_its_pipe_stalls_nothing(
        tmp_path, solution_source):
    """The training run's data goes to its worker from a thread of the grader's. A worker that
    dies at import and leaves a process behind holding its pipe (outside bubblewrap, which
    takes all of them down) costs that check, and never holds the grader."""
    import time
    import uuid

    marker = Path("/tmp") / f"ahead-{uuid.uuid4().hex}"
    source = solution_source(1) + textwrap.dedent(f"""
        import os as _os
        if _os.path.exists({str(marker)!r}):  # the second import: the worker started ahead
            if _os.fork() == 0:
                _os.setsid()
                import time as _time
                _time.sleep(40)
                _os._exit(0)
            _os._exit(1)
        open({str(marker)!r}, "w").close()
    """)
    started = time.perf_counter()
    try:
        result = grade_source(1, source, tmp_path, only={"relu", "training_accuracy"},
                              sandbox_mode="off")
    finally:
        marker.unlink(missing_ok=True)
    assert time.perf_counter() - started < 30
    assert outcomes(result)["relu"].status == "pass"
    assert "exited with status 1" in outcomes(result)["training_accuracy"].reason


def test_the_training_run_goes_ahead_and_is_graded_as_before(tmp_path, solution_source):
    result = grade_source(1, solution_source(1), tmp_path, only={"training_accuracy"})
    assert result.full_marks or result.earned == result.possible
    source = with_override(solution_source, """
        def gradient_descent(X, Y, alpha, iterations, rng):
            return init_params(rng, X.shape[0])  # never trains
    """)
    untrained = grade_source(1, source, tmp_path, only={"training_accuracy"})
    assert "below the floor" in outcomes(untrained)["training_accuracy"].reason


def test_without_a_spare_core_the_training_runs_in_the_main_worker(tmp_path, solution_source,
                                                                   monkeypatch):
    """run_ahead=False (class grading with a job a core) starts no second worker, same verdict."""
    from autograder.grading import worker_handle

    lanes = []
    spawn = worker_handle.Worker.spawn

    def spawn_recorded(worker, *args, **kwargs):
        lanes.append(worker.lane)
        return spawn(worker, *args, **kwargs)

    monkeypatch.setattr(worker_handle.Worker, "spawn", spawn_recorded)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 2)  # a core to spare by default
    result = grade_source(1, solution_source(1), tmp_path, only={"training_accuracy"},
                          run_ahead=False)
    assert outcomes(result)["training_accuracy"].status == "pass"
    assert lanes == [0]
    grade_source(1, solution_source(1), tmp_path, only={"training_accuracy"})
    assert lanes == [0, 0, 1]


def test_a_grading_job_a_core_leaves_no_core_for_a_run_ahead(monkeypatch):
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 4)
    assert engine.has_spare_core(1) and engine.has_spare_core(2)
    assert not engine.has_spare_core(3) and not engine.has_spare_core(4)
