"""`make watch STAGE=N`: grade the stage file again every time it is saved.

Between saves the grader stays up, with the checks, the reference and their
libraries imported, and standby workers wait with the libraries the stage
file will import already loaded: one for the checks and, where the stage
starts its training run ahead, one for that run. Each grade still runs in
fresh workers that import the file as saved: nothing one version of the file
did carries over to the next, and the grade is the one `make check` gives.

On a terminal, keys act at once: `r` (or Enter) grades again, `h` shows or
hides the detailed hints, `q` or Ctrl-C quits. The terminal's own Ctrl-C
signal is turned off while watching so that quitting is clean (make does not
report an interrupted target); the settings are restored on the way out.
"""
import ast
import os
import queue
import sys
import threading
import time
from pathlib import Path

from autograder.grading import reference as references
from autograder.grading.integrity import KitTampered
from autograder.metadata import load_stages

CLEAR = "\033[2J\033[H"
QUIT_KEYS = {"q", "Q", "\x03", "\x04"}  # q, Ctrl-C, Ctrl-D
REGRADE_KEYS = {"r", "R", "\r", "\n"}
HINT_KEYS = {"h", "H"}
FRAMEWORK_MODULES = {"numpy": ["numpy"], "jax": ["numpy", "jax", "jax.numpy"]}


def imported_libraries(stage):
    """The top-level modules the reference stage file imports: what a standby worker loads first."""
    from autograder.grading.reference import SOLUTIONS_DIR

    path = SOLUTIONS_DIR / stage.file
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return FRAMEWORK_MODULES.get(stage.framework, [])
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            # `from flax import nnx` loads a submodule that `import flax` does not; names
            # that are not modules fail to import in the standby worker, which ignores them.
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


class WarmGrader:
    """Grades one stage file on demand, with its workers always started ahead: the main one
    and, for a stage with a run started ahead of its check (training), that run's."""

    def __init__(self, stage, impl_dir, sandbox_mode="auto"):
        from autograder.grading import engine
        from autograder.grading.isolation import sandbox_decision

        self.engine = engine
        self.stage, self.impl_dir, self.sandbox_mode = stage, Path(impl_dir), sandbox_mode
        self.sandboxed, _ = sandbox_decision(sandbox_mode)
        self.libraries = imported_libraries(stage)
        self.lanes = [0]
        if engine.can_run_ahead(stage, self.sandboxed):
            self.lanes.append(1)
        self.reference = None
        self.standby = {}
        self._start_standby()

    def _start_standby(self):
        from autograder.grading.worker_handle import Worker

        for lane in self.lanes:
            self.standby[lane] = Worker(
                (self.impl_dir / self.stage.file).resolve(), self.stage.slug, self.stage.number,
                self.stage.framework, sandboxed=self.sandboxed,
                compile_cache=self.engine.default_compile_cache(self.sandbox_mode), lane=lane)
            self.standby[lane].spawn(standby=self.libraries)

    def grade(self):
        """A Report for the file as it is now; the next workers start as soon as this one is done."""
        if self.reference is None:  # imported once: its jitted functions stay compiled
            self.reference = references.reference_source(self.stage, kept=True)
        standby, self.standby = self.standby, {}
        try:
            return self.engine.grade(self.stage.number, self.impl_dir, sandbox_mode=self.sandbox_mode,
                                     reference=self.reference, standby=standby)
        finally:
            for worker in standby.values():
                worker.close()
            self._start_standby()

    def close(self):
        for worker in self.standby.values():
            worker.close()
        self.standby = {}


def _watch_saves(path, events, stop):
    """Put ("save", None) on `events` whenever `path` is written, replaced or re-created."""
    import watchfiles

    name = path.name
    for _changes in watchfiles.watch(path.parent, watch_filter=lambda _c, p: Path(p).name == name,
                                     stop_event=stop, step=50, rust_timeout=500,
                                     yield_on_timeout=False, raise_interrupt=False):
        events.put(("save", None))


def _read_keys(fd, events, stop):
    """Put ("key", character) on `events` for every key pressed (the terminal is in cbreak mode)."""
    import select

    while not stop.is_set():
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            data = os.read(fd, 32)
            if not data:  # the terminal went away
                events.put(("key", "\x04"))
                return
            for character in data.decode(errors="replace"):
                events.put(("key", character))


class KeyboardMode:
    """Keys without Enter and without the terminal's signals, restored on exit; a no-op off a tty."""

    def __init__(self, stream):
        self.fd = stream.fileno() if stream is not None and stream.isatty() else None
        self.saved = None

    def __enter__(self):
        if self.fd is not None:
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
            attributes = termios.tcgetattr(self.fd)
            attributes[3] &= ~termios.ISIG  # Ctrl-C arrives as a key, not as SIGINT
            termios.tcsetattr(self.fd, termios.TCSANOW, attributes)
        return self

    def __exit__(self, *_exc):
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)


def _screen(result, graded_at, hints, path, clear):
    from autograder.feedback import report

    shown = os.path.relpath(path, Path.cwd()) if path.is_absolute() else str(path)
    stamp = time.strftime("%H:%M:%S", time.localtime(graded_at))
    keys = "r: grade again  h: " + ("hide" if hints else "show") + " hints  q: quit"
    return ((CLEAR if clear else "") + report.format_text(result, hints=hints) + "\n\n"
            + f"Graded {stamp}. Watching {shown}: save it to grade again.  {keys}\n")


def _drain(events):
    """Every event waiting now, oldest first (saves that came in while grading)."""
    pending = []
    while True:
        try:
            pending.append(events.get_nowait())
        except queue.Empty:
            return pending


def watch(stage_number, impl_dir, sandbox_mode="auto", record_progress=False,
          out=sys.stdout, keys=sys.stdin, clear=True):
    """Grade, then grade again on every save until a quit key or Ctrl-C; returns an exit code."""
    stage = load_stages()[stage_number]
    path = Path(impl_dir) / stage.file
    print(f"Starting the grader for stage {stage_number} ...", file=out, flush=True)
    events, stop = queue.Queue(), threading.Event()
    grader = WarmGrader(stage, impl_dir, sandbox_mode)
    threading.Thread(target=_watch_saves, args=(path, events, stop), daemon=True).start()
    hints, result, graded_at = False, None, None
    try:
        with KeyboardMode(keys) as keyboard:
            if keyboard.fd is not None:
                threading.Thread(target=_read_keys, args=(keyboard.fd, events, stop),
                                 daemon=True).start()
            pending = [("save", None)]
            while True:
                kinds = {kind for kind, _ in pending}
                pressed = [value for kind, value in pending if kind == "key"]
                if any(key in QUIT_KEYS for key in pressed):
                    break
                if any(key in HINT_KEYS for key in pressed) and result is not None:
                    hints = not hints
                if "save" in kinds or any(key in REGRADE_KEYS for key in pressed):
                    result = _grade_and_record(grader, record_progress)
                    graded_at = time.time()
                if result is not None and (kinds & {"save", "key"}):
                    out.write(_screen(result, graded_at, hints, path, clear))
                    out.flush()
                pending = [events.get()] + _drain(events)
    except KeyboardInterrupt:
        pass
    except KitTampered as exc:
        print(f"STOPPED: {exc}", file=out, flush=True)
        return 3
    finally:
        stop.set()
        grader.close()
    print("Stopped watching.", file=out, flush=True)
    return 0


def _grade_and_record(grader, record_progress):
    result = grader.grade()  # KitTampered propagates: watching stops, as make check does
    if record_progress:
        from autograder.learner import progress

        progress.record(result)
    return result
