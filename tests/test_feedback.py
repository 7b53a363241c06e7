"""The report leads to the one function to fix: focus, blocked checks, quiet stubs, --only, hints."""
import json
import subprocess
import sys

import numpy as np
import pytest

from autograder.checks.compare import expect_close
from autograder.feedback import blame, report
from autograder.grading.failures import CheckFailed, LearnerError
from autograder.metadata import REPO_ROOT, load_stages

from conftest import grade_source, graded_stages


def flat(text):
    return " ".join(text.split())


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("number", graded_stages())
def test_untouched_stage_fits_one_screen_and_names_where_to_start(number, tmp_path):
    stage = load_stages()[number]
    exercise = (REPO_ROOT / "exercises" / stage.file).read_text()
    graded = grade_source(number, exercise, tmp_path)
    text = report.format_text(graded)
    assert len(text.splitlines()) <= 25, text
    first = graded.focus[0]["function"]
    assert first in stage.functions[:3] and graded.focus[0]["why"].endswith("NotImplementedError)")
    assert f"Next to write: `{first}`" in text and "hint" not in text.lower()
    assert all(o.status in ("todo", "blocked") for o in graded.outcomes)


def test_syntax_error_is_one_message_with_a_caret(tmp_path, solution_source):
    broken = solution_source(1).replace("return np.maximum(Z, 0)", "return np.maximum(Z 0)")
    graded = grade_source(1, broken, tmp_path)
    text = report.format_text(graded)
    assert len(text.splitlines()) <= 10, text
    assert text.count("SyntaxError") == 1 and "np.maximum(Z 0)" in text and "^" in text
    assert graded.earned == 0 and all(o.status == "fail" for o in graded.outcomes)


def test_a_failure_shows_the_idea_and_keeps_the_hint_for_later(tmp_path, solution_source):
    buggy = solution_source(1) + "\n\ndef one_hot(Y, num_classes=10):\n" \
        "    out = np.zeros((Y.max() + 1, Y.size))\n    out[Y, np.arange(Y.size)] = 1\n" \
        "    return out\n"
    graded = grade_source(1, buggy, tmp_path)
    text = report.format_text(graded)
    shown_failing = [o for o in graded.outcomes if o.status == "fail"]
    assert len(shown_failing) == 1 and shown_failing[0].function == "one_hot"
    check = shown_failing[0].check
    assert text.splitlines()[2] == "Fix first: `one_hot`", text
    assert flat(check.idea) in flat(text) and flat(check.hint) not in flat(text)
    assert "make hint STAGE=1 FUNCTION=one_hot" in text
    assert flat(check.hint) in flat(report.format_text(graded, hints=True))
    waiting = {o.check.id for o in graded.outcomes
               if o.status == "blocked" or o.waits_on == "one_hot"}
    assert waiting >= {"backward_prop_reference", "no_mutation", "training_accuracy"}
    assert all(o.function == "one_hot" for o in graded.outcomes if o.status == "blocked")


def test_json_focus_lists_the_function_its_checks_and_why(tmp_path, solution_source):
    buggy = solution_source(1) + "\n\ndef softmax(Z):\n    return np.exp(Z) / np.exp(Z).sum()\n"
    graded = grade_source(1, buggy, tmp_path)
    data = report.to_json(graded)
    assert data["focus"][0]["function"] == "softmax"
    assert data["focus"][0]["checks"][0] == "softmax_reference"
    assert "forward_prop" in data["focus"][0]["checks"] and data["focus"][0]["why"]
    blocked = next(c for c in data["checks"] if c["id"] == "forward_prop")
    assert blocked["status"] == "blocked" and blocked["function"] == "softmax"
    json.dumps(data)


