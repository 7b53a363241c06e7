"""The worker's own walls, where bubblewrap cannot start: Landlock, seccomp, rlimits.

The grader passes a plan in AUTOGRADER_CONFINE (JSON); `apply_plan` puts
it in force before any library or the submission is imported, while the
worker is still one thread (Landlock binds only the calling thread). A
layer the plan asks for and the kernel refuses stops the worker: no layer
is ever claimed that is not in force.

- Landlock (kernel 5.13+, unprivileged): read and execute on the system,
  the Python environment, the worker's modules and the submission; read
  and write on its own folder only; no TCP (ABI 4+); signals and abstract
  UNIX sockets scoped to the sandbox (ABI 6+).
- seccomp: sockets other than AF_UNIX, ptrace and process_vm_*, namespaces
  and mounts, io_uring (which could open sockets behind seccomp's back),
  new sessions or process groups (everything stays in the group the grader
  kills), and signals to any process but the worker itself.
- rlimits on processes (RLIMIT_NPROC) and CPU time; memory and file size
  are capped by `worker.__main__.limit_memory` in every mode.

These are a handful of syscalls made through ctypes rather than a library:
the Python bindings of libseccomp need the C library on the machine, and
the Landlock packages on PyPI are pre-releases without ABI 6's scopes. This
module imports nothing outside the standard library, like all of worker/.
"""
import ctypes
import json
import os
import platform
import resource
import struct
import sys

PLAN_ENV = "AUTOGRADER_CONFINE"
CONFINE_FAILED = 70  # the worker's exit status when a layer of the plan cannot be put in force
CONFINE_MESSAGE = "the sandbox could not be put in force"

# ---------------------------------------------------------------- Landlock

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
READ_RIGHTS = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
PR_SET_NO_NEW_PRIVS = 38

# Read-only for the worker wherever they exist (symbolic links are followed).
SYSTEM_DIRS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/proc", "/sys")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class ConfineError(Exception):
    """A layer the plan asks for cannot be put in force here."""


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number, *args):
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return result


def landlock_abi():
    """The kernel's Landlock ABI version; 0 where Landlock is missing, off or refused."""
    if not sys.platform.startswith("linux"):
        return 0  # syscall numbers mean other things elsewhere
    try:
        return _syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.c_void_p(None), ctypes.c_size_t(0),
                        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def _handled_fs(abi):
    rights = (1 << 13) - 1  # ABI 1: execute ... make_sym
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def _add_path(ruleset, path, rights):
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this machine: nothing to allow
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        attr = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd))
        _syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                 attr, ctypes.c_uint32(0))
    finally:
        os.close(fd)


def python_dirs():
    """The interpreter, its standard library and the environment's packages.

    Package folders a .pth file put on sys.path count too, but only those
    named site-packages or dist-packages: an editable install's project
    folder (the kit itself) is never one of them.
    """
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix),
             os.path.dirname(os.path.realpath(sys.executable))}
    roots |= {os.path.realpath(p) for p in sys.path
              if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p)}
    return sorted(roots)


def _check_nothing_secret_inside(read, secret):
    """Refuse a read rule that would cover a file the worker must not read."""
    for folder in read:
        folder = os.path.realpath(folder)
        for path in secret:
            if os.path.commonpath([folder, os.path.realpath(path)]) == folder:
                raise ConfineError(f"{folder} holds {path}, which the worker must not read: "
                                   "keep the kit outside the Python environment")


def apply_landlock(read, write, devices):
    """Restrict this thread (and all it starts) to `read` and `write`; returns the ABI."""
    abi = landlock_abi()
    if abi < 1:
        raise ConfineError("Landlock is not available in this kernel")
    handled = _handled_fs(abi)
    attr = struct.pack("=Q", handled)
    if abi >= 4:
        attr += struct.pack("=Q", NET_BIND_TCP | NET_CONNECT_TCP)  # and no rule allows any port
    if abi >= 6:
        attr += struct.pack("=Q", SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    buffer = ctypes.create_string_buffer(attr)
    ruleset = _syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)),
                       ctypes.c_uint32(0))
    try:
        for path in read:
            _add_path(ruleset, path, READ_RIGHTS)
        for path in devices:
            _add_path(ruleset, path, READ_FILE | WRITE_FILE | (IOCTL_DEV if abi >= 5 else 0))
        for path in write:
            _add_path(ruleset, path, handled)
        _syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi


