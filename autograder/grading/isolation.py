"""Which walls the worker runs behind, and the one rule for when instructor grading may go on.

Layers, strongest first:

1. bubblewrap (grading.sandbox), wherever it can start;
2. where it cannot (a Docker container, Gradescope, a Kubernetes pod: their
   seccomp profiles refuse the namespaces it needs), walls the machine
   allows, around a fresh `python -m autograder.worker` started with a
   minimal environment:
   - a separate unprivileged uid, no supplementary groups, when the grader
     runs as root (AUTOGRADER_WORKER_USER, default `nobody`);
   - Landlock: read on the system, the Python environment, the worker's
     modules and the submission; write on its own folder only;
   - seccomp: AF_UNIX sockets only, no ptrace, no namespaces or mounts;
   - rlimits on memory, CPU time, file size and processes; the per-call
     timeout as everywhere.
   The worker puts Landlock, seccomp and the rlimits in force itself
   (autograder.worker.confine) before it imports anything else.

The rule: instructor grading ("require") goes on only when the worker can
neither read what it must not see (the solutions, the checks, stages.toml,
the course) nor write outside its folder. Bubblewrap gives both; so does
Landlock; a separate uid gives both when those files are unreadable, and
the kit unwritable, to that uid. A probe (one throwaway worker per grading
process) checks what each layer really does here before anything is graded.
"""
import functools
import grp
import json
import os
import platform
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.sandbox import (
    NOBODY,
    PACKAGE_DIR,
    PIDS_MAX,
    SANDBOX_MODES,
    SandboxUnavailable,
    stage_worker_modules,
    unavailable_reason,
)
from autograder.metadata import REPO_ROOT
from autograder.worker import confine

WORKER_USER_ENV = "AUTOGRADER_WORKER_USER"
CPU_SECONDS = 3600  # a backstop for a worker left running: calls have their own 60 s limit
# What the worker keeps of the grader's environment (everything else is dropped).
KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ", "LD_LIBRARY_PATH")
KEPT_PREFIXES = ("LC_", "JAX_", "XLA_", "TF_", "CUDA", "NVIDIA_", "OPENBLAS_", "OMP_", "MKL_",
                 "PYTHON", "AUTOGRADER_")


@dataclass(frozen=True)
class Isolation:
    """How one worker is isolated: `name` for tables, `sentence` for the report."""

    name: str                  # "bubblewrap", e.g. "uid+landlock+seccomp", or "none"
    sentence: str
    uid: int | None = None     # the worker's uid, where the grader switches to it
    gid: int | None = None
    landlock: int = 0          # the Landlock ABI put in force (0: none)
    seccomp: bool = False
    protects: bool = False     # it can neither read the answers nor write outside its folder
    why: str = ""              # why bubblewrap is not the one, where it is not
    rlimits: bool = True       # the worker caps its processes and CPU time itself

    def __bool__(self):
        return self.name != "none"

    @property
    def bubblewrap(self):
        return self.name == "bubblewrap"


BUBBLEWRAP = Isolation("bubblewrap", "your code ran in a bubblewrap sandbox: its own view of "
                       f"the files, no network, uid {NOBODY}.", protects=True)
OFF = Isolation("none", "none (--no-sandbox): your code ran with the grader's rights.")


def as_isolation(sandboxed):
    """An Isolation from what callers pass as `sandboxed` (True: bubblewrap, False: none)."""
    if isinstance(sandboxed, Isolation):
        return sandboxed
    return BUBBLEWRAP if sandboxed else OFF


def worker_account():
    """(uid, gid) the worker runs as when the grader is root; None otherwise."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get(WORKER_USER_ENV, "nobody")
    try:
        entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        if name.isdigit():
            return int(name), int(name)
        if name != "nobody":
            raise SandboxUnavailable(f"{WORKER_USER_ENV}={name}: there is no such user") from None
        try:
            return NOBODY, grp.getgrnam("nogroup").gr_gid
        except KeyError:
            return NOBODY, NOBODY


# The default account's workers each get a uid of their own: this base, plus the grading
# process's pid, plus a lane for a worker started beside the main one (a training run
# started ahead). RLIMIT_NPROC counts every process of a uid, so two workers under one uid
# would share one cap, and one that forks up to it would starve the other. Any uid that is
# no one's has the same rights on files: "other"'s.
OWN_UID_BASE = 2_000_000_000
PID_CEILING = 2**22  # Linux's largest pid_max
# A folder lent to workers for writing (the learner's compile cache; the class cache while
# the trusted solution fills it) is handed once to a group of its own, also no one's, and
# the workers lent it run under that group: their uids may differ.
LENT_GID_BASE = OWN_UID_BASE - 2**20


def worker_uid(isolation, lane=0):
    """(uid, gid) of one confined worker: the grading process's own uid in `lane` for the
    default account, the named account's where AUTOGRADER_WORKER_USER names one."""
    if isolation.uid is None or os.environ.get(WORKER_USER_ENV):
        return isolation.uid, isolation.gid
    return OWN_UID_BASE + lane * PID_CEILING + os.getpid(), isolation.gid


