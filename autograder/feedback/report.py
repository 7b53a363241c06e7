"""The score report: what grading found (Outcome, Report), a table for people, JSON for tools."""
import json
import os
import platform
import re
import sys
import textwrap
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from autograder.feedback import blame

LIBRARIES = ("numpy", "jax", "jaxlib", "dm-haiku", "optax", "hypothesis")
WIDTH = 78


def versions(stage=None):
    """Versions of Python and the libraries that can change a grade (`stage`'s own ones too)."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES + (stage.libraries if stage else ()):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def _colour(text, code):
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        return f"\033[{code}m{text}\033[0m"
    return text


def _indent(label, text):
    """'label: text' wrapped and indented under the check's row.

    Lines break at spaces only: never inside a number such as -0.8624 or 1e-05
    (describe.py writes arrays with spaces between their elements alone).
    """
    lines = []
    for i, raw in enumerate(text.splitlines()):
        first = f"{label}: " if i == 0 else " " * (len(label) + 2)
        lines += textwrap.wrap(raw, WIDTH - 6, initial_indent="      " + first,
                               subsequent_indent="      " + " " * (len(label) + 2),
                               break_long_words=False, break_on_hyphens=False) or [""]
    return lines


def _shown(path):
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


# status -> (label in the table, ANSI colour)
LABELS = {"pass": ("pass", "32"), "unchecked": ("later", "33"), "blocked": ("blocked", "33"),
          "fail": ("FAIL", "31"), "todo": ("todo", "31"), "error": ("ERROR", "31")}


def _status(outcome):
    """The outcome's label, coloured, padded to the table's column."""
    label, colour = LABELS.get(outcome.status, LABELS["error"])
    return _colour(label, colour) + " " * (7 - len(label))


def _failure(o, hints):
    """The lines that explain one failing check."""
    lines = _indent("why", o.reason)
    if o.inputs:
        lines += _indent("smallest failing input", o.inputs)
    if o.detail:
        lines += _indent("details", o.detail)
    if o.shown_idea and o.status == "fail" and not o.raised:  # an error has its own advice
        lines += _indent("idea", o.shown_idea)
    if hints and o.status == "fail":
        lines += (_indent("advice", o.advice) if o.advice else []) + _indent("hint", o.check.hint)
    return lines


def def_line(path, function):
    """The line of `def function` (or `class function`) in the learner's file, or None."""
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*(def|class)\s+{re.escape(function)}\b|{re.escape(function)}\s*=", line):
            return number
    return None


def _unwritten_line(report, todo):
    """A few lines for every function not written yet, naming the next one to write."""
    waiting = [o for o in report.outcomes if o.function in todo and o.status in ("todo", "blocked")]
    points = sum(o.check.points for o in waiting)
    behind = [f for f in report.stage.functions if f not in todo
              and any(o.check.function == f for o in waiting)]
    text = f"Not written yet: {', '.join(todo)}"
    if behind:
        text += f"; waiting on them: {', '.join(behind)}"
    text += f" ({len(waiting)} checks, {points} points)."
    first = todo[0]
    line = def_line(report.path, first)
    where = f" (line {line} of {_shown(report.path)})" if line else ""
    return textwrap.wrap(text, WIDTH - 2, initial_indent="  ", subsequent_indent="    ") + [
        f"  Next to write: `{first}`{where}."]


def _lead(report, first, hints):
    """The failure to fix first, in full."""
    header = _colour(f"Fix first: `{first.function}`", "1")
    return [header] + check_details(report, first, hints) + [""]


def check_details(report, outcome, hints=False):
    """One check that did not pass, in full: title, points, why, smallest input, idea, help."""
    check = outcome.check
    lines = [f"  {check.title} [{check.id}]  {outcome.earned}/{check.points}"]
    lines += _failure(outcome, hints)
    if not hints and outcome.function:
        lines += _indent("more help", f"make hint STAGE={report.stage.number} "
                         f"FUNCTION={outcome.function} (it gives much away: try the idea first)")
    return lines


