"""Where a check's expected values come from: the reference solution, or a recording of it.

The kit grades with the reference solution in `solutions/` (`Live`). A student
release holds no solution code, so its visible checks read expected values
recorded from the reference when the release was built (`Replay`):

- The release is recorded (`Recorder`) on inputs of its own: Hypothesis
  draws them from another seed than grading, and the explicit cases are
  scaled a little. Any value whose inputs grading also uses (found by
  running the grading profile first, `KeyCollector`) is left out, so that a
  notebook that looks the shipped answers up earns nothing from them.
- Replaying, each `forall` runs the recorded cases in order, without
  shrinking. An example whose expected value was left out, or that depends
  on what the learner's code returned, is skipped; a check left with no
  example says it runs only at grading (status "unchecked").
"""
import copy
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import sys
from pathlib import Path

from autograder.grading.worker_handle import CACHE_ROOT, CompileCache, jax_cache_settings
from autograder.metadata import REPO_ROOT

SOLUTIONS_DIR = REPO_ROOT / "solutions"
RECORDED_DIR = REPO_ROOT / "recorded"
KEPT_DIR = CACHE_ROOT / "kept"
FORMAT = 1


class Unrecorded(BaseException):
    """No recorded value for these inputs (left out, or they came from the learner's code).

    A BaseException: a check that turns the learner's exceptions into a
    verdict must not mistake this one for the learner's.
    """


class Unchecked(BaseException):
    """No example of the check could be replayed: it runs only when the work is graded.

    A BaseException, like failures.Abort, so that nothing on the way swallows it.
    """

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def key(label, inputs):
    """A stable name for the reference's value of `label` on `inputs` (plain data).

    Built from the values alone: a pickle would also encode which arguments
    are the same object, and that differs between recording and replaying.
    """
    digest = hashlib.sha256(label.encode())
    _feed(digest, inputs)
    return digest.hexdigest()


def _feed(digest, value):
    import numpy as np

    if isinstance(value, np.ndarray):
        digest.update(f"A{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (tuple, list)):
        digest.update(f"{type(value).__name__}{len(value)}(".encode())
        for item in value:
            _feed(digest, item)
        digest.update(b")")
    elif isinstance(value, dict):
        digest.update(f"dict{len(value)}(".encode())
        for name in sorted(value, key=repr):
            _feed(digest, name)
            _feed(digest, value[name])
        digest.update(b")")
    elif isinstance(value, np.random.Generator):
        _feed(digest, value.bit_generator.state)
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


class Live:
    """Expected values computed now, by the reference module.

    Give the module, or the stage whose solution to import on first use: a
    grade whose values are all kept never imports it (nor, for a JAX stage,
    JAX in the grader).
    """

    replaying = False

    def __init__(self, module=None, stage=None):
        self._module = module
        self.stage = stage

    @property
    def module(self):
        if self._module is None:
            self._module = load_reference(self.stage)
        return self._module

    def save(self):
        """Keep what this grade learnt for the next one (only a store on disk does)."""

    def value(self, label, compute, inputs):
        return self._computed(compute)

    def _computed(self, compute):
        """compute(), once JAX is set up for the reference (a JAX stage's value may need it)."""
        if self.stage is not None and self.stage.framework == "jax":
            configure_reference_jax()
        return compute()

    def begin_check(self, check_id):
        self.check_id, self.forall_index = check_id, 0

    def next_forall(self):
        index = self.forall_index
        self.forall_index += 1
        return index

    keeps_cases = False  # True: saw_case needs each case as drawn, before the check ran on it

    def saw_case(self, index, case):
        pass

    def known_cases(self, index):
        """The cases of an earlier passing run of this forall, to try first; None: none kept."""
        return None

    def passed_forall(self, index):
        pass


class CachedReference(Live):
    """Live, remembering its values: a class's submissions, or one file graded on every save.

    The reference is deterministic, so the same label on the same inputs gives
    the same value: a grader that grades many submissions of a stage (`make
    grade`), or one file again and again (`make watch`), computes each value
    once. Inputs that are not plain data (a JAX array, whose repr may be
    abridged) are never looked up, always computed.
    """

    MAX_ENTRIES = 50_000  # values kept per stage and process

    def __init__(self, module=None, stage=None):
        super().__init__(module, stage)
        self.values = {}
        self.changed = False

    def value(self, label, compute, inputs):
        if not _plain(inputs):
            return self._computed(compute)
        name = key(label, inputs)
        if name not in self.values:
            if len(self.values) >= self.MAX_ENTRIES:
                self.values.clear()
            self.values[name] = self._computed(compute)
            self.changed = True
        return copy.deepcopy(self.values[name])


class CachedLive(CachedReference):
    """CachedReference that also keeps the cases of every forall that passed (`make watch`).

    The next grade tries them before drawing any (Context.forall): the same
    cases, in the same order, as the derandomized Hypothesis run that passed.
    """

    keeps_cases = True

    def __init__(self, module=None, stage=None):
        super().__init__(module, stage)
        self.cases = {}     # (check id, forall index) -> the cases of its last passing run
        self.pending = []   # the cases of the forall running now

    def known_cases(self, index):
        self.pending = []
        return self.cases.get((self.check_id, index))

    def saw_case(self, index, case):
        self.pending.append(case)

    def passed_forall(self, index):
        if (self.check_id, index) not in self.cases:
            self.changed = True
        self.cases[(self.check_id, index)] = self.pending


class Kept(CachedLive):
    """CachedLive whose values and cases last between processes, in one file per stage.

    What the grader learns grading one file (the reference's values, the cases
    of each forall that passed) holds for every file graded with the same kit,
    libraries and profile: the next `make check` replays it without drawing
    or computing. The file is the grader's own: under self-study in .cache/
    (the sandboxed worker cannot write there); for a class, in the class's
    cache, made from the solution before the class is graded. A file made by
    another kit version is ignored.
    """

    FORMAT = 1

    def __init__(self, stage, folder=None, save_changes=True):
        super().__init__(stage=stage)
        self.path = Path(folder or KEPT_DIR) / f"{stage.slug}.pkl"
        self.stamp = kept_stamp()
        self.save_changes = save_changes
        self._merge(self._read())

    def _read(self):
        try:
            data = _Restricted(io.BytesIO(self.path.read_bytes())).load()
        except (OSError, EOFError, ValueError, pickle.UnpicklingError, AttributeError):
            return {}
        ok = isinstance(data, dict) and data.get("format") == self.FORMAT and \
            data.get("stamp") == self.stamp
        return data if ok else {}

    def _merge(self, data):
        self.values = {**data.get("values", {}), **self.values}
        self.cases = {**data.get("cases", {}), **self.cases}

    def save(self):
        """Write what this grade added (merged with what another process wrote meanwhile)."""
        if not (self.changed and self.save_changes):
            return
        self._merge(self._read())
        data = {"format": self.FORMAT, "stamp": self.stamp, "values": self.values,
                "cases": self.cases}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(data, protocol=5))
        os.replace(partial, self.path)
        self.changed = False