def own_process_caps(isolation):
    """Whether workers that run side by side each have a process cap of their own: under
    bubblewrap (a pids cgroup each), with no walls at all, or in their own lanes' uids. A
    named account's workers share its uid, and so its RLIMIT_NPROC; so do a non-root
    grader's, which all run as the grader."""
    return isolation.bubblewrap or not isolation or (
        isolation.uid is not None and not os.environ.get(WORKER_USER_ENV))


def lend(folders):
    """The group under which workers may write in `folders` (each made group-writable once,
    and left so: a tree walk the first time, one stat after)."""
    names = "\0".join(sorted(str(f) for f in folders)).encode()
    gid = LENT_GID_BASE + zlib.crc32(names) % 2**20
    for folder in folders:
        top = folder.stat()
        if top.st_gid == gid and top.st_mode & 0o070 == 0o070:
            continue
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, -1, gid)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | (0o070 if path.is_dir() else 0o060))
    return gid


class Confined:
    """The folders of one worker behind the fallback layers, and how to start it.

    The same layout as the bubblewrap sandbox, at real paths: the worker's
    modules and the submission read-only, one writable folder owned by the
    worker's uid, in a folder only the grader can list.
    """

    def __init__(self, submission_path, isolation, writable_dirs=(), readonly_dirs=(), lane=0):
        self.isolation = isolation
        self.uid, self.gid = worker_uid(isolation, lane)
        self.writable_dirs = [Path(d) for d in writable_dirs]
        for folder in self.writable_dirs:
            folder.mkdir(parents=True, exist_ok=True)
        if self.uid is not None and self.writable_dirs:
            self.gid = lend(self.writable_dirs)
        self.root = tempfile.TemporaryDirectory(prefix="autograder-confined-")
        base = Path(self.root.name)
        base.chmod(0o711)
        self.kit = base / "kit"
        stage_worker_modules(self.kit)
        _readable_by_all(self.kit)
        self.kit_root = str(self.kit)
        self.submission_dir = base / "submission"
        self.submission_dir.mkdir(mode=0o755)
        self.submission_dir.chmod(0o755)
        self.copy_submission(submission_path)
        self.work = base / "work"
        self.work.mkdir(mode=0o700)
        if self.uid is not None:
            os.chown(self.work, self.uid, self.gid)
        self.readonly_dirs = [Path(d) for d in readonly_dirs if Path(d).is_dir()]
        self.inner_submission = str(self.submission_dir / Path(submission_path).name)
        self.cgroup = None

    def copy_submission(self, submission_path):
        """Copy the submission in, readable by the worker, writable by no one but the grader."""
        target = self.submission_dir / Path(submission_path).name
        if Path(submission_path).is_file():
            shutil.copyfile(submission_path, target)
            target.chmod(0o644)

    def plan(self):
        """What the worker puts in force itself (autograder.worker.confine.apply_plan)."""
        return {"landlock": bool(self.isolation.landlock), "seccomp": self.isolation.seccomp,
                "read": [str(self.kit), str(self.submission_dir),
                         *map(str, self.readonly_dirs)],
                "write": [str(self.work), *map(str, self.writable_dirs)],
                "devices": sorted(str(p) for p in Path("/dev").glob("nvidia*")),
                "secret": protected_paths()["secret"],
                "processes": PIDS_MAX if self.isolation.rlimits else 0,
                "cpu_seconds": CPU_SECONDS}

    def command(self, argv):
        return argv

    def with_process_limit(self, argv):
        return argv  # the worker caps its processes itself (RLIMIT_NPROC)

    def environment(self, env):
        """`env` cut to what the worker needs, with its folder as home and the plan."""
        kept = {k: v for k, v in env.items()
                if k in KEPT_VARIABLES or k.startswith(KEPT_PREFIXES)}
        kept.update(HOME=str(self.work), TMPDIR=str(self.work),
                    **{confine.PLAN_ENV: json.dumps(self.plan())})
        kept.setdefault("PATH", "/usr/bin:/bin")
        return kept

    def popen_options(self):
        """subprocess.Popen's options that switch to the worker's uid (as root only)."""
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def close(self):
        self.root.cleanup()