def _table(outcomes, first, hints):
    """A row per check, with the why of each failure other than `first`."""
    id_width = max(len(o.check.id) for o in outcomes)
    lines = [f"  {'result':<7}  {'points':>6}  {'check':<{id_width}}  title"]
    for o in outcomes:
        title = o.check.title + (f" (blocked by `{o.function}`)" if o.status == "blocked" else
                                 f" (passes, but waits on `{o.waits_on}`)" if o.waits_on else "")
        lines.append(f"  {_status(o)}  {f'{o.earned}/{o.check.points}':>6}  "
                     f"{o.check.id:<{id_width}}  {title}")
        if o is first or o.status in ("pass", "blocked"):
            continue
        lines += _indent("why", o.reason) if o.status == "unchecked" else _failure(o, hints)
    return lines


def format_text(report, hints=False):
    """The report as `make check` prints it: what to fix first, then every check."""
    stage = report.stage
    lines = [f"Stage {stage.number}: {stage.title} ({_shown(report.path)})", ""]
    if report.import_error:
        lines += [f"{_shown(report.path)} does not import, so no check can run:"]
        lines += ["  " + line for line in report.import_error.splitlines()] + [""]
        return "\n".join(lines + _footer(report))
    focus = report.focus
    todo = unwritten(report)
    first = None
    if focus and focus[0]["function"] not in todo:
        first = blame.lead(report.outcomes, focus[0]["function"])
        lines += _lead(report, first, hints)
    shown = [o for o in report.outcomes if not (o.function in todo and o.status in ("todo", "blocked"))]
    if shown:
        lines += _table(shown, first, hints)
    if todo:
        lines += ([""] if shown else []) + _unwritten_line(report, todo)
    return "\n".join(lines + [""] + _footer(report))


def unwritten(report):
    """The functions not written yet, in the order of the report's focus."""
    return [entry["function"] for entry in report.focus
            if any(o.status == "todo" and o.function == entry["function"] for o in report.outcomes)]


def format_summary(report):
    """The few lines that close a run: the functions to fix, most urgent first, and the total."""
    stage = report.stage
    lines = [f"Stage {stage.number}: {stage.title} ({_shown(report.path)})"]
    if report.import_error:
        lines.append(f"  {_shown(report.path)} does not import, so no check can run.")
        return "\n".join(lines + _footer(report))
    todo = unwritten(report)
    to_fix = [entry for entry in report.focus if entry["function"] not in todo]
    if to_fix:
        first, rest = to_fix[0], to_fix[1:]
        lines += textwrap.wrap(f"Fix first: `{first['function']}` ({_count(first['checks'])} "
                               f"fail or wait on it: {', '.join(first['checks'])})", WIDTH - 2,
                               initial_indent="  ", subsequent_indent="    ")
        lines += _indent("why", first["why"])
        if rest:
            lines += textwrap.wrap("Then: " + ", ".join(f"`{entry['function']}` "
                                                        f"({_count(entry['checks'])})"
                                                        for entry in rest), WIDTH - 2,
                                   initial_indent="  ", subsequent_indent="    ")
    if todo:
        lines += _unwritten_line(report, todo)
    return "\n".join(lines + _footer(report))


def _count(checks):
    return "1 check" if len(checks) == 1 else f"{len(checks)} checks"


def _footer(report):
    """Total, device and versions; then what next."""
    stage = report.stage
    passed = sum(o.status == "pass" for o in report.outcomes)
    run = "" if not report.partial else f", {len(report.outcomes)} of {len(stage.checks)} checks run"
    lines = [(f"Total: {report.earned}/{report.possible} points ({passed} of "
              f"{len(report.outcomes)} checks passed{run}) in {report.seconds:.1f} s")]
    device = report.info.get("device", "cpu")
    libs = ", ".join(f"{k} {v}" for k, v in versions(stage).items())
    lines.append(f"Device: {device}; {libs}; Hypothesis profile: {report.profile}")
    sandbox_note = report.info.get("sandbox", "")
    if sandbox_note:  # which walls graded it (grading.isolation), in one sentence
        lines.append(f"Sandbox: {sandbox_note}")
    if report.partial:
        lines.append("Only the checks asked for ran: run them all for the grade.")
    elif report.full_marks:
        lines.append(_colour(f"Full marks for stage {stage.number}!", "32") + _next_stage(stage))
    return lines


