"""`python -m autograder`, which the Make targets wrap: exit codes and reports."""
import json
import subprocess
import sys

from autograder.metadata import REPO_ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)


def test_full_marks_exit_zero_and_json_report(tmp_path):
    out = tmp_path / "report.json"
    done = run("check", "1", "--impl", "solutions", "--report", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Total: 29/29 points" in done.stdout and "Device: cpu" in done.stdout
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"] == 29 and data["full_marks"]
    assert {"id", "points", "max_points", "status", "message", "hint"} <= set(data["checks"][0])
    assert data["versions"]["numpy"] and data["device"] == "cpu"


def test_exercise_exits_nonzero_without_traceback():
    done = run("check", "1")
    assert done.returncode == 1
    assert "Total: 0/29 points" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_unknown_stage_and_folder_are_usage_errors():
    done = run("check", "12")
    assert done.returncode == 2 and "STAGE must be one of" in done.stderr
    done = run("check", "1", "--impl", "no/such/folder")
    assert done.returncode == 2 and "no such folder" in done.stderr


def test_stale_exercise_check_passes_on_a_clean_tree():
    assert run("exercises", "--check").returncode == 0
