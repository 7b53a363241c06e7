"""`python -m autograder ...`: the command line (autograder.cli)."""
import os
import sys

from autograder.cli import main

try:
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # `make check ... | head` closed the pipe early
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    status = 1
# Everything the command does is done and written: skip the interpreter's teardown,
# where JAX alone can take a tenth of a second or more to stop its threads.
os._exit(0 if status is None else status if isinstance(status, int) else 1)
