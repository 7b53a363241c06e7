"""The score report: a table for people, JSON for instructors' tools."""
import json
import os
import platform
import sys
import textwrap
from importlib import metadata
from pathlib import Path

LIBRARIES = ("numpy", "jax", "jaxlib", "dm-haiku", "optax", "hypothesis")
WIDTH = 78


def versions():
    """Versions of Python and the libraries that can change a grade."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _colour(text, code):
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return f"\033[{code}m{text}\033[0m"
    return text


def _status(outcome):
    if outcome.status == "pass":
        return _colour("pass", "32")
    if outcome.status == "unchecked":
        return _colour("later", "33")
    return _colour("FAIL" if outcome.status == "fail" else "ERROR", "31")


def _indent(label, text):
    """'label: text' wrapped and indented under the check's row."""
    lines = []
    for i, raw in enumerate(text.splitlines()):
        first = f"{label}: " if i == 0 else " " * (len(label) + 2)
        lines += textwrap.wrap(raw, WIDTH - 6, initial_indent="      " + first,
                               subsequent_indent="      " + " " * (len(label) + 2)) or [""]
    return lines


def _shown(path):
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def format_text(report):
    """The report as the table `make check` prints."""
    stage = report.stage
    lines = [f"Stage {stage.number}: {stage.title} ({_shown(report.path)})", ""]
    title_width = max([len(o.check.title) for o in report.outcomes] + [5])
    lines.append(f"  {'check':<{title_width}}  points  result")
    for o in report.outcomes:
        points = f"{o.earned}/{o.check.points}"
        lines.append(f"  {o.check.title:<{title_width}}  {points:>6}  {_status(o)}")
        if o.status == "pass":
            continue
        lines += _indent("why", o.reason)
        if o.status == "unchecked":
            continue
        if o.inputs:
            lines += _indent("smallest failing input", o.inputs)
        if o.detail:
            lines += _indent("details", o.detail)
        lines += _indent("hint", o.check.hint)
    passed = sum(o.status == "pass" for o in report.outcomes)
    lines += ["", f"Total: {report.earned}/{report.possible} points "
                  f"({passed} of {len(report.outcomes)} checks passed) in {report.seconds:.1f} s"]
    device = report.info.get("device", "cpu")
    libs = ", ".join(f"{k} {v}" for k, v in versions().items())
    lines.append(f"Device: {device}; {libs}; Hypothesis profile: {report.profile}")
    sandbox_note = report.info.get("sandbox", "")
    if sandbox_note and sandbox_note != "bubblewrap":
        lines.append(f"Sandbox: {sandbox_note}")
    if report.full_marks:
        lines.append(_colour("Full marks: on to the next stage!", "32"))
    return "\n".join(lines)


def to_json(report):
    """Every check with points, status and message, plus device and versions."""
    return {
        "stage": report.stage.number,
        "title": report.stage.title,
        "file": str(report.path),
        "score": report.earned,
        "max_score": report.possible,
        "full_marks": report.full_marks,
        "profile": report.profile,
        "seconds": round(report.seconds, 3),
        "device": report.info.get("device", "cpu"),
        "worker_restarts": report.info.get("worker_restarts", 0),
        "sandbox": report.info.get("sandbox", ""),
        "versions": versions(),
        "checks": [
            {
                "id": o.check.id,
                "title": o.check.title,
                "points": o.earned,
                "max_points": o.check.points,
                "status": o.status,
                "message": o.reason,
                "smallest_failing_input": o.inputs,
                "details": o.detail,
                "hint": "" if o.status == "pass" else o.check.hint,
                "seconds": round(o.seconds, 3),
            }
            for o in report.outcomes
        ],
    }


def write_json(report, path):
    with open(path, "w") as f:
        json.dump(to_json(report), f, indent=2)
        f.write("\n")
