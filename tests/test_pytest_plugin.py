"""The stage checks as pytest items (autograder/pytest_plugin.py), run the way learners,
editors and CI jobs run pytest: in a subprocess, from the kit's root.

Every run here grades through the plugin, so each is compared with what
`make check` (`python -m autograder check`) says about the same file.
"""
import json
import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET

from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission


def pytest_run(*args, env=None):
    """pytest in the kit's root, as a learner types it (progress is off: see conftest)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, env=env)


def make_check(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "check", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


def stage_items(stage_numbers, folder="exercises"):
    """The node ids of every check of these stages, as pytest names them."""
    stages = load_stages()
    return {f"{folder}/{stages[n].file}::{check.id}" for n in stage_numbers
            for check in stages[n].checks}


def ready_stages():
    return [n for n, s in load_stages().items() if s.checks]


def junit_cases(path):
    """(stage, check id) -> outcome, message, text and the properties of its JUnit test case."""
    cases = {}
    for case in ET.parse(path).iter("testcase"):
        found = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
        found.update(outcome="passed", message="", text="")
        for tag, outcome in (("failure", "failed"), ("skipped", "skipped"), ("error", "error")):
            element = case.find(tag)
            if element is not None:
                found.update(outcome=outcome, message=element.get("message"), text=element.text)
        cases[int(found["stage"]), case.get("name")] = found
    return cases


def test_collect_only_from_the_root_finds_the_stage_checks_and_none_of_the_kits_tests():
    """What a learner's `pytest --collect-only` lists, and VS Code's test panel with it."""
    done = pytest_run("--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    collected = {line for line in done.stdout.splitlines() if "::" in line}
    assert collected == stage_items(ready_stages())
    assert "the grade" not in done.stdout  # collecting grades nothing
    settings = json.loads((REPO_ROOT / ".vscode" / "settings.json").read_text())
    testpaths = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["testpaths"]
    assert settings["python.testing.pytestEnabled"]
    assert settings["python.testing.pytestArgs"] == testpaths == ["exercises"]


def test_the_shipped_exercise_skips_every_item_as_not_written(tmp_path):
    done = pytest_run("--stage", "1", "-rs", "--junitxml", str(tmp_path / "out.xml"))
    assert done.returncode == 1, done.stdout + done.stderr  # no points is no success
    cases = junit_cases(tmp_path / "out.xml")
    assert {f"exercises/stage1_numpy.py::{i}" for _, i in cases} == stage_items([1])
    assert all(case["outcome"] == "skipped" and "not written yet" in case["message"]
               and case["points"] == "0" for case in cases.values()), cases
    assert f"Total: 0/{load_stages()[1].max_points} points" in done.stdout
    lines = (REPO_ROOT / "exercises" / "stage1_numpy.py").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("def init_params("))
    # -rs points at the function to write, in the learner's file
    assert re.search(rf"SKIPPED \[\d+\] exercises/stage1_numpy.py:{line}: "
                     r"not written yet: `init_params`", done.stdout), done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_solutions_pass_every_item_with_full_marks(tmp_path):
    """Stage 1 (NumPy) and stage 6 (JAX), asked for as a comma list."""
    done = pytest_run("--stage", "1,6", "--impl", "solutions", "--junitxml",
                      str(tmp_path / "out.xml"))
    assert done.returncode == 0, done.stdout + done.stderr
    items = stage_items([1, 6], "solutions")
    assert re.search(rf"\b{len(items)} passed\b", done.stdout), done.stdout
    assert "Full marks for stage 1!" in done.stdout and "Full marks for stage 6!" in done.stdout
    cases = junit_cases(tmp_path / "out.xml")
    assert {case["outcome"] for case in cases.values()} == {"passed"}
    assert all(case["points"] == case["max_points"] and case["status"] == "pass"
               for case in cases.values())
    assert sum(int(case["points"]) for case in cases.values()) == sum(
        load_stages()[n].max_points for n in (1, 6))


def test_a_buggy_file_fails_and_skips_the_checks_make_check_reports(tmp_path):
    variant = BUGGY / "stage1" / "one_hot_sized_by_max_label.py"
    buggy_submission(variant, tmp_path)
    checked = make_check("1", "--impl", str(tmp_path), "--report", str(tmp_path / "out.json"))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    graded = json.loads((tmp_path / "out.json").read_text())
    expected = {c["id"]: c for c in graded["checks"]}
    done = pytest_run("--stage", "1", "--impl", str(tmp_path), "--junitxml",
                      str(tmp_path / "out.xml"))
    assert done.returncode == 1, done.stdout + done.stderr
    cases = junit_cases(tmp_path / "out.xml")
    outcome = {"pass": "passed", "fail": "failed", "blocked": "skipped"}
    assert {i: c["outcome"] for (_, i), c in cases.items()} == {
        i: outcome[c["status"]] for i, c in expected.items()}
    assert {i: (c["status"], int(c["points"])) for (_, i), c in cases.items()} == {
        i: (c["status"], c["points"]) for i, c in expected.items()}
    assert {"fail", "blocked"} <= {c["status"] for c in expected.values()}
    failing = next(c for c in expected.values() if c["status"] == "fail")
    message = cases[1, failing["id"]]["text"]
    assert f"`{failing['function']}` fails this check" in message
    assert failing["message"] in message and "smallest failing input" in message
    assert "idea:" in message
    assert f"Fix first: `{failing['function']}`" in done.stdout  # the terminal summary
    assert f"Total: {graded['score']}/{graded['max_score']} points" in done.stdout


def test_k_runs_only_the_selected_checks_and_never_claims_full_marks():
    done = pytest_run("solutions/stage1_numpy.py", "-k", "softmax")
    assert done.returncode == 0, done.stdout + done.stderr
    checks = load_stages()[1].checks
    softmax = [c for c in checks if "softmax" in c.id]
    assert re.search(rf"\b{len(softmax)} passed, \d+ deselected\b", done.stdout), done.stdout
    points = sum(c.points for c in softmax)
    assert (f"Total: {points}/{points} points ({len(softmax)} of {len(softmax)} checks passed, "
            f"{len(softmax)} of {len(checks)} checks run)") in done.stdout
    assert "Full marks" not in done.stdout


def test_an_unknown_stage_or_folder_is_a_usage_error():
    done = pytest_run("--stage", str(max(ready_stages()) + 1))
    assert done.returncode == 4 and "--stage must be one of 1, 2" in done.stderr, done.stderr
    done = pytest_run("--stage", "1", "--impl", "no/such/folder")
    assert done.returncode == 4 and "no such folder" in done.stderr, done.stderr


def test_a_grader_fault_fails_every_item_of_the_stage_from_one_grading_run(tmp_path):
    (tmp_path / "grader_fault.py").write_text(
        "from autograder.grading import engine\n"
        "runs = []\n"
        "def grade(*args, **kwargs):\n"
        "    runs.append(1)\n"
        "    raise RuntimeError(f'grading run {len(runs)} broke')\n"
        "engine.grade = grade\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = pytest_run("-p", "grader_fault", "--stage", "1", "--impl", "solutions", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    checks = len(load_stages()[1].checks)
    assert re.search(rf"\b{checks} failed\b", done.stdout), done.stdout
    assert done.stdout.count("not of your code):\nTraceback") >= checks
    assert done.stdout.count("grading run 1 broke") >= checks
    assert "grading run 2" not in done.stdout