# ---------------------------------------------------------------- seccomp

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
# The syscalls the filters name, per architecture (asm/unistd_64.h, asm-generic/unistd.h).
SYSCALLS = {
    "x86_64": dict(socket=41, clone=56, clone3=435, ptrace=101, process_vm_readv=310,
                   process_vm_writev=311, unshare=272, setns=308, mount=165, umount2=166,
                   pivot_root=155, io_uring_setup=425, io_uring_enter=426, io_uring_register=427,
                   bpf=321, perf_event_open=298, keyctl=250, add_key=248, request_key=249,
                   userfaultfd=323, open_tree=428, move_mount=429, fsopen=430, fsconfig=431,
                   fsmount=432, fspick=433, mount_setattr=442, kill=62, tkill=200, tgkill=234,
                   rt_sigqueueinfo=129, rt_tgsigqueueinfo=297, pidfd_send_signal=424,
                   pidfd_getfd=438, setsid=112, setpgid=109, seccomp=317,
                   landlock_create_ruleset=SYS_LANDLOCK_CREATE_RULESET),
    "aarch64": dict(socket=198, clone=220, clone3=435, ptrace=117, process_vm_readv=270,
                    process_vm_writev=271, unshare=97, setns=268, mount=40, umount2=39,
                    pivot_root=41, io_uring_setup=425, io_uring_enter=426, io_uring_register=427,
                    bpf=280, perf_event_open=241, keyctl=219, add_key=217, request_key=218,
                    userfaultfd=282, open_tree=428, move_mount=429, fsopen=430, fsconfig=431,
                    fsmount=432, fspick=433, mount_setattr=442, kill=129, tkill=130, tgkill=131,
                    rt_sigqueueinfo=138, rt_tgsigqueueinfo=240, pidfd_send_signal=424,
                    pidfd_getfd=438, setsid=157, setpgid=154, seccomp=277,
                    landlock_create_ruleset=SYS_LANDLOCK_CREATE_RULESET),
}
EPERM, ENOSYS, EAFNOSUPPORT = 1, 38, 97
AF_UNIX = 1
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME
NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000 | 0x00000080
NAMESPACE_AND_MOUNT_CALLS = ("unshare", "setns", "mount", "umount2", "pivot_root", "open_tree",
                             "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
                             "mount_setattr")
WORKER_DENIED = NAMESPACE_AND_MOUNT_CALLS + (
    "ptrace", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
    "userfaultfd", "tkill", "pidfd_send_signal", "pidfd_getfd", "setsid", "setpgid")

RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
NR_OFFSET, ARCH_OFFSET, ARG0_OFFSET = 0, 4, 16  # struct seccomp_data; arg0's low word (LE)
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1


def filter_program(arch, denied=(), errno_for=None, arg0_in=None, arg0_without=None):
    """A classic BPF program for seccomp, as a list of (code, jt, jf, k).

    denied: syscall names refused with EPERM (or errno_for[name]);
    arg0_in: {name: (values, errno)}, allowed only when the first argument's
    low 32 bits are one of `values`; arg0_without: {name: (mask, errno)},
    refused when the first argument has any bit of `mask`.
    """
    numbers = SYSCALLS[arch]
    errno_for = errno_for or {}
    code = [("ld", ARCH_OFFSET), ("jeq", AUDIT_ARCH[arch], None, "nosys"), ("ld", NR_OFFSET)]
    if arch == "x86_64":
        code.append(("jge", X32_SYSCALL_BIT, "nosys", None))
    blocks = []
    for name in denied:
        code.append(("jeq", numbers[name], f"errno{errno_for.get(name, EPERM)}", None))
    for name, (values, errno) in (arg0_in or {}).items():
        code.append(("jeq", numbers[name], f"in-{name}", None))
        blocks += [("label", f"in-{name}"), ("ld", ARG0_OFFSET)]
        blocks += [("jeq", value & 0xFFFFFFFF, "allow", None) for value in values]
        blocks.append(("ret", RET_ERRNO | errno))
    for name, (mask, errno) in (arg0_without or {}).items():
        code.append(("jeq", numbers[name], f"without-{name}", None))
        blocks += [("label", f"without-{name}"), ("ld", ARG0_OFFSET),
                   ("jset", mask, f"errno{errno}", "allow")]
    # BPF jumps only forward: the blocks of arguments sit between the calls and the returns.
    code += [("ret", RET_ALLOW), *blocks, ("label", "allow"), ("ret", RET_ALLOW),
             ("label", "nosys"), ("ret", RET_ERRNO | ENOSYS)]
    errnos = {EPERM} | set(errno_for.values())
    for errno in sorted(errnos):
        code += [("label", f"errno{errno}"), ("ret", RET_ERRNO | errno)]
    return _resolve(code)


def _resolve(code):
    """Turn labels into relative jumps (a None target: the next instruction)."""
    labels, index = {}, 0
    for item in code:
        if item[0] == "label":
            labels[item[1]] = index
        else:
            index += 1
    program = []
    for item in (i for i in code if i[0] != "label"):
        here = len(program)
        if item[0] == "ld":
            program.append((LD_ABS, 0, 0, item[1]))
        elif item[0] == "ret":
            program.append((RET, 0, 0, item[1]))
        else:
            op = {"jeq": JEQ, "jge": JGE, "jset": JSET}[item[0]]
            jt, jf = (0 if t is None else labels[t] - here - 1 for t in item[2:4])
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise ValueError("a BPF jump goes backwards or too far")
            program.append((op, jt, jf, item[1]))
    return program