def _readable_by_all(folder):
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


# ---------------------------------------------------------------- what this machine allows

def protected_paths():
    """{"secret": what the worker must not read, "outside": where it must not write}."""
    secret = [REPO_ROOT / "solutions", REPO_ROOT / "stages.toml", PACKAGE_DIR / "checks",
              REPO_ROOT / "course"]
    outside = [REPO_ROOT, REPO_ROOT / "solutions", REPO_ROOT / ".cache"]
    return {"secret": [str(p) for p in secret if p.exists()],
            "outside": [str(p) for p in outside if p.is_dir()]}


def _seccomp_supported():
    return sys.platform.startswith("linux") and platform.machine() in confine.SYSCALLS


@functools.lru_cache(maxsize=None)
def probe():
    """What a confined worker can do here: one throwaway worker, once per process.

    Returns the facts of autograder.worker.confine.probe (what its uid alone
    could read and write, which layers it put in force, what it could still
    read and write under them), plus "account".
    """
    try:
        account = worker_account()
    except SandboxUnavailable as exc:
        return {"error": str(exc), "account": None}
    trial = Isolation("probe", "", *(account or (None, None)),
                      landlock=confine.landlock_abi(), seccomp=_seccomp_supported())
    facts = {}
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as folder:
        stand_in = Path(folder) / "stand_in.py"
        stand_in.write_text("")
        confined = Confined(stand_in, trial)
        try:
            env = confined.environment(dict(os.environ, PYTHONPATH=confined.kit_root))
            plan = json.loads(env[confine.PLAN_ENV])
            plan["strict"] = False  # report each layer that fails instead of stopping
            env[confine.PLAN_ENV] = json.dumps(plan)
            done = subprocess.run(
                [sys.executable, "-m", "autograder.worker.confine",
                 json.dumps(protected_paths())],
                cwd=confined.work, env=env, capture_output=True, text=True, timeout=60,
                **confined.popen_options())
            facts = json.loads(done.stdout) if done.returncode == 0 else {
                "error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
        except PermissionError:
            facts = {"error": f"uid {account[0]} cannot run {sys.executable}",
                     "python_unreachable": True}
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            facts = {"error": f"the trial worker could not start ({exc})"}
        finally:
            confined.close()
    facts["account"] = account
    facts.setdefault("landlock_abi", trial.landlock)
    return facts


def fallback_isolation(bubblewrap_reason):
    """The Isolation the fallback layers give here (its `protects` says if it is enough)."""
    if not sys.platform.startswith("linux"):
        return Isolation("none", "none: your code ran with your rights, because bubblewrap, "
                         "Landlock and seccomp are Linux's and this is "
                         f"{platform.system() or sys.platform}.", why=_clause(bubblewrap_reason)
                         ), {"error": "not Linux", "landlock_abi": 0, "account": None}
    facts = probe()
    if "error" in facts:
        return Isolation("none", f"none: your code ran with your rights, because bubblewrap "
                         f"cannot start here ({_clause(bubblewrap_reason)}) and {facts['error']}."
                         ), facts
    account = facts.get("account")
    in_force = facts.get("in_force", {})
    uid, gid = account if account else (None, None)
    landlock = int(in_force.get("landlock", 0))
    seccomp = bool(in_force.get("seccomp"))
    uid_protects = account is not None and not facts.get("uid_reads", [1]) \
        and not facts.get("uid_writes", [1])
    walls_hold = not facts.get("reads", [1]) and not facts.get("writes", [1])
    protects = "error" not in facts and walls_hold and (bool(landlock) or uid_protects)
    parts = (["uid"] if account else []) + (["landlock"] if landlock else []) + \
        (["seccomp"] if seccomp else []) + (["rlimits"] if in_force.get("rlimits") else [])
    name = "+".join(parts) or "none"  # nothing in force: the worker runs as itself
    sentence = _fallback_sentence(uid, landlock, seccomp, protects, bubblewrap_reason)
    return Isolation(name, sentence, uid, gid, landlock, seccomp, protects,
                     why=_clause(bubblewrap_reason), rlimits=bool(in_force.get("rlimits"))), facts


def _fallback_sentence(uid, landlock, seccomp, protects, bubblewrap_reason):
    walls = []
    if uid is not None:
        walls.append(f"as uid {uid}" if os.environ.get(WORKER_USER_ENV) else
                     "as a uid of its own (no one's, like nobody)")
    layers = [f"Landlock (ABI {landlock})"] if landlock else []
    layers += ["seccomp"] if seccomp else []
    if layers:
        walls.append("under " + " and ".join(layers))
    limits = "with limits on memory, CPU time, file size and processes"
    how = f"{' '.join(walls)}, {limits}" if walls else limits
    why = f"bubblewrap cannot start here ({_clause(bubblewrap_reason)})"
    if protects:
        return f"your code ran {how}, because {why}."
    return (f"your code ran {how}, but it could read and write what you can, because {why} "
            "and no other layer here keeps it to its own folder.")


def _clause(reason):
    """`reason`, cut to its first clause, to sit in parentheses inside a sentence."""
    text = (reason or "no reason given").strip().splitlines()[0]
    text = text.removeprefix("bubblewrap could not start (").removesuffix(")")
    return re.split(r"[,.;] ", text, maxsplit=1)[0].rstrip(". ")


def refusal(bubblewrap_reason, facts):
    """Why instructor grading cannot go on here, and what would let it, in whole sentences."""
    missing = [f"bubblewrap cannot start ({_clause(bubblewrap_reason)})"]
    fixes = []
    if not facts.get("landlock_abi"):
        missing.append("the kernel offers no Landlock")
        fixes.append("a Linux kernel of 5.13 or later with Landlock enabled (and, in Docker, "
                     "version 20.10.18 or later, whose default profile allows it)")
    elif "landlock" not in facts.get("in_force", {}) and not facts.get("error"):
        missing.append("Landlock could not be put in force")
    elif facts.get("reads") or facts.get("writes"):
        leaks = ", ".join(facts.get("reads", []) + facts.get("writes", []))
        missing.append(f"under Landlock the trial worker could still reach {leaks}")
    account = facts.get("account")
    if account is None:
        missing.append("the grader does not run as root, so it cannot run the code as "
                       "another user")
        fixes.append("running the grader as root (the default user of a Docker container, and "
                     "what Gradescope does), which then runs the code as an unprivileged user")
    elif facts.get("uid_reads") or facts.get("uid_writes"):
        exposed = facts.get("uid_reads", []) + facts.get("uid_writes", [])
        if facts.get("uid_reads"):
            missing.append(f"uid {account[0]} can read {', '.join(facts['uid_reads'])}")
        if facts.get("uid_writes"):
            missing.append(f"uid {account[0]} can write in {', '.join(facts['uid_writes'])}")
        fixes.append(f"making those unreadable and unwritable to other users "
                     f"(chmod -R o= {' '.join(dict.fromkeys(exposed))})")
    if facts.get("python_unreachable"):
        missing.append(facts["error"])
        fixes.insert(0, "a Python environment every user can read and run (the system's "
                     "python3.11, or a virtual environment made from it, outside /root)")
    elif facts.get("error"):
        missing.append(f"the trial worker failed ({facts['error']})")
    fixes.append("a container that allows user namespaces, where bubblewrap starts "
                 "(docker run --security-opt seccomp=unconfined, or a pod with "
                 "seccompProfile Unconfined)")
    return (f"instructor grading needs the student's code kept from the answers, and "
            f"nothing here can do that: {'; '.join(missing)}. Any one of these would: "
            f"{'; '.join(fixes)}. Only for code you trust, pass --no-sandbox.")


def announcement(isolation):
    """One line for the instructor before a class is graded: which walls, and why those."""
    line = f"Isolation of the students' code: {isolation.name}"
    if isolation.why:
        line += f" (bubblewrap cannot start here: {isolation.why})"
    return line + "."


def sandbox_decision(mode):
    """(isolation, note): the Isolation the worker runs behind, and its sentence for the report.

    mode: "auto" (self-study: the strongest layers that start here, whatever
    they are), "require" (instructors: refuse, with SandboxUnavailable, unless
    the worker is kept from the answers and the kit) or "off" (--no-sandbox).
    """
    if mode not in SANDBOX_MODES:
        raise ValueError(f"sandbox mode must be one of {SANDBOX_MODES}, not {mode!r}")
    if mode == "off":
        return OFF, OFF.sentence
    reason = unavailable_reason()
    if reason is None:
        return BUBBLEWRAP, BUBBLEWRAP.sentence
    isolation, facts = fallback_isolation(reason)
    if mode == "require" and not isolation.protects:
        raise SandboxUnavailable(refusal(reason, facts))
    return isolation, isolation.sentence
