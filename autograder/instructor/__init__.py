"""The instructor's tools: class grading, Gradescope, the nbgrader course, the student release."""
