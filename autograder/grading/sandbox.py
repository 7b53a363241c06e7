"""The sandbox the worker runs in: what learner code can see, write and start.

With bubblewrap (Debian package `bubblewrap`) the worker sees the system's
read-only directories, the Python installation and the virtual environment
read-only, a copy of the worker's own modules (not the checks, not
`solutions/`) read-only, the submission read-only, and one private writable
folder that is also its home and its /tmp (plus, where the grader passes one,
a JAX compile cache: the learner's own read-write, a class's read-only). It
has no network, its own process namespace, and runs as uid 65534 ("nobody"). When the grader runs as root, a
pids cgroup also caps how many processes and threads it may start.

Where bubblewrap cannot start (macOS, a container without user namespaces),
`unavailable_reason()` says why, and grading.isolation puts up the walls
the machine allows instead (and decides whether instructor grading may go on).
"""
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # autograder/
SANDBOX_KIT = "/kit"            # the staged worker modules, read-only
SANDBOX_SUBMISSION = "/submission"
SANDBOX_WORK = "/tmp/work"      # the one writable folder
# The JAX compile cache inside, at the same path in every kit: JAX's cache keys
# include the folder's path, so a kit moved or cloned elsewhere would miss them all.
SANDBOX_CACHE = "/cache/jax"
NOBODY = 65534
PIDS_MAX = 1024                 # JAX's thread pools need a few hundred threads
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")


def bwrap_path():
    """The bubblewrap binary, or None (AUTOGRADER_BWRAP overrides, e.g. for tests)."""
    return os.environ.get("AUTOGRADER_BWRAP") or shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def _probe_bwrap(path):
    if not path or not os.access(path, os.X_OK):
        return "bubblewrap (bwrap) is not installed"
    try:
        result = subprocess.run([path, *system_binds(), "--unshare-all", "--", "/bin/true"],
                                capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc})"
    if result.returncode:
        return f"bubblewrap could not start ({result.stderr.decode(errors='replace').strip()})"
    return None


def unavailable_reason():
    """None when the sandbox can start here, else one short reason."""
    return _probe_bwrap(bwrap_path())


def system_binds():
    """Read-only system folders (symlinked ones, as on merged-/usr systems, as links)."""
    # /sys read-only: XLA and BLAS read the CPU topology there, and without it they
    # would split work differently and round float32 sums differently than unsandboxed.
    binds = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--ro-bind", "/sys", "/sys",
             "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for name in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if os.path.islink(name):
            binds += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            binds += ["--ro-bind", name, name]
    return binds


