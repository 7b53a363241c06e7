"""Build `.venv` from requirements.lock with a supported Python: `python3 autograder/install.py`.

`make` runs it before any target that needs the kit; without make, run it
(or `python -m autograder.install`) from the kit's folder. It picks the
interpreter (`--python`, else the one running it, else `python3`, else the
newest `python3.1x` on the PATH), installs the lock with uv (pip if uv cannot
be installed), compiles every module to bytecode, installs the kit itself
editable, and only then marks the venv ready.

Any Python 3.6 or later can run this file: it refuses the unsupported ones
itself, with a way to get a supported one. It imports nothing else of the kit.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
SUPPORTED = ((3, 11), (3, 12), (3, 13), (3, 14))  # pyproject.toml's requires-python
UV = "uv==0.13.9"  # the installer, pinned like everything else
READY = ".installed"  # written last: a venv without it is half-built
ASK_VERSION = "import sys; print('%d.%d' % sys.version_info[:2])"


class Unsupported(Exception):
    """No supported Python to build the venv with; the message says how to get one."""


def shown(version):
    return "%d.%d" % version


def supported_range():
    return f"{shown(SUPPORTED[0])} to {shown(SUPPORTED[-1])}"


def version_of(python):
    """(major, minor) of the interpreter `python`, or None where it does not run.

    A name on the PATH can exist and still fail: pyenv's shim for a version
    that is installed but not selected exits 127.
    """
    try:
        done = subprocess.run([str(python), "-c", ASK_VERSION], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        major, minor = done.stdout.strip().split(".")
        return int(major), int(minor)
    except ValueError:
        return None


def path_candidates(search_path=None):
    """`python3`, then `python3.14` down to `python3.11`, as found on the PATH (first found wins)."""
    names = ["python3"] + ["python" + shown(v) for v in reversed(SUPPORTED)]
    found = [shutil.which(name, path=search_path) for name in names]
    return [python for python in found if python]


def find_python(given=None, running=None, search_path=None):
    """(interpreter, version) to build the venv with; raises Unsupported.

    `given` (PYTHON=...) must be supported; otherwise the running interpreter
    if supported, else `python3`, else the newest working `python3.1x` on the PATH.
    """
    if given:
        python = shutil.which(given, path=search_path) or given
        version = version_of(python)
        if version is None:
            found = Path(python).exists()
            raise Unsupported(refusal(f"{given} {'does not run' if found else 'is not found'}"))
        if version not in SUPPORTED:
            raise Unsupported(refusal(f"{given} is Python {shown(version)}"))
        return python, version
    seen = []
    if running:
        seen.append((running, version_of(running)))
    first, *rest = path_candidates(search_path) or [None]
    if first:
        seen.append((first, version_of(first)))
    for python, version in seen:
        if version in SUPPORTED:
            return python, version
    working = [(version_of(python), python) for python in rest]
    working = sorted((v, p) for v, p in working if v in SUPPORTED)
    if working:
        version, python = working[-1]
        return python, version
    found = sorted({f"{Path(p).name} is {shown(v)}" for p, v in seen if v})
    raise Unsupported(refusal(", ".join(found) or "no python3 runs on the PATH"))


def refusal(why):
    """The message for an unsupported Python: which versions work, how to get one, how to use it."""
    return "\n".join([
        f"The kit needs Python {supported_range()}; {why}.",
        "Get one, then point the kit at it:",
        "  Linux:   sudo apt install python3.12-venv (Ubuntu 22.04: from ppa:deadsnakes/ppa),",
        "           or: uv python install 3.12",
        "  macOS:   brew install python@3.12, or the installer from python.org",
        "  Windows: winget install Python.Python.3.12, or the installer from python.org",
        "  Then:    make check STAGE=1 PYTHON=python3.12",
        "           (without make: python3.12 autograder/install.py)",
    ])


def venv_python(venv):
    folder = "Scripts" if os.name == "nt" else "bin"
    return Path(venv) / folder / ("python.exe" if os.name == "nt" else "python")


def lock_hash(lock=LOCK, project=ROOT / "pyproject.toml"):
    """A hash of what the venv holds: the lock and the project."""
    return hashlib.sha256(Path(lock).read_bytes() + Path(project).read_bytes()).hexdigest()[:16]


def stamp(version):
    """The ready mark's text: the Python version and the lock it was built from."""
    return f"python {shown(version)}, lock {lock_hash()}\n"


def ready_version(venv):
    """The Python version of `venv` if it is ready for this lock, else None."""
    try:
        text = (Path(venv) / READY).read_text()
    except OSError:
        return None
    version = text.split(",")[0].replace("python ", "")
    return version if text == f"python {version}, lock {lock_hash()}\n" else None


def run(command):
    """Run one set-up step; raise with its output if it fails."""
    done = subprocess.run([str(part) for part in command], cwd=str(ROOT),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    if done.returncode != 0:
        raise SetupFailed(f"`{' '.join(map(str, command))}` failed:\n{done.stdout.strip()}")
    return done.stdout


class SetupFailed(Exception):
    """A set-up step failed; the message holds its command and output."""


def remove_venv(venv):
    """Delete a previous or half-built venv, refusing anything that is not one."""
    venv = Path(venv)
    if not venv.exists():
        return
    if not (venv / "pyvenv.cfg").exists() and any(venv.iterdir()):
        raise SetupFailed(f"{venv} exists and is not a virtual environment: move it away")
    shutil.rmtree(str(venv))


def install_uv(python):
    """The pinned uv, installed into the venv with its pip; None if that fails (no index)."""
    try:
        run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", UV])
    except SetupFailed:
        return None
    uv = python.parent / ("uv.exe" if os.name == "nt" else "uv")
    return uv if uv.exists() else None


def install_packages(python, uv):
    """The lock (bytecode compiled: the sandbox mounts the venv read-only), then the kit, editable."""
    if uv:
        # An explicit interpreter and --no-python-downloads: uv must never fetch a Python.
        base = [uv, "pip", "install", "--quiet", "--no-python-downloads", "--python", python]
    else:
        base = [python, "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    run(base + ["--no-deps", "--compile-bytecode" if uv else "--compile", "-r", LOCK])
    run(base + ["--no-deps", "--no-build-isolation", "-e", ROOT])


def build(venv, python, version, log=print):
    """Build `venv` with `python` unless it is ready for this lock with that version already."""
    venv = Path(venv)
    if ready_version(venv) == shown(version):
        (venv / READY).touch()  # newer than the lock again, for make
        return False
    started = time.perf_counter()
    log(f"Setting up {venv.name} with Python {shown(version)} ({python}) "
        "from requirements.lock, once (about a minute)...")
    remove_venv(venv)
    run([python, "-m", "venv", venv])
    inner = venv_python(venv)
    uv = install_uv(inner)
    if uv is None:
        log("  uv could not be installed; installing with pip instead (slower)")
    install_packages(inner, uv)
    (venv / READY).write_text(stamp(version))
    log(f"  {venv.name} ready in {time.perf_counter() - started:.0f} s")
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="the interpreter to build the venv with "
                        "(default: this one if supported, else python3, else the newest python3.1x)")
    parser.add_argument("--venv", default=str(ROOT / ".venv"), help="where (default: .venv)")
    args = parser.parse_args(argv)
    try:
        if not args.python and ready_version(args.venv):  # built before, with any supported Python
            (Path(args.venv) / READY).touch()
            return 0
        python, version = find_python(args.python, running=sys.executable)
        build(args.venv, python, version)
    except (Unsupported, SetupFailed) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
