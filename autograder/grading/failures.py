"""What a check raises: CheckFailed, LearnerError, Abort, NotWritten."""
from autograder.feedback import advice


class CheckFailed(Exception):
    """A check's verdict: the submission's value is wrong. `reason` is one line.

    `detail` holds what was measured; `advice`, how to fix it (the report shows
    it only on request: it gives much away). `function` names the learner
    function at fault where the check knows it (a check of several
    functions); else the report blames the check's own. `idea` names the
    stage's idea (stages.toml, `[ideas]`) that fits the way the check failed
    when it is not the check's own topic (a mutation, a dtype); else the
    report shows the check's idea.
    """

    def __init__(self, reason, detail=None, function=None, advice=None, idea=None):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.function = function
        self.advice = advice
        self.idea = idea
        self.inputs = None


def raised_in(error):
    """The name of the learner-file function in which `error` (the worker's summary) arose."""
    frames = error.get("frames") or []
    return frames[-1][1] if frames else ""


class LearnerError(Exception):
    """The submission raised an exception on some input (Hypothesis shrinks it)."""

    def __init__(self, function, error):
        self.function = function
        self.error = error
        self.raised_in = raised_in(error)
        self.reason = advice.explain_error(function, error)
        super().__init__(self.reason)
        self.detail = None
        self.advice = None
        self.inputs = None


class Abort(BaseException):
    """Stop this check at once, without shrinking: the message says why.

    A BaseException so that Hypothesis lets it through instead of shrinking.
    """

    def __init__(self, reason, function=None):
        super().__init__(reason)
        self.reason = reason
        self.function = function


class NotWritten(Abort):
    """The learner function still raises NotImplementedError."""