def install_filter(program):
    """Install `program` on every thread of this process (no_new_privs must be set)."""
    arch = platform.machine()
    raw = b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
    instructions = ctypes.create_string_buffer(raw)
    fprog = struct.pack("=HxxxxxxQ", len(program), ctypes.addressof(instructions))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    _syscall(SYSCALLS[arch]["seccomp"], ctypes.c_uint(SECCOMP_SET_MODE_FILTER),
             ctypes.c_uint(SECCOMP_FILTER_FLAG_TSYNC), fprog_buffer)


def worker_filter(pid):
    """The worker's filter: see the module's docstring."""
    arch = platform.machine()
    if arch not in SYSCALLS:
        raise ConfineError(f"seccomp filters are not written for {arch}")
    own = (pid, 0, -pid)  # itself, its process group, its group by number
    return filter_program(
        arch, denied=WORKER_DENIED + ("clone3",), errno_for={"clone3": ENOSYS},
        arg0_in={"socket": ((AF_UNIX,), EAFNOSUPPORT), "kill": (own, EPERM),
                 "tgkill": ((pid,), EPERM), "rt_sigqueueinfo": ((pid,), EPERM),
                 "rt_tgsigqueueinfo": ((pid,), EPERM)},
        arg0_without={"clone": (NAMESPACE_FLAGS, EPERM)})


def set_no_new_privs():
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise ConfineError(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")


# ---------------------------------------------------------------- rlimits

def tasks_of_uid(uid):
    """How many tasks (threads included) `uid` runs now: what RLIMIT_NPROC counts."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def limit_processes_and_cpu(processes, cpu_seconds):
    """At most `processes` more tasks than the worker's uid runs now; a CPU-time backstop."""
    cap = tasks_of_uid(os.getuid()) + processes
    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


# ---------------------------------------------------------------- the plan

def apply_plan(plan):
    """Put every layer of `plan` (a dict) in force; returns what is in force.

    A layer that fails raises ConfineError, unless plan["strict"] is False
    (the grader's trial run): then it is left out of what is returned.
    """
    if len(os.listdir("/proc/self/task")) != 1:
        raise ConfineError("the worker started a thread before it could confine itself")
    strict = plan.get("strict", True)
    in_force = {"uid": os.getuid()}
    set_no_new_privs()
    layers = [("rlimits", plan.get("processes"), _rlimits), ("landlock", plan.get("landlock"),
              _landlock), ("seccomp", plan.get("seccomp"), _seccomp)]
    for name, wanted, put_in_force in layers:
        if not wanted:
            continue
        try:
            in_force[name] = put_in_force(plan)
        except (ConfineError, OSError, ValueError) as exc:
            if strict:
                raise ConfineError(f"{name} could not be put in force ({exc})") from None
    return in_force


def _rlimits(plan):
    limit_processes_and_cpu(plan["processes"], plan["cpu_seconds"])
    return True


def _landlock(plan):
    read = [*SYSTEM_DIRS, *python_dirs(), *plan["read"]]
    _check_nothing_secret_inside(read, plan.get("secret", ()))
    return apply_landlock(read, plan["write"], [*DEVICES, *plan.get("devices", ())])


def _seccomp(plan):
    install_filter(worker_filter(os.getpid()))
    return True


def confine_from_environment():
    """Apply the plan the grader passed, if any; remove it from the environment."""
    text = os.environ.pop(PLAN_ENV, None)
    return apply_plan(json.loads(text)) if text else None


def probe(paths):
    """What a worker under the plan can do: run by the grader once, before it grades.

    `paths`: {"secret": [...], "outside": [...]}: files the worker must not
    read, folders it must not write in. Reports what the worker's uid alone
    could do (before the walls) and what it can do under them.
    """
    facts = {"uid_reads": [p for p in paths["secret"] if os.access(p, os.R_OK)],
             "uid_writes": [p for p in paths["outside"] if os.access(p, os.W_OK)],
             "landlock_abi": landlock_abi()}
    try:
        facts["in_force"] = confine_from_environment() or {}
    except (ConfineError, OSError) as exc:
        facts["error"] = str(exc)
        return facts
    facts["reads"] = [p for p in paths["secret"] if _can_read(p)]
    facts["writes"] = [p for p in paths["outside"] if _can_create_in(p)]
    return facts


def _can_read(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        return True
    except OSError:
        return False


def _can_create_in(folder):
    target = os.path.join(folder, f".autograder-probe-{os.getpid()}")
    try:
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:
        return False
    os.close(fd)
    os.unlink(target)
    return True


if __name__ == "__main__":
    print(json.dumps(probe(json.loads(sys.argv[1]))))