def kept_stamp():
    """What a kept value depends on: the kit's files (its pinned libraries included), the
    Python, and which JAX platforms may run the reference."""
    from autograder.grading import integrity

    cuda = importlib.util.find_spec("jax_cuda12_plugin") is not None
    return (f"{integrity.version()};{sys.version_info[:2]};"
            f"{os.environ.get('JAX_PLATFORMS', '')};cuda={cuda}")


def _plain(value):
    """True for NumPy arrays, scalars, strings, None and tuples, lists and dicts of them."""
    import numpy as np

    if isinstance(value, (tuple, list)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, np.ndarray):
        return value.dtype != object
    return value is None or isinstance(value, (bool, int, float, str, np.generic, np.random.Generator))


class KeyCollector(Live):
    """Live, remembering the key of every value asked for (what grading uses)."""

    def __init__(self, module):
        super().__init__(module)
        self.keys = set()

    def value(self, label, compute, inputs):
        self.keys.add(key(label, inputs))
        return compute()


class Recorder(Live):
    """Live, recording every value and every case, except values under `excluded` keys."""

    def __init__(self, module, excluded=()):
        super().__init__(module)
        self.excluded = set(excluded)
        self.values, self.cases = {}, {}
        self.left_out = 0

    def value(self, label, compute, inputs):
        result = compute()
        name = key(label, inputs)
        if name in self.excluded:
            self.left_out += 1
        else:
            self.values[name] = result
        return result

    def saw_case(self, index, case):
        self.cases.setdefault((self.check_id, index), []).append(case)

    def dump(self, stage_number):
        return pickle.dumps({"format": FORMAT, "stage": stage_number, "values": self.values,
                             "cases": self.cases}, protocol=4)


class Replay(Live):
    """Expected values and cases from a recording; no reference module at all."""

    replaying = True

    def __init__(self, data):
        super().__init__(None)
        self.values, self.cases = data["values"], data["cases"]

    def value(self, label, compute, inputs):
        try:
            return self.values[key(label, inputs)]
        except KeyError:
            raise Unrecorded(label) from None

    def recorded_cases(self, index):
        return self.cases.get((self.check_id, index), [])


class _Restricted(pickle.Unpickler):
    """Loads the recording's plain data: NumPy arrays, numbers, strings, containers."""

    ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
               ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
               ("numpy._core.multiarray", "scalar"), ("builtins", "slice"),
               ("numpy.random._pickle", "__generator_ctor"),
               ("numpy.random._pickle", "__bit_generator_ctor"),
               ("numpy.random._pickle", "__randomstate_ctor"),
               ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
               ("builtins", "complex"), ("builtins", "set"), ("builtins", "frozenset")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED or module == "numpy.dtypes":
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"the recording holds a {module}.{name}")


def recording_path(stage, folder=RECORDED_DIR):
    return Path(folder) / f"{stage.slug}.pkl"


def load_recording(stage, folder=RECORDED_DIR):
    data = _Restricted(io.BytesIO(recording_path(stage, folder).read_bytes())).load()
    if data.get("format") != FORMAT or data.get("stage") != stage.number:
        raise ValueError(f"{recording_path(stage, folder)} is not a recording of stage {stage.number}")
    return data


@functools.cache
def configure_reference_jax():
    """The reference computes at the worker's precision, with its own compile cache."""
    import jax

    jax.config.update("jax_default_matmul_precision", "highest")
    settings = jax_cache_settings(CompileCache(CACHE_ROOT / "jax-grader"))
    jax.config.update("jax_compilation_cache_dir", settings["JAX_COMPILATION_CACHE_DIR"])
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def reference_source(stage, kept=False):
    """The reference of `stage`: solutions/ where the kit has it (imported on first use; with
    `kept`, through this kit's Kept store), else a release's recording."""
    if (SOLUTIONS_DIR / stage.file).is_file():
        return Kept(stage) if kept else Live(stage=stage)
    if recording_path(stage).is_file():
        return Replay(load_recording(stage))
    raise FileNotFoundError(f"neither {SOLUTIONS_DIR / stage.file} nor "
                            f"{recording_path(stage)} exists: nothing to compare with")


def load_reference(stage):
    """The reference solution of `stage`, imported in the grader's own process."""
    if stage.framework == "jax":
        configure_reference_jax()
    spec = importlib.util.spec_from_file_location(f"reference_{stage.slug}",
                                                  SOLUTIONS_DIR / stage.file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
