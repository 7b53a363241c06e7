"""The worker: imports one submission and runs probes on it for the grader.

Started by `grading.worker_handle.Worker` as `python -m autograder.worker PATH MODULE STAGE
FRAMEWORK [--standby MODULE,...]`. With `--standby` it imports those libraries
and then waits for one message before it imports the submission, so that a
worker can be started before the file it will grade is saved (`make watch`).
It speaks framed pickles on its original stdin/stdout; everything
the submission prints goes to stderr, which the grader captures. It decides
nothing: it reports values, errors and whether shared libraries were tampered
with, and the grader judges.
"""
import gc
import importlib
import importlib.util
import os
import resource
import sys
import time
import traceback
import types

from autograder.worker import confine, transport

WATCHED_MODULES = (
    "builtins", "math", "numpy", "numpy.random", "numpy.linalg",
    "jax", "jax.numpy", "jax.nn", "jax.random", "jax.lax", "jax.tree_util",
    "haiku", "optax", "flax.nnx", "jax.sharding", "jax.export", "onnx", "onnxruntime",
)


def take_protocol_pipes():
    """Keep stdin/stdout for messages; send the submission's output to stderr."""
    inbox = os.fdopen(os.dup(0), "rb")
    outbox = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr
    return inbox, outbox


def send(outbox, message):
    outbox.write(transport.encode(message))
    outbox.flush()


def describe_error(exc, learner_path):
    """Plain-data summary of an exception: type, message, frames in the submission."""
    frames = [
        (frame.lineno, frame.name, (frame.line or "").strip())
        for frame in traceback.extract_tb(exc.__traceback__)
        if os.path.abspath(frame.filename) == learner_path
    ]
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == learner_path:
        frames.append((exc.lineno, "<module>", (exc.text or "").strip()))
    described = {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "frames": frames[-3:],
        "not_implemented": isinstance(exc, NotImplementedError),
    }
    if isinstance(exc, SyntaxError):
        described["syntax"] = {"message": str(exc.msg)[:300], "line": exc.lineno,
                               "offset": exc.offset, "text": (exc.text or "").rstrip("\n")[:300]}
    return described


def fingerprint():
    """(names, identities) of the attributes of each watched module that is loaded.

    Taken after every request, so kept cheap: two tuples a module, built in C.
    """
    found = {}
    for name in WATCHED_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            namespace = vars(module)
            found[name] = (tuple(namespace), tuple(map(id, namespace.values())))
    return found


def tampered(before, after):
    """Names of the watched attributes that were replaced, added or removed.

    A submodule imported on first use (`import jax.scipy` inside a function)
    only adds a module attribute; that is not tampering.
    """
    changed = []
    for module, now in after.items():
        if module not in before:  # first imported just now: this is its baseline
            before[module] = now
            continue
        if before[module] == now:
            continue
        old, new = dict(zip(*before[module])), dict(zip(*now))
        namespace = vars(sys.modules[module])
        here = [f"{module}.{a}" for a in old.keys() - new.keys()]
        here += [f"{module}.{a}" for a in new.keys() - old.keys()
                 if not isinstance(namespace[a], types.ModuleType)]
        here += [f"{module}.{a}" for a in new.keys() & old.keys() if new[a] != old[a]]
        if not here:  # only submodules came: the new baseline
            before[module] = now
        changed += here
    return sorted(changed)


def runtime_info(framework):
    """Library versions and the device the submission runs on."""
    import numpy

    info = {"python": sys.version.split()[0], "numpy": numpy.__version__, "device": "cpu"}
    if framework == "jax":
        import jax

        info["jax"] = jax.__version__
        backend, kind = jax.default_backend(), jax.devices()[0].device_kind
        info["device"] = backend if kind.lower() == backend else f"{backend} ({kind})"
    return info


def prepare(stage, framework):
    """Import the libraries and probes before the submission can touch them."""
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401

    if framework == "jax":
        import jax

        jax.config.update("jax_default_matmul_precision", "highest")
    from autograder.worker import probes

    probes.FRAMEWORK = framework
    if importlib.util.find_spec(f"autograder.worker.probes.stage{stage}"):
        importlib.import_module(f"autograder.worker.probes.stage{stage}")
    return probes.PROBES


def load_submission(path, module_name):
    """Import the learner's file as `module_name` (its `__main__` block stays idle)."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def serve(inbox, outbox, registry, module, learner_path):
    """Answer probe requests until the grader closes the pipe."""
    before = fingerprint()
    while True:
        try:
            request = transport.read_message(inbox)
        except EOFError:
            return
        started = time.perf_counter()
        try:
            value = registry[request["probe"]](module, **request.get("kwargs", {}))
            reply = {"status": "ok", "value": value}
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: it is the learner's
            reply = {"status": "error", "error": describe_error(exc, learner_path)}
        reply["seconds"] = time.perf_counter() - started
        reply["tampered"] = tampered(before, fingerprint())
        try:
            send(outbox, reply)
        except (TypeError, ValueError, AttributeError, RecursionError) as exc:
            send(outbox, {"status": "error", "error": describe_error(exc, learner_path),
                          "tampered": reply["tampered"], "seconds": reply["seconds"]})


MAX_FILE_BYTES = 64 * 2**20  # what it prints (captured in a file) and each file it writes


def limit_memory():
    """Cap the address space (set by the grader where no GPU needs more) and file sizes.

    Past MAX_FILE_BYTES a write fails with "File too large" (Python ignores
    SIGXFSZ): endless printing costs the submission, never the grader's disk.
    """
    limit = os.environ.pop("AUTOGRADER_ADDRESS_SPACE_BYTES", None)
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))


def preload(modules):
    """Import the libraries a submission will import, ahead of it (trusted code only)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # the submission's own import will say what is missing


def main():
    try:
        confine.confine_from_environment()  # first: before any library or the submission
    except confine.ConfineError as exc:
        sys.stderr.write(f"{confine.CONFINE_MESSAGE}: {exc}\n")
        sys.exit(confine.CONFINE_FAILED)
    limit_memory()
    path, module_name, stage, framework = sys.argv[1:5]
    learner_path = os.path.abspath(path)
    inbox, outbox = take_protocol_pipes()
    registry = prepare(stage, framework)
    if sys.argv[5:6] == ["--standby"]:
        preload(filter(None, sys.argv[6].split(",")))
        try:
            transport.read_message(inbox)  # "the file is saved: import it now"
        except EOFError:
            return
    repo_root = os.environ.pop("AUTOGRADER_REPO_ROOT", None)
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != repo_root]
    started = time.perf_counter()
    try:
        module = load_submission(learner_path, module_name)
    except BaseException as exc:  # noqa: BLE001
        send(outbox, {"status": "error", "error": describe_error(exc, learner_path)})
        return
    send(outbox, {"status": "ok", "value": runtime_info(framework),
                  "seconds": time.perf_counter() - started})
    # What is imported by now lives as long as the worker: the garbage collector need not
    # walk it again. JAX's leak check runs a full collection at the end of most traces.
    gc.freeze()
    serve(inbox, outbox, registry, module, learner_path)


if __name__ == "__main__":
    main()
