"""The learner's tools: watch, progress, reset and solution, lab, notebook helpers, timing."""
