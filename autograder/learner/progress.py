"""The learner's place in the course: progress, reset one stage, the reference after full marks.

`make check` on exercises/ records each stage's score in a state file out of
git (.cache/progress.json). Every function takes the kit's root, so tests run
on a temporary copy and never touch a learner's own files.
"""
import json
import time
from pathlib import Path

from autograder.generate import back_up, stub_source
from autograder.metadata import REPO_ROOT, load_stages

STATE = Path(".cache") / "progress.json"


def _state(root):
    path = Path(root) / STATE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def record(report, root=REPO_ROOT):
    """Remember the score of a full `make check` run on exercises/."""
    if report.partial:
        return
    state = _state(root)
    state[str(report.stage.number)] = {"earned": report.earned, "possible": report.possible,
                                       "graded": time.strftime("%Y-%m-%d %H:%M")}
    path = Path(root) / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=1) + "\n")


def shipped(stage, root=REPO_ROOT):
    """The stage's exercise as the kit ships it, generated from its solution."""
    solution = Path(root) / "solutions" / stage.file
    return stub_source(solution.read_text(), stage.number, solution.name)


def status(stage, root=REPO_ROOT):
    """'not started', 'in progress' or 'done', with the recorded score and time, if any."""
    recorded = _state(root).get(str(stage.number))
    exercise = Path(root) / "exercises" / stage.file
    untouched = exercise.is_file() and exercise.read_text() == shipped(stage, root)
    if recorded and recorded["earned"] == recorded["possible"] and not untouched:
        return "done", recorded
    if untouched and not (recorded and recorded["earned"]):
        return "not started", recorded
    return "in progress", recorded


def table(root=REPO_ROOT):
    """Every stage with its status, and the one-line pointer to what comes next."""
    lines, following = [], None
    for stage in (s for s in load_stages().values() if s.checks):
        state, recorded = status(stage, root)
        score = f"{recorded['earned']}/{recorded['possible']} points" if recorded else "not graded"
        when = f", last graded {recorded['graded']}" if recorded else ""
        lines.append(f"{stage.number:>2}  {stage.file:<32} {state:<12} {score}{when}")
        if following is None and state != "done":
            following = stage
    if following is None:
        lines.append("\nnext: every stage has full marks. Well done!")
    else:
        lines.append(f"\nnext: stage {following.number}, exercises/{following.file} "
                     f"(make check STAGE={following.number})")
    return "\n".join(lines)


def reset(stage, root=REPO_ROOT):
    """Put the stage's exercise back as shipped; returns the backup of the learner's file."""
    exercise = Path(root) / "exercises" / stage.file
    stub = shipped(stage, root)
    backup = None
    if exercise.is_file() and exercise.read_text() != stub:
        backup = back_up(exercise)
    exercise.write_text(stub)
    return backup


def solution(stage, force=False, root=REPO_ROOT):
    """The reference solution's source, once the stage has full marks (or when forced)."""
    state, _ = status(stage, root)
    if state != "done" and not force:
        return None
    return (Path(root) / "solutions" / stage.file).read_text()
