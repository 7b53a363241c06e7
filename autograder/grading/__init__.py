"""Grade one submission, grader side: the engine, what a check sees, the worker it talks to."""
