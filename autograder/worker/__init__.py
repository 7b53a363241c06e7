"""Runs inside the sandbox next to learner code: the worker, its transport and its probes.

Copied whole into every sandbox; imports nothing else of the kit.
"""
