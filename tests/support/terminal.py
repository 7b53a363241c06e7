"""A command run in a pseudo-terminal, read as a person at that terminal would see it.

Used by tests/test_watch.py and benchmarks/watch.py to drive `make watch`.
"""
import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _take_terminal():
    """In the child: a new session whose controlling terminal is this one, so that
    Ctrl-C typed there would raise SIGINT in the whole foreground group, as for a person."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    def __init__(self, argv, cwd, env=None):
        self.master, replica = pty.openpty()
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=replica, stdout=replica,
                                        stderr=replica, preexec_fn=_take_terminal)
        os.close(replica)
        self.unread = ""   # what came since the last match
        self.seen = ""     # everything, escape codes removed

    def _read(self, timeout):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # the command exited and closed the terminal
            return None
        if not data:
            return None
        text = ANSI.sub("", data.decode(errors="replace")).replace("\r\n", "\n")
        self.unread += text
        self.seen += text
        return True

    def expect(self, pattern, timeout):
        """Wait for `pattern` (a regex) in what came since the last match; returns that text."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while not (match := regex.search(self.unread)):
            left = deadline - time.monotonic()
            if left <= 0 or self._read(min(left, 0.5)) is None:
                raise AssertionError(f"no {pattern!r} within {timeout} s; the terminal shows:\n"
                                     + self.unread[-3000:])
        text, self.unread = self.unread[:match.end()], self.unread[match.end():]
        return text

    def type(self, keys):
        os.write(self.master, keys.encode())

    def wait(self, timeout):
        """The exit status, reading the rest of the output meanwhile."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if self._read(0.2) is None:
                break
        return self.process.wait(max(0.1, deadline - time.monotonic()))

    def close(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)
