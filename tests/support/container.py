"""Run a command as it would run in a default Docker container or a Kubernetes pod.

    python tests/support/container.py docker [--no-landlock] -- COMMAND...
    python tests/support/container.py pod [--no-landlock] -- COMMAND...

Both install a seccomp filter with the rules of Docker's default profile
(and CRI-O's, and a pod's `seccompDefault`) for a process without
CAP_SYS_ADMIN: `unshare`, `setns`, `mount`, `umount2` and `pivot_root` fail
with EPERM, `clone` with a namespace flag fails with EPERM, `clone3` with
ENOSYS. Then:

- docker: the command runs as root with Docker's default capabilities only
  (no CAP_SYS_ADMIN), as Gradescope's `run_autograder` and many
  instructors' own images do;
- pod: the command runs as uid 1000, no groups, no_new_privs set, as a
  JupyterHub user pod with `allowPrivilegeEscalation: false` does.

`--no-landlock` also makes `landlock_create_ruleset` fail with ENOSYS, as a
kernel older than 5.13 (or a profile that predates Landlock) does.

The filter is assembled with the worker's own BPF helpers
(autograder.worker.confine.filter_program); the kit's tests check that
bubblewrap really cannot start under it.
"""
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from autograder.worker import confine  # noqa: E402

POD_UID = 1000
# Docker's default capabilities (moby's oci/caps/defaults.go).
DOCKER_CAPABILITIES = ("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid",
                       "setpcap", "net_bind_service", "net_raw", "sys_chroot", "mknod",
                       "audit_write", "setfcap")
HERE = Path(__file__).resolve()


def container_filter(no_landlock=False):
    """Docker's default rules for namespaces and mounts, as a BPF program."""
    denied = confine.NAMESPACE_AND_MOUNT_CALLS + ("clone3",)
    errno_for = {"clone3": confine.ENOSYS}
    if no_landlock:
        denied += ("landlock_create_ruleset",)
        errno_for["landlock_create_ruleset"] = confine.ENOSYS
    return confine.filter_program(platform.machine(), denied=denied, errno_for=errno_for,
                                  arg0_without={"clone": (confine.NAMESPACE_FLAGS, confine.EPERM)})


def command(kind, argv, no_landlock=False, python=sys.executable):
    """The command line that runs `argv` under the launcher, as `kind` ("docker" or "pod")."""
    flags = ["--no-landlock"] if no_landlock else []
    return [python, str(HERE), kind, *flags, "--", *argv]


def reachable_by_all(path):
    """True if every user can run `path` (each folder above it searchable by others)."""
    path = Path(os.path.realpath(path))
    if not os.stat(path).st_mode & 0o001:
        return False
    return all(os.stat(folder).st_mode & 0o001 for folder in path.parents)


def shared_python(folder):
    """A Python 3.11 with the kit's packages that every uid can run.

    The worker's uid runs the grader's interpreter. Where that interpreter
    sits in a folder other users cannot enter (here the venv's base Python is
    under /root), an instructor must use one they can: this builds a venv on
    the system's python3.11 that reads the kit's installed packages.
    """
    if reachable_by_all(sys.executable):
        return sys.executable
    import site
    import subprocess

    system = next((p for p in ("/usr/bin/python3.11", "/usr/local/bin/python3.11")
                   if os.path.exists(p) and reachable_by_all(p)), None)
    if system is None:
        return None
    packages = [p for p in site.getsitepackages() if p.endswith("site-packages")][0]
    if not all(os.stat(f).st_mode & 0o001 for f in Path(packages).parents):
        return None  # the kit's packages sit where other users cannot reach (a 0700 clone)
    folder = Path(folder)
    subprocess.run([system, "-m", "venv", "--without-pip", str(folder)], check=True)
    (folder / "lib" / "python3.11" / "site-packages" / "kit-packages.pth").write_text(
        f"import site; site.addsitedir({packages!r})\n")
    python = folder / "bin" / "python"
    for script in ("alembic",):  # nbgrader runs it from PATH
        (folder / "bin" / script).write_text(
            f"#!{python}\nimport sys\nfrom alembic.config import main\nsys.exit(main())\n")
    for path in [folder, *(p for p in folder.rglob("*") if not p.is_symlink())]:
        path.chmod(path.stat().st_mode | 0o005 | (0o050 if path.is_dir() else 0))
    return str(python)


def main(args):
    kind, rest = args[0], args[1:]
    no_landlock = rest[:1] == ["--no-landlock"]
    argv = rest[rest.index("--") + 1:]
    if os.geteuid() != 0:
        raise SystemExit("the launcher starts as root (it sets up the container's user)")
    confine.install_filter(container_filter(no_landlock))
    if kind == "docker":
        caps = ",".join(f"+{c}" for c in DOCKER_CAPABILITIES)
        prefix = ["setpriv", f"--bounding-set=-all,{caps}", "--"]
    elif kind == "pod":
        prefix = ["setpriv", f"--reuid={POD_UID}", f"--regid={POD_UID}", "--clear-groups",
                  "--no-new-privs", "--"]
    else:
        raise SystemExit(f"unknown kind {kind!r}: docker or pod")
    os.execvp(prefix[0], prefix + argv)


if __name__ == "__main__":
    main(sys.argv[1:])
