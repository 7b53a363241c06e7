"""`make parity` on a GPU machine that can fetch nothing: the payload, and the run there.

Here, where packages can be fetched (`make device-kit`):

    .venv/bin/python tests/support/device_kit.py build

installs, for CPython 3.12 on manylinux x86_64, every package that grading
imports except those the device's own JAX brings (JAX_FAMILY), at the versions
pinned in requirements.lock, and packs them into .cache/device-kit/ (a tar.xz
and its manifest, under 64 MiB). The pins are the lock's: the closure of ROOTS
under each package's own requirements, less JAX_FAMILY and LEFT_OUT.

There, in the repo root, with .cache/device-kit carried along:

    python3 tests/support/device_kit.py run [--sample] [--jobs N] [--budget S] [--stages 1,3]

unpacks the payload into a temporary folder, makes a throwaway environment of
the device's own Python in which its own packages (its JAX) come first and the
payload's after, and runs tests/support/parity.py there with one grading
process per core (at most 16) and a budget of 360 s after which no submission
is started (the table says which were left out). The run needs only the
standard library and the device's JAX; it fetches nothing.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements.lock"
KIT = REPO / ".cache" / "device-kit"
PAYLOAD = "payload.tar.xz"
MANIFEST = "manifest.json"
LIMIT_BYTES = 64 * 2**20  # what the device tool carries, all paths together

PYTHON = "3.12"  # the device's Python
PLATFORM = "x86_64-manylinux_2_28"
# The markers of requirements.lock, as they evaluate on the device.
MARKER_ENV = {"python_version": PYTHON, "python_full_version": f"{PYTHON}.0",
              "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
              "os_name": "posix", "implementation_name": "cpython",
              "platform_python_implementation": "CPython", "extra": ""}

# What grading imports: the checks and references (haiku, optax, flax for stage 9,
# flatbuffers, jax2onnx, onnx and onnxruntime for stage 11), hypothesis for the
# checks' inputs. The rest of autograder/ imports only the standard library and JAX.
# etils and filelock: JAX imports them when present (jax._src.path: etils.epath for
# files; jax._src.lru_cache: filelock for the compilation cache), and in .venv they
# are (orbax brings them), so they are read while grading there: kept, as there.
ROOTS = ("dm-haiku", "optax", "flax", "jax2onnx", "onnx", "onnxruntime", "hypothesis",
         "flatbuffers", "etils", "filelock")
# What the device's JAX brings (jax and its own requirements, the CUDA plugin): never
# in the payload, and their requirements are the device's affair.
JAX_FAMILY = frozenset({"jax", "jaxlib", "jax-cuda12-plugin", "jax-cuda12-pjrt",
                        "jax-cuda13-plugin", "jax-cuda13-pjrt", "numpy", "ml-dtypes",
                        "opt-einsum", "scipy"})
# In the closure but no file of them read while grading (`run --audit` over the
# sample: 34 packages were unread), and unrelated to it: the largest of those,
# 130 MB of the 299. Neither kept nor followed: what only they require goes too.
# The small unread ones (chex, equinox, treescope, ...) stay, as a margin.
LEFT_OUT = {
    "tensorstore": "orbax-checkpoint's storage (68 MB)",
    "orbax-checkpoint": "jax2onnx -> orbax-export: saving checkpoints",
    "orbax-export": "jax2onnx: exporting to TensorFlow serving",
    "netron": "jax2onnx: a viewer for ONNX files (29 MB)",
    "huggingface-hub": "jax2onnx: fetching models (with hf-xet, 12 MB, and httpx)",
    "uvloop": "orbax-checkpoint's event loop (17 MB)",
}

DEFAULT_BUDGET = 360  # seconds after which parity starts no submission (8 minutes in all)
MAX_JOBS = 16


def canonical(name):
    return name.lower().replace("_", "-").replace(".", "-")


def lock_pins(lock=LOCK, env=MARKER_ENV):
    """{canonical name: version} of requirements.lock, each line whose marker holds on the device."""
    from packaging.markers import Marker

    pins = {}
    for line in Path(lock).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, _, marker = line.partition(";")
        name, _, version = spec.strip().partition("==")
        if marker.strip() and not Marker(marker.strip()).evaluate(env):
            continue
        pins[canonical(name)] = version.strip()
    return pins


def closure(roots=ROOTS, env=MARKER_ENV, stop=JAX_FAMILY):
    """Every package `roots` need on the device (theirs included), by the installed metadata.

    Requirements are read from the distributions installed with this Python
    (the kit's .venv, which requirements.lock set up); a package in `stop` is
    neither kept nor followed.
    """
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    found, todo = set(), [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in found or name in stop:
            continue
        found.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{name} is not installed in {sys.prefix}: run `make` first, "
                             "which installs requirements.lock") from None
        for text in requires:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(env):
                todo.append(canonical(requirement.name))
    return found


def payload_pins(lock=LOCK):
    """The payload's 'name==version' lines: the closure less LEFT_OUT, at the lock's versions."""
    pins = lock_pins(lock)
    names = closure(stop=JAX_FAMILY | set(LEFT_OUT))
    missing = sorted(n for n in names if n not in pins)
    if missing:
        raise SystemExit(f"not pinned in {lock}: {', '.join(missing)}")
    return [f"{name}=={pins[name]}" for name in sorted(names)]


def folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


def build(out=KIT, uv=None):
    """Install the payload's pins for the device into a folder and pack it; returns the manifest."""
    out = Path(out)
    uv = uv or shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not uv:
        raise SystemExit("uv not found: run `make` first (it installs uv into .venv)")
    pins = payload_pins()
    staging = out / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "site-packages").mkdir(parents=True)
    (staging / "pins.txt").write_text("\n".join(pins) + "\n")
    started = time.perf_counter()
    subprocess.run([uv, "pip", "install", "--quiet", "--target", str(staging / "site-packages"),
                    "--python-platform", PLATFORM, "--python-version", PYTHON,
                    "--no-deps", "--no-compile", "-r", str(staging / "pins.txt")], check=True)
    unpacked = folder_bytes(staging / "site-packages")
    packed = out / PAYLOAD
    partial = packed.with_suffix(".partial")
    with tarfile.open(partial, "w:xz") as tar:
        tar.add(staging / "site-packages", arcname="site-packages")
    os.replace(partial, packed)
    manifest = {"python": PYTHON, "platform": PLATFORM, "pins": pins,
                "left_to_the_device": sorted(JAX_FAMILY), "left_out": sorted(LEFT_OUT),
                "lock_sha256": hashlib.sha256(LOCK.read_bytes()).hexdigest(),
                "unpacked_bytes": unpacked, "packed_bytes": packed.stat().st_size}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(staging)
    print(f"{packed}: {len(pins)} packages, {unpacked / 1e6:.0f} MB unpacked, "
          f"{packed.stat().st_size / 2**20:.1f} MiB packed (the device tool carries 64 MiB), "
          f"in {time.perf_counter() - started:.0f} s")
    if packed.stat().st_size + (out / MANIFEST).stat().st_size > LIMIT_BYTES:
        raise SystemExit(f"{out} is over 64 MiB: leave more out (LEFT_OUT in {__file__})")
    return manifest


