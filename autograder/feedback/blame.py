"""Which learner function to fix first.

Each check in stages.toml names the functions it calls, the one it is about
first; `Stage.calls` says which functions those call in turn. Checks are
ordered so that a function's own checks come before the checks that go
through it. While grading, `Ledger` remembers which functions have failed:
a later check that would go through one of them is not run but reported as
blocked by it, and `focus` lists the functions to fix, most urgent first.
"""
import re


def _named(text, functions):
    """The first of `functions` that `text` names (as a whole word), or None."""
    found = [(match.start(), name) for name in functions
             if (match := re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text))]
    return min(found)[1] if found else None


def _learner_name(name, stage):
    """'model.apply' -> 'model'; a name that is not one of the stage's functions -> None."""
    name = (name or "").split(".")[0]
    return name if name in stage.calls else None


def _culprit(check, stage, exc):
    """The function a failed check blames: the one the failure names, else its own."""
    named = _learner_name(getattr(exc, "function", None), stage)
    if named:
        return named
    if type(exc).__name__ == "CheckFailed" and len(check.functions) > 1 and (
            not check.function or not _named(exc.reason, [check.function])):
        return _named(exc.reason, check.functions) or check.functions[0]
    return check.function or check.functions[0]


class Ledger:
    """What grading has learnt so far about each learner function."""

    def __init__(self, stage):
        self.stage = stage
        self.failed = set()  # functions with a failing (or unwritten) check of their own
        self.passed = set()  # functions with a passing check of their own

    def blocker(self, check):
        """The failed function that `check` would go through, if any.

        A function's own checks are listed in the order that diagnoses best,
        so after its first failure the rest of them are blocked too.
        """
        return next((f for f in self.stage.reaches(check) if f in self.failed), None)

    def record(self, outcome):
        """Learn from the outcome of a check that ran."""
        if outcome.status == "pass" and outcome.check.function:
            self.passed.add(outcome.check.function)
        elif outcome.status in BAD and outcome.function and outcome.check.blocks:
            self.failed.add(outcome.function)

    def blame(self, check, exc):
        """(status, function) for a check that failed with `exc`.

        An exception raised deeper than the function called, in a function that
        has not passed a check of its own, blocks the check; one raised in a
        function that has passed blames the caller, which handed it bad input.
        """
        if type(exc).__name__ != "LearnerError":
            return ("todo" if type(exc).__name__ == "NotWritten" else "fail",
                    _culprit(check, self.stage, exc))
        called = _learner_name(exc.function, self.stage) or check.function or check.functions[0]
        raised = _learner_name(exc.raised_in, self.stage)
        if raised and raised != called:
            return ("fail", called) if raised in self.passed else ("blocked", raised)
        return "fail", called


BAD = ("fail", "blocked", "todo")


def focus(outcomes):
    """The functions to fix, most urgent first: [{"function", "checks", "why"}].

    Functions whose checks fail come first, in the order their first failure
    ran (dependencies first); functions not written yet follow. `why` is the
    reason of the function's leading failure.
    """
    entries = {}
    for outcome in outcomes:
        if outcome.status in BAD and outcome.function:
            entry = entries.setdefault(outcome.function, {
                "function": outcome.function, "checks": [], "why": outcome.reason,
                "todo": outcome.status == "todo"})
            entry["checks"].append(outcome.check.id)
            if outcome.status == "fail":
                entry["why"] = outcome.reason
    ordered = sorted(entries.values(), key=lambda entry: entry["todo"])
    return [{key: entry[key] for key in ("function", "checks", "why")} for entry in ordered]


def lead(outcomes, function):
    """The failure to show in full for `function`: its failing check, else the first of its own."""
    mine = [o for o in outcomes if o.function == function and o.status in ("fail", "blocked")]
    return next((o for o in mine if o.status == "fail"), mine[0] if mine else None)
