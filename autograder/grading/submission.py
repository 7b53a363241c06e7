"""The learner's stage file, imported in a worker that is restarted as needed."""
from pathlib import Path

from autograder.feedback import advice
from autograder.grading.failures import Abort, LearnerError, NotWritten, raised_in
from autograder.grading.reference import key
from autograder.grading.worker_handle import SELF_STUDY_CACHE, Worker, WorkerGone

IMPORT_TIMEOUT_S = 90.0


CALL_TIMEOUT_S = 60.0


class Submission:
    """The learner's stage file, imported in a worker that is restarted as needed."""

    def __init__(self, path, stage, memory_mb=4096, call_timeout=CALL_TIMEOUT_S,
                 sandboxed=True, compile_cache=SELF_STUDY_CACHE, import_timeout=IMPORT_TIMEOUT_S,
                 standby=None, environment=None):
        self.path = Path(path).resolve()
        self.environment = environment  # extra environment variables for its workers
        # Workers started ahead (make watch), by lane: the first launch takes lane 0's, the
        # first call ahead lane 1's.
        self.standby = dict(standby or {})
        self.import_timeout = import_timeout
        self.sandboxed = sandboxed
        self.compile_cache = compile_cache
        self.stage = stage
        self.memory_mb = memory_mb
        self.call_timeout = call_timeout
        self.worker = None
        self.import_error = None
        self.info = {}
        self.broken = {}  # function -> why it cannot be called again (hang, crash)
        self.needs_restart = False
        self.restarts = 0
        self.ahead = {}  # request -> a worker of its own, started on it ahead of its check

    def _new_worker(self, lane=0):
        return Worker(self.path, self.stage.slug, self.stage.number, self.stage.framework,
                      self.memory_mb, self.sandboxed, self.compile_cache, self.environment, lane)

    def start(self):
        """Import the submission in a fresh worker; remember why if it fails."""
        self.launch()
        self.wait_for_import()

    def launch(self):
        """Start a fresh worker; it imports the submission while we do other work."""
        if self.worker:
            self.restarts += 1
        self.close()
        self.worker = self._started(self.standby.pop(0, None))

    def _started(self, standby, lane=0):
        """`standby` told to import the file now if it still runs; else a new worker doing so."""
        if standby and standby.alive():
            standby.load()
            return standby
        if standby:
            standby.close()
        worker = self._new_worker(lane)
        worker.spawn()
        return worker

    def wait_for_import(self):
        try:
            reply = self.worker.wait_for_import(self.import_timeout)
        except WorkerGone as exc:
            self.import_error = f"{exc}"
            return
        if reply["status"] == "ok":
            self.info = reply["value"]
            self.needs_restart = False
        else:
            self.import_error = advice.explain_import_error(self.stage.file, reply["error"])

    def restart_if_needed(self):
        if self.needs_restart and not self.import_error:
            self.start()

    def probe(self, name, function=None, **kwargs):
        """Run probe `name` in the worker; `function` names the learner function involved."""
        if self.import_error:
            raise Abort(self.import_error)
        if function in self.broken:
            raise Abort(self.broken[function], function)
        doing = f"running `{function or name}`"
        ahead = self.ahead.pop(_request(name, kwargs), None)
        if ahead is not None:
            reply = self._reply_ahead(ahead, doing, function)
        else:
            if self.needs_restart:
                self.start()
            try:
                reply = self.worker.ask({"probe": name, "kwargs": kwargs}, self.call_timeout, doing)
            except WorkerGone as exc:
                self.needs_restart = True
                if function:
                    self.broken[function] = f"skipped: {exc} in an earlier check"
                raise Abort(self._with_output(str(exc), self.worker), function) from None
        if reply.get("tampered") and ahead is None:
            self.needs_restart = True  # a fresh worker for the next check
        if reply["status"] == "ok":
            return reply["value"]
        error = reply["error"]
        if error["not_implemented"]:
            where = raised_in(error)
            missing = where if where in self.stage.calls else function
            raise NotWritten(f"`{missing}` is not written yet (it raises NotImplementedError)",
                             missing)
        if error["type"] == "MissingFunction":
            raise Abort(error["message"])
        raise LearnerError(function or name, error)

    def call(self, function, *args, return_args=False, **kwargs):
        """Call the learner's `function`; returns its value as NumPy data."""
        return self.call_full(function, *args, return_args=return_args, **kwargs)["value"]

    def call_full(self, function, *args, return_args=False, **kwargs):
        """Like `call`, returning {"value", "types", "args_after"?}."""
        return self.probe("call", function=function, **self._call(function, args, kwargs,
                                                                   return_args))

    def _call(self, function, args, kwargs, return_args=False):
        return dict(fn=function, args=args, kwargs=kwargs, return_args=return_args,
                    compile=function in self.stage.compiled)

    def call_ahead(self, function, *args, **kwargs):
        """Start `function(*args)` now, in a worker of its own, on the core the grader leaves idle.

        For a long run (training) that a check makes later: the check's own call
        with the same arguments takes this reply instead of running it again.
        The run starts from a freshly imported file, as every check's may. Whether
        the two workers may run side by side is the caller's to decide
        (engine.can_run_ahead).
        """
        if self.import_error:
            return
        worker = self._started(self.standby.pop(1, None), lane=1)
        request = self._call(function, args, kwargs)
        worker.send_later({"probe": "call", "kwargs": request})
        self.ahead[_request("call", request)] = worker

    def _reply_ahead(self, worker, doing, function):
        """The reply of a run started ahead, held to the same limits as a call made now."""
        try:
            imported = worker.wait_for_import(self.import_timeout)
            if imported["status"] != "ok":  # the file imported in the main worker: a fluke
                raise WorkerGone(f"the process running your code failed while {doing}")
            reply = worker.receive(self.call_timeout, doing)
            if reply.get("seconds", 0) > self.call_timeout:
                raise WorkerGone(f"{doing} did not finish within {self.call_timeout:g} s "
                                 "(an endless loop?)")
            return reply
        except WorkerGone as exc:
            if function:
                self.broken[function] = f"skipped: {exc} in an earlier check"
            raise Abort(self._with_output(str(exc), worker), function) from None
        finally:
            worker.close()

    @staticmethod
    def _with_output(message, worker):
        tail = worker.output_tail() if worker else ""
        return message + (f"\n    last lines your code printed:\n      {tail}" if tail else "")

    def close(self):
        """Stop the worker, and any run started ahead that no check took."""
        if self.worker:
            self.worker.close()
            self.worker = None

    def close_ahead(self):
        for worker in self.ahead.values():
            worker.close()
        self.ahead.clear()
        for worker in self.standby.values():  # not taken: the file failed to import, say
            worker.close()
        self.standby.clear()


def _request(name, kwargs):
    """A name for a probe request, the same for the same arguments."""
    return key(f"probe {name}", kwargs)
