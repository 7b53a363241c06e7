"""The checks of each stage, one module per stage: `check_<id>(ctx)` functions.

A check function raises CheckFailed (wrong value), lets LearnerError or Abort
through (the submission raised, hung or crashed) and returns None on success.
Its docstring says what it checks; title, points and hint are in stages.toml.
"""
