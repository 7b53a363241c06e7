"""The committed sources of the learner notebooks and the nbgrader course; see build.py."""