def test_an_error_raised_inside_an_unverified_function_blocks_the_caller():
    stage = load_stages()[1]
    ledger = blame.Ledger(stage)
    error = {"type": "ValueError", "message": "bad", "frames": [(3, "softmax", "x")],
             "not_implemented": False}
    check = stage.check("forward_prop")
    assert ledger.blame(check, LearnerError("forward_prop", error)) == ("blocked", "softmax")
    ledger.passed.add("softmax")  # softmax passed its own checks: forward_prop fed it bad input
    assert ledger.blame(check, LearnerError("forward_prop", error)) == ("fail",
                                                                               "forward_prop")


def test_only_with_an_unknown_id_fails_and_lists_the_ids():
    done = run("check", "1", "--only", "typo_id")
    assert done.returncode == 2
    assert "typo_id" in done.stderr and "softmax_large_logits" in done.stderr
    assert "Full marks" not in done.stdout


def test_a_partial_run_never_says_full_marks():
    done = run("check", "1", "--impl", "solutions", "--only", "softmax_large_logits,relu")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 of 20 checks run" in done.stdout and "Full marks" not in done.stdout
    assert "softmax_large_logits" in done.stdout  # the report shows check ids


def test_hint_command_gives_the_detailed_hints_of_one_function():
    done = run("hint", "1", "--function", "one_hot")
    assert done.returncode == 0
    assert flat(load_stages()[1].check("one_hot_missing_classes").hint) in flat(done.stdout)
    assert "[softmax_reference]" not in done.stdout
    assert run("hint", "1", "--function", "nope").returncode == 2


@pytest.mark.parametrize("number", graded_stages())
def test_every_check_names_its_functions_and_follows_them(number):
    """A check that goes through a function runs after that function's own checks."""
    stage = load_stages()[number]
    seen_own = set()
    for check in stage.checks:
        assert check.idea and check.functions, check.id
        assert set(check.functions) <= set(stage.functions), check.id
        if check.across:  # it blames the function its failure names, wherever it runs
            continue
        others = set(stage.reaches(check)) - {check.function}
        owned = {c.function for c in stage.checks}
        assert not (others & owned) - seen_own, f"{check.id} runs before the checks of " \
            f"{sorted((others & owned) - seen_own)}"
        seen_own.add(check.function)


def test_symptoms_name_a_constant_factor_and_swapped_axes():
    expected = np.linspace(1, 2, 12).reshape(3, 4)
    with pytest.raises(CheckFailed) as factor:
        expect_close(expected * 37, expected, "dW1")
    assert "37 times" in factor.value.reason
    with pytest.raises(CheckFailed) as fraction:
        expect_close(expected / 8, expected, "dW1")
    assert "1/8" in fraction.value.reason
    with pytest.raises(CheckFailed) as swapped:
        expect_close(expected.T, expected, "A2")
    assert "swapped" in swapped.value.reason


def test_jax_errors_keep_the_lines_that_name_the_argument():
    message = ("vmap got inconsistent sizes for array axes to be mapped:\n"
               "  * one axis had size 5: axis 0 of argument X of type float32[5,3];\n"
               "  * one axis had size 4: axis 0 of argument Y of type int32[4]\n"
               "--------------------\n"
               "For simplicity, JAX has removed its internal frames from the traceback.")
    error = {"type": "ValueError", "message": message, "frames": [(12, "batched_forward", "x")],
             "not_implemented": False}
    text = LearnerError("batched_forward", error).reason
    assert "argument X of type float32[5,3]" in text and "argument Y" in text
    assert "For simplicity" not in text and "line 12" in text


def test_an_error_shows_its_own_advice_not_the_checks_idea(tmp_path, solution_source):
    buggy = solution_source(1) + "\n\ndef relu(Z):\n    return Z.clip(min=0) + undefined_name\n"
    graded = grade_source(1, buggy, tmp_path)
    text = report.format_text(graded)
    lead = blame.lead(graded.outcomes, "relu")
    assert lead.raised and "NameError" in text and "Try:" in text
    assert flat(lead.check.idea) not in flat(text)
