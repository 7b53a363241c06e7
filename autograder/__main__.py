"""`python -m autograder ...`: the command line (autograder.cli)."""
import os
import sys

from autograder.cli import main

try:
    sys.exit(main())
except BrokenPipeError:  # `make check ... | head` closed the pipe early
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
