"""The MNIST-from-scratch kit: grade stage files (make check), a class, or an nbgrader course.

Folders: worker/ (inside the sandbox), grading/, feedback/, checks/, learner/,
instructor/; docs/architecture.md draws them.
"""
