"""The grader's side of the worker process: start, ask, time out, cap, restart."""
import glob
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.isolation import Confined, as_isolation
from autograder.grading.sandbox import Sandbox
from autograder.metadata import REPO_ROOT
from autograder.worker import transport
from autograder.worker.confine import CONFINE_FAILED, CONFINE_MESSAGE

# Compiled XLA programs persist between runs, which makes a second `make check`
# of a JAX stage several times faster. Grader and worker keep separate caches
# so that a submission never supplies the programs the grader's reference runs.
CACHE_ROOT = REPO_ROOT / ".cache"


@dataclass(frozen=True)
class CompileCache:
    """A persistent JAX compile cache a worker uses: read-write, or read-only.

    A read-only cache lets submissions reuse programs compiled by trusted code
    (the reference solution graded just before) without being able to plant
    programs for the submissions graded after them.
    """
    folder: Path
    writable: bool = True


SELF_STUDY_CACHE = CompileCache(CACHE_ROOT / "jax-worker")


def jax_cache_settings(cache):
    """JAX configuration (as environment variables) for `cache`, a CompileCache."""
    return {
        "JAX_COMPILATION_CACHE_DIR": str(cache.folder),
        # A read-only cache is never written: no program takes this long to compile.
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0" if cache.writable else "1e9",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


class WorkerGone(Exception):
    """The worker died, hung or misbehaved; the message says which, in plain words."""


def _has_gpu():
    return bool(glob.glob("/dev/nvidia[0-9]*"))


def _rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(pid):
    """The child processes of `pid`, from /proc/PID/task/*/children."""
    found = []
    for children in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(children) as listing:
                found += [int(child) for child in listing.read().split()]
        except (OSError, ValueError):
            continue
    return found


def _descendants(pid):
    """`pid` and every process below it (the sandbox puts bubblewrap in between)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def _tree_rss_bytes(pid):
    return sum(_rss_bytes(p) for p in _descendants(pid))


def worker_environment(kit_root=REPO_ROOT, compile_cache=SELF_STUDY_CACHE):
    """Environment for the worker: deterministic JAX, no GPU memory grab.

    `compile_cache`: a CompileCache, or None for no persistent cache.
    """
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(kit_root),
        AUTOGRADER_REPO_ROOT=str(kit_root),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        JAX_DEFAULT_MATMUL_PRECISION="highest",
        XLA_PYTHON_CLIENT_PREALLOCATE="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        # One BLAS thread: the grader's matrices are small, the same thread
        # count on every machine keeps sums in the same order, and threads
        # that spin-wait on a busy machine can slow a call a hundredfold.
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    for name in jax_cache_settings(SELF_STUDY_CACHE):
        env.pop(name, None)
    if compile_cache:
        env.update(jax_cache_settings(compile_cache))
    return env


class Worker:
    """One worker process holding one imported submission."""

    def __init__(self, path, module_name, stage, framework, memory_mb=4096, sandboxed=True,
                 compile_cache=SELF_STUDY_CACHE, environment=None, lane=0):
        self.path = Path(path)
        self.lane = lane  # 1 for a worker that runs beside the main one (isolation.worker_uid)
        self.environment = dict(environment or {})  # extra variables, e.g. AUTOGRADER_JUDGE
        self.args = [module_name, str(stage), framework]
        self.memory_bytes = memory_mb * 2**20
        self.isolation = as_isolation(sandboxed)  # True: bubblewrap; an Isolation: those walls
        self.compile_cache = compile_cache
        self.sandbox = None
        self.process = None
        self.log = None
        self.cwd = None
        self.sending = None  # the thread of send_later, while it writes

    def spawn(self, standby=None):
        """Start the worker, which begins importing the submission at once.

        `standby`: names of libraries to import first; the worker then waits
        for `load()` before it imports the submission, as saved at that moment.
        """
        self.log = tempfile.TemporaryFile()
        worker = [sys.executable, "-m", "autograder.worker"]
        extra = ["--standby", ",".join(standby)] if standby is not None else []
        options = {}
        if self.isolation:
            self.sandbox = self._walls()
            argv = self.sandbox.with_process_limit(
                self.sandbox.command([*worker, self.sandbox.inner_submission, *self.args, *extra]))
            cwd, kit_root = self.sandbox.work, self.sandbox.kit_root
            options = self.sandbox.popen_options()
        else:
            self.cwd = tempfile.TemporaryDirectory(prefix="autograder-")
            argv = [*worker, str(self.path), *self.args, *extra]
            cwd, kit_root = self.cwd.name, REPO_ROOT
        env = self._environment(kit_root)
        if self.sandbox:
            env = self.sandbox.environment(env)
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            cwd=cwd, env=env, start_new_session=True, **options,
        )

    def _walls(self):
        """The folders and command line of the sandbox this worker's isolation asks for."""
        cache = self.compile_cache
        writable = [cache.folder] if cache and cache.writable else []
        readonly = [cache.folder] if cache and not cache.writable else []
        if self.isolation.bubblewrap:
            return Sandbox(self.path, compile_cache=cache)
        return Confined(self.path, self.isolation, writable_dirs=writable, readonly_dirs=readonly,
                        lane=self.lane)

    def load(self):
        """Tell a standby worker to import the submission now (as the file is now)."""
        if self.sandbox:
            self.sandbox.copy_submission(self.path)
        try:
            self.process.stdin.write(transport.encode({"load": True}))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # wait_for_import will say that the worker is gone

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def wait_for_import(self, timeout):
        """The worker's first reply: the submission imported, or why not."""
        return self._receive(timeout, "importing your file")

    def _environment(self, kit_root):
        env = worker_environment(kit_root, self.compile_cache)
        env.update(self.environment)
        # CUDA maps far more address space than it uses, so on a GPU machine
        # only the resident-memory watch in _read_exactly applies.
        if not _has_gpu():
            env["AUTOGRADER_ADDRESS_SPACE_BYTES"] = str(self.memory_bytes)
        return env

    def ask(self, request, timeout, doing):
        """Send one request and wait for its reply (dict) or raise WorkerGone."""
        self.send(request, doing)
        return self._receive(timeout, doing)

    def send(self, request, doing="starting"):
        """Send one request; the worker answers it once it is done with the ones before."""
        try:
            self.process.stdin.write(transport.encode(request))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone(self._death_message(doing)) from None

    def send_later(self, request):
        """Send one request from a thread of its own. A large one (a training run's data)
        would otherwise hold the grader until the worker, still importing, reads it."""
        data = transport.encode(request)
        self.sending = threading.Thread(target=self._write_quietly, args=(data,), daemon=True)
        self.sending.start()

    def _write_quietly(self, data):
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # waiting for the reply will say that the worker is gone

    def receive(self, timeout, doing):
        """The next reply (dict), or WorkerGone."""
        return self._receive(timeout, doing)

    def _receive(self, timeout, doing):
        header = self._read_exactly(transport.HEADER.size, timeout, doing)
        (size,) = transport.HEADER.unpack(header)
        if size > transport.MAX_REPLY_BYTES:
            self.kill()
            raise WorkerGone(f"{doing} returned more than {transport.MAX_REPLY_BYTES >> 20} MiB")
        payload = self._read_exactly(size, timeout, doing)
        try:
            return transport.decode_untrusted(payload)
        except Exception as exc:  # noqa: BLE001 - any malformed reply is the worker's fault
            self.kill()
            raise WorkerGone(f"{doing} returned something the grader cannot read ({exc})") from None

    def _read_exactly(self, size, timeout, doing):
        stream = self.process.stdout
        deadline = time.monotonic() + timeout
        # Memory is first looked at after 0.1 s: most calls are done by then,
        # and a look walks /proc for every thread of the worker.
        next_memory_look = time.monotonic() + 0.1
        chunks, missing = [], size
        while missing:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise WorkerGone(f"{doing} did not finish within {timeout:g} s (an endless loop?)")
            ready, _, _ = select.select([stream], [], [], min(left, 0.1))
            if time.monotonic() >= next_memory_look:
                next_memory_look = time.monotonic() + 0.25
                over = _tree_rss_bytes(self.process.pid) > self.memory_bytes
            else:
                over = False
            if over:
                self.kill()
                raise WorkerGone(f"{doing} used more than {self.memory_bytes >> 20} MiB of memory")
            if not ready:
                if self.process.poll() is not None:  # a process it left may hold the pipe open
                    raise WorkerGone(self._death_message(doing))
                continue
            chunk = os.read(stream.fileno(), missing)
            if not chunk:
                raise WorkerGone(self._death_message(doing))
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _death_message(self, doing):
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return f"the process running your code closed its output while {doing}"
        if self.isolation.bubblewrap and code is not None and code > 128:
            # bubblewrap reports a child killed by signal N as exit status 128 + N.
            try:
                code = -signal.Signals(code - 128).value
            except ValueError:
                pass
        if code == CONFINE_FAILED and self.output_tail().startswith(CONFINE_MESSAGE):
            return f"the grader could not start your code: {self.output_tail(1)}"
        if code is not None and code < 0:
            how = f"was killed by signal {signal.Signals(-code).name}"
            if -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
                how += " (out of memory or a crash?)"
        else:
            how = f"exited with status {code} (sys.exit or os._exit in your code?)"
        return f"the process running your code {how} while {doing}"

    def output_tail(self, lines=8):
        """The last lines the submission printed."""
        if self.log is None:
            return ""
        self.log.seek(0)
        text = self.log.read()[-4000:].decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])

    def kill(self):
        """Stop the worker and everything it started."""
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
            self.process.wait()

    def close(self):
        self.kill()
        handles = [self.process and self.process.stdin, self.process and self.process.stdout,
                   self.log]
        if self.sending:
            self.sending.join(timeout=1)  # the worker is gone: its write ends at once
            if self.sending.is_alive():
                # A process it left behind still holds the pipe open: closing it now would
                # wait on the writing thread, so the pipe goes with that process instead.
                handles[0] = None
            self.sending = None
        for handle in handles:
            if handle:
                handle.close()
        if self.cwd:
            self.cwd.cleanup()
        if self.sandbox:
            self.sandbox.close()
            self.sandbox = None