def _next_stage(stage):
    from autograder.metadata import load_stages

    following = [s for n, s in sorted(load_stages().items()) if n > stage.number and s.checks]
    if not following:
        return " That was the last stage."
    nxt = following[0]
    return f" Next: stage {nxt.number}, exercises/{nxt.file} (make check STAGE={nxt.number})."


def format_hints(stage, function=None):
    """Every check's idea and detailed hint, or those of one function; None if it is unknown."""
    checks = [c for c in stage.checks if function is None or function in c.functions]
    if function is not None and function not in stage.functions:
        return None
    about = f" for `{function}`" if function else ""
    lines = [f"Stage {stage.number} hints{about}. They give much away: try the idea first.", ""]
    for check in checks:
        lines.append(f"{check.title} [{check.id}]")
        lines += _indent("idea", check.idea) + _indent("hint", check.hint) + [""]
    return "\n".join(lines).rstrip()


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
        "checks_run": len(report.outcomes),
        "checks_in_stage": len(report.stage.checks),
        "import_error": report.import_error,
        "focus": report.focus,
        "device": report.info.get("device", "cpu"),
        "worker_restarts": report.info.get("worker_restarts", 0),
        "sandbox": report.info.get("sandbox", ""),
        "isolation": report.info.get("isolation", ""),
        "versions": versions(report.stage),
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
                "advice": o.advice,
                "function": o.function,
                "waits_on": o.waits_on,
                "idea": "" if o.status == "pass" else o.shown_idea,
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


@dataclass
class Outcome:
    check: object
    earned: int
    # "pass" (with `waits_on` when it passed only once the report's focus was
    # settled), "fail", "todo" (a function it needs is not written yet), "blocked"
    # (it fails, or failed inside, because of `function`), "error" (a fault in the
    # grader) or "unchecked" (a release cannot check it)
    status: str
    reason: str = ""
    inputs: str = ""
    detail: str = ""
    seconds: float = 0.0
    function: str = ""  # the learner function to blame, for a check that did not pass
    advice: str = ""  # how to fix this failure, shown on request
    raised: bool = False  # the learner's code raised, rather than returning a wrong value
    waits_on: str = ""  # a pass of a check that goes through `waits_on`, which fails its own
    idea: str = ""  # the idea that fits this failure, where it is not the check's own

    @property
    def shown_idea(self):
        """The idea shown with this outcome: the failure's own, else the check's."""
        return self.idea or self.check.idea


@dataclass
class Report:
    stage: object
    path: Path
    profile: str
    outcomes: list = field(default_factory=list)
    info: dict = field(default_factory=dict)
    seconds: float = 0.0
    import_error: str = ""  # why the file could not be imported, if it could not
    partial: bool = False  # only some of the stage's checks were asked for (--only)

    @property
    def earned(self):
        return sum(o.earned for o in self.outcomes)

    @property
    def possible(self):
        return sum(o.check.points for o in self.outcomes)

    @property
    def full_marks(self):
        return self.earned == self.possible and not self.partial

    @property
    def focus(self):
        return blame.focus(self.outcomes)


def _sub_report(report, ids):
    """The part of `report` about the checks `ids` (a notebook's test cell shows one)."""
    return Report(report.stage, report.path, report.profile,
                  [o for o in report.outcomes if o.check.id in ids], report.info, report.seconds)


def verdict_table(report, check_ids):
    """(any failed, the rows of `make check`'s table for `check_ids`)."""
    sub = _sub_report(report, set(check_ids))
    lines = format_text(sub).splitlines()
    table = "\n".join(line for line in lines[2:] if not line.startswith(("Total:", "Device:",
                                                                        "Full marks")))
    return any(o.status not in ("pass", "unchecked") for o in sub.outcomes), table.rstrip()