def load_manifest(kit=KIT):
    """The manifest of the payload in `kit`; SystemExit (status 2) that says what to do when absent."""
    kit = Path(kit)
    if not (kit / PAYLOAD).is_file() or not (kit / MANIFEST).is_file():
        print(f"No device kit in {kit} ({PAYLOAD} and {MANIFEST}). Build it where packages can "
              "be fetched, with `make device-kit`, and carry .cache/device-kit to the device.",
              file=sys.stderr)
        raise SystemExit(2)
    return json.loads((kit / MANIFEST).read_text())


def device_paths():
    """This Python's package folders, in its order: everything on sys.path but the standard
    library, the current folder and the kit itself."""
    paths = sysconfig.get_paths()
    stdlib = {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib")}
    stdlib.add(os.path.join(os.path.realpath(paths["stdlib"]), "lib-dynload"))
    kept = []
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if (not entry or real in stdlib or real.endswith(".zip") or not os.path.isdir(real)
                or real in (str(REPO), str(REPO / "tests" / "support")) or real in kept):
            continue
        kept.append(real)
    return kept


def make_environment(root, payload_site):
    """A throwaway environment of this Python in `root`: its own packages first, the payload's
    after (by a .pth file, which the sandbox binds: tests/support/parity.py grades in it).
    Returns its python."""
    root = Path(root)
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    (root / "bin").mkdir(parents=True)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    (root / "pyvenv.cfg").write_text(f"home = {os.path.dirname(base)}\n"
                                     "include-system-site-packages = false\n"
                                     f"version = {sys.version.split()[0]}\n")
    python = root / "bin" / "python"
    python.symlink_to(base)
    site = root / "lib" / f"python{version}" / "site-packages"
    site.mkdir(parents=True)
    (site / "device-kit.pth").write_text("\n".join([*device_paths(), str(payload_site)]) + "\n")
    return python


def unread_packages(site):
    """The packages in `site` none of whose files was read since it was unpacked.

    Unpacking sets each file's access time to its modification time; reading it
    (importing, or mapping a library) moves the access time on, even on a file
    system mounted relatime. Byte-code written by compileall would hide a read.
    """
    unread = []
    for info in sorted(Path(site).glob("*.dist-info")):
        name = canonical(info.name[:-len(".dist-info")].rsplit("-", 1)[0])
        files = [Path(site) / line.split(",")[0] for line in (info / "RECORD").read_text().splitlines()
                 if line and not line.split(",")[0].startswith(info.name)]
        read = False
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            if stat.st_atime > stat.st_mtime:
                read = True
                break
        if not read:
            unread.append(name)
    return unread


def run(argv=None):
    """Unpack the payload, grade `make parity`'s set with this Python's JAX; returns the status."""
    parser = argparse.ArgumentParser(
        prog="device_kit.py run", description="make parity with this Python's JAX and the payload",
        epilog="Other options go to tests/support/parity.py (--sample, --stages, --record).")
    parser.add_argument("--kit", default=str(KIT), help="the built payload (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, MAX_JOBS),
                        help="grading processes (default: one per core, at most 16)")
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET,
                        help="seconds after which no submission is started (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the unpacked payload")
    parser.add_argument("--audit", action="store_true",
                        help="then list the payload's packages no file of which was read")
    args, rest = parser.parse_known_args(argv)
    manifest = load_manifest(args.kit)
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here != manifest["python"]:
        print(f"The payload is for Python {manifest['python']}, this is {here}: run it with "
              f"python{manifest['python']}, or rebuild it for {here} (PYTHON in {__file__}).",
              file=sys.stderr)
        return 2
    if manifest.get("lock_sha256") != hashlib.sha256(LOCK.read_bytes()).hexdigest():
        print(f"The payload in {args.kit} was built from another requirements.lock: rebuild it "
              "with `make device-kit`.", file=sys.stderr)
        return 2
    import importlib.util

    if importlib.util.find_spec("jax") is None:
        print(f"{sys.executable} has no JAX: the payload leaves jax, jaxlib and the CUDA plugin "
              "to the device.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="device-kit-"))
    # Readable by all: without bubblewrap a confined worker runs as another user
    # (autograder/grading/isolation.py), and it imports from here.
    root.chmod(0o755)
    try:
        with tarfile.open(Path(args.kit) / PAYLOAD) as tar:
            tar.extractall(root / "payload", filter="data")
        payload_site = root / "payload" / "site-packages"
        python = make_environment(root / "env", payload_site)
        if not args.audit:  # byte-code once, here, rather than in each grading process
            subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", str(payload_site)],
                           stdout=subprocess.DEVNULL, check=False)
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(REPO),  # the kit, for the grading processes (workers set their own)
            XLA_PYTHON_CLIENT_PREALLOCATE="false",  # many processes share one GPU
            JAX_DEFAULT_MATMUL_PRECISION="highest",  # no TF32: the workers' and references' setting
            TF_CPP_MIN_LOG_LEVEL="3",
            # Nothing can be fetched there: say so to whatever would try.
            PIP_NO_INDEX="1", UV_OFFLINE="1", HF_HUB_OFFLINE="1",
        )
        print(f"Device kit: {len(manifest['pins'])} packages unpacked in {root} in "
              f"{time.perf_counter() - started:.0f} s; {sys.executable} brings JAX", flush=True)
        command = [str(python), str(REPO / "tests" / "support" / "parity.py"),
                   "--jobs", str(args.jobs), "--budget", str(args.budget), *rest]
        status = subprocess.run(command, cwd=REPO, env=env).returncode
        if args.audit:
            unread = unread_packages(payload_site)
            print(f"Audit: {len(unread)} packages of the payload were not read: "
                  f"{' '.join(unread) or '(none)'}")
        return status
    finally:
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        return run(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="on the device: unpack the payload and run parity (see --help there)")
    building = sub.add_parser("build", help="here: install and pack the payload")
    building.add_argument("--out", default=str(KIT))
    sub.add_parser("pins", help="print the payload's pins")
    args = parser.parse_args(argv)
    if args.command == "pins":
        print("\n".join(payload_pins()))
    else:
        build(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