def python_binds():
    """The interpreter, its standard library and the environment's packages, read-only."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    # Package folders a .pth file put on sys.path (never a project folder: only *-packages).
    roots |= {Path(p).resolve() for p in sys.path
              if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()}
    roots = {r for r in roots if not any(r.is_relative_to(o) for o in roots if o != r)}
    binds = []
    for root in sorted(roots):
        binds += ["--ro-bind", str(root), str(root)]
    # sys.executable may be a link into another folder (a venv's bin/python).
    real = Path(sys.executable).resolve().parent
    if not any(real.is_relative_to(r) for r in roots):
        binds += ["--ro-bind", str(real), str(real)]
    return binds


def gpu_binds():
    """On a GPU machine, the NVIDIA devices CUDA opens."""
    devices = sorted(str(p) for p in Path("/dev").glob("nvidia*"))
    binds = []
    for device in devices:
        binds += ["--dev-bind", device, device]
    return binds


def stage_worker_modules(folder):
    """Copy the worker package into `folder`/autograder (nothing else of the kit).

    autograder/worker/ is the whole trust boundary: it imports nothing else of
    the kit (the import contracts in pyproject.toml hold it to that).
    """
    target = Path(folder) / "autograder"
    target.mkdir(parents=True)
    (target / "__init__.py").write_text("")
    shutil.copytree(PACKAGE_DIR / "worker", target / "worker",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


class Sandbox:
    """The folders of one sandboxed worker, and the command line that starts it."""

    def __init__(self, submission_path, compile_cache=None):
        self.root = tempfile.TemporaryDirectory(prefix="autograder-sandbox-")
        base = Path(self.root.name)
        self.kit = base / "kit"
        stage_worker_modules(self.kit)
        self.submission_dir = base / "submission"
        self.submission_dir.mkdir()
        self.copy_submission(submission_path)
        self.work = base / "work"
        self.work.mkdir()
        self.compile_cache = compile_cache  # a worker_handle.CompileCache, or None
        self.inner_submission = f"{SANDBOX_SUBMISSION}/{Path(submission_path).name}"
        self.kit_root = SANDBOX_KIT
        self.cgroup = None

    def copy_submission(self, submission_path):
        """Copy the submission in (again: a standby worker takes the file as saved last)."""
        target = self.submission_dir / Path(submission_path).name
        if Path(submission_path).is_file():
            shutil.copy2(submission_path, target)

    def command(self, argv):
        """bubblewrap's command line around `argv` (run inside with the paths inside)."""
        binds = [*system_binds(), *python_binds(), *gpu_binds(),
                 "--ro-bind", str(self.kit), SANDBOX_KIT,
                 "--ro-bind", str(self.submission_dir), SANDBOX_SUBMISSION,
                 "--bind", str(self.work), SANDBOX_WORK]
        binds += self._cache_binds()
        return [bwrap_path(), *binds, "--unshare-all", "--die-with-parent", "--new-session",
                "--uid", str(NOBODY), "--gid", str(NOBODY), "--chdir", SANDBOX_WORK,
                "--setenv", "HOME", SANDBOX_WORK, "--setenv", "TMPDIR", SANDBOX_WORK,
                "--", *argv]

    def _cache_binds(self):
        """The compile cache at SANDBOX_CACHE (read-write, or read-only for a class)."""
        cache = self.compile_cache
        if cache is None or not (cache.writable or cache.folder.is_dir()):
            return []
        if cache.writable:
            cache.folder.mkdir(parents=True, exist_ok=True)
        return ["--bind" if cache.writable else "--ro-bind", str(cache.folder), SANDBOX_CACHE,
                "--setenv", "JAX_COMPILATION_CACHE_DIR", SANDBOX_CACHE]

    def environment(self, env):
        return env

    def popen_options(self):
        return {}

    def with_process_limit(self, argv):
        """`argv` run from a pids cgroup with a cap, so that nothing it starts escapes it.

        Best effort, and only as root where cgroup v1's pids controller is
        mounted. A shell joins the cgroup and then execs `argv`; the grader's
        own process (multithreaded under JAX) never runs code in a forked child.
        """
        if os.geteuid() != 0 or not (PIDS_CGROUP_ROOT / "cgroup.procs").exists():
            return argv
        try:
            group = PIDS_CGROUP_ROOT / f"autograder-{uuid.uuid4().hex[:12]}"
            group.mkdir()
            (group / "pids.max").write_text(str(PIDS_MAX))
        except OSError:
            return argv
        self.cgroup = group
        join = 'echo $$ > "$0" 2>/dev/null; exec "$@"'
        return ["/bin/sh", "-c", join, str(group / "cgroup.procs"), *argv]

    def close(self):
        if self.cgroup:
            # The killed processes leave the cgroup a moment after their parent has exited.
            for _ in range(100):
                try:
                    self.cgroup.rmdir()
                    break
                except OSError:
                    time.sleep(0.01)
            self.cgroup = None
        self.root.cleanup()


class SandboxUnavailable(Exception):
    """Instructor grading was asked for, but no sandbox can start here."""


# How grading treats isolation (grading.isolation.sandbox_decision): "auto"
# (self-study: the strongest walls that start here, and say which), "require"
# (instructors: refuse unless the code is kept from the answers, and share no
# writable compile cache between submissions) or "off" (--no-sandbox).
SANDBOX_MODES = ("auto", "require", "off")
