"""Grade a whole class: `make grade SUBMISSIONS=DIR [OUT=DIR] [JOBS=N] [STUDENT=id] [STAGE=n]`.

SUBMISSIONS holds one folder per student with any of that student's stage
files (`stage1_numpy.py`) or notebooks (`stage1_numpy.ipynb`, or nbgrader's
`stage1_numpy/stage1_numpy.ipynb`). Every submission goes through the
sandboxed engine of `make check` (notebooks through autograder.grading.notebook_grading:
never run, only their Part cells graded), JOBS at a time.

Incremental: a submission whose content, and the kit, are unchanged since its
result in OUT was written is not graded again, so a second run, or a run
resumed after being killed, grades only what is new (`--force` regrades all).
Each grading process starts from the class's store of the reference's values
and cases (autograder.instructor.class_cache, made once per kit version from
the solution) and adds to it: grading is derandomized, so every student's
checks draw the same inputs, and the reference computes each value once.
"""
import json
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder.grading import integrity
from autograder.metadata import load_stages


@dataclass(frozen=True)
class Submission:
    student: str
    stage: int
    path: Path

    @property
    def kind(self):
        return "notebook" if self.path.suffix == ".ipynb" else "file"


def find_submissions(root, student=None, stage=None):
    """Every submission under `root`, in student and stage order."""
    found = []
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        if student and folder.name != student:
            continue
        for info in load_stages().values():
            if stage and info.number != stage:
                continue
            for candidate in (folder / info.file, folder / f"{info.slug}.ipynb",
                              folder / info.slug / f"{info.slug}.ipynb"):
                if candidate.is_file():
                    found.append(Submission(folder.name, info.number, candidate))
                    break
    return found


_REFERENCES = {}  # stage number -> the class's Kept store, in each grading process


def _reference(stage):
    from autograder.instructor import class_cache

    if stage.number not in _REFERENCES:
        _REFERENCES[stage.number] = class_cache.kept_reference(stage)
    return _REFERENCES[stage.number]


def grade_one(submission, sandbox_mode, compile_cache=None, timeout=None, run_ahead=True):
    """The result of one submission as plain data (runs in a grading process).

    `timeout`: seconds a call of its code, or its import, may take (None: the engine's).
    `run_ahead`: as engine.grade's (False when the grading processes fill the cores).
    """
    from autograder.feedback import report
    from autograder.grading import engine, notebook_grading
    from autograder.grading.integrity import KitTampered

    stage = load_stages()[submission.stage]
    started = time.perf_counter()
    result = {"student": submission.student, "stage": stage.number,
              "submission": str(submission.path), "detail": ""}
    try:
        if submission.kind == "notebook":
            nb = json.loads(submission.path.read_text())
            limits = {} if timeout is None else {"part_timeout": timeout, "call_timeout": timeout}
            graded = notebook_grading.grade_notebook(stage.number, nb, sandbox_mode,
                                                     reference=_reference(stage),
                                                     compile_cache=compile_cache,
                                                     run_ahead=run_ahead, **limits)
            outcome, timed_out, result["detail"] = graded.report, graded.timed_out, graded.note()
        else:
            with tempfile.TemporaryDirectory(prefix="class-") as folder:
                (Path(folder) / stage.file).write_bytes(submission.path.read_bytes())
                limits = {} if timeout is None else {"call_timeout": timeout,
                                                     "import_timeout": timeout}
                outcome = engine.grade(stage.number, folder, sandbox_mode=sandbox_mode,
                                       reference=_reference(stage), compile_cache=compile_cache,
                                       run_ahead=run_ahead, **limits)
            timed_out = notebook_grading.timed_out(outcome)
        result.update(report.to_json(outcome), status="timeout" if timed_out else "graded")
        if any(o.status == "error" for o in outcome.outcomes):
            result.update(status="error", grader_fault=True,
                          detail="an internal grader error: see the report")
    except KitTampered as exc:
        result.update(status="tampered", detail=str(exc), score=0, max_score=stage.max_points)
    except (ValueError, UnicodeDecodeError) as exc:  # not a notebook, not text
        result.update(status="error", score=0, max_score=stage.max_points,
                      detail=f"cannot read {submission.path.name}: {type(exc).__name__}")
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def result_path(out, student, stage):
    return Path(out) / student / f"{load_stages()[stage].slug}.json"


def previous_result(out, submission):
    try:
        return json.loads(result_path(out, submission.student, submission.stage).read_text())
    except (OSError, ValueError):
        return None


def grade_class(root, out="grades", jobs=None, student=None, stage=None, force=False,
                sandbox_mode="require", progress=True, timeout=None):
    """Grade every new or changed submission under `root` into `out`; returns the exit status.

    `student` and `stage` narrow what is graded; grades.csv always covers the class.
    `timeout`: seconds a call of a submission's code, or its import, may take; a result
    graded under another timeout counts as changed.
    0: grading worked (whatever the scores); 1: a grader fault; 3: the kit was tampered with.
    """
    from autograder.grading.isolation import announcement, sandbox_decision
    from autograder.instructor import class_outputs

    isolation, _ = sandbox_decision(sandbox_mode)  # SandboxUnavailable, with the reason
    print(announcement(isolation))
    out = Path(out)
    everyone = find_submissions(root)
    kit_files = integrity.snapshot()
    version = integrity.version(kit_files) + ("" if timeout is None else f";timeout={timeout:g}")
    results, todo = {}, []
    for submission in everyone:
        previous = previous_result(out, submission)
        if previous:
            results[(submission.student, submission.stage)] = previous
        chosen = (student is None or submission.student == student) and \
            (stage is None or submission.stage == stage)
        mark = integrity.fingerprint([submission.path], version, submission.path.parent)
        if chosen and (force or not previous or previous.get("fingerprint") != mark):
            todo.append((submission, mark))
    print(f"{len(everyone)} submissions of {len({s.student for s in everyone})} students: "
          f"{len(todo)} to grade, the others unchanged since their last grade")
    stopped = _grade_all(todo, out, results, kit_files, jobs, sandbox_mode, progress, root,
                         timeout)
    class_outputs.write_class(out, results, everyone)
    if stopped:
        print(f"STOPPED: {stopped}", file=sys.stderr)
        return 3
    errors = [r for r in results.values() if r["status"] == "error"]
    print(f"grades in {out / 'grades.csv'}, summary in {out / 'summary.md'}"
          + (f"; {len(errors)} could not be graded (status error)" if errors else ""))
    return 1 if any(r.get("grader_fault") for r in errors) else 0


def _grade_all(todo, out, results, kit_files, jobs, sandbox_mode, progress, root, timeout):
    """Grade `todo` in a pool of processes; the reason grading stopped, if it did."""
    from autograder.grading.engine import has_spare_core
    from autograder.instructor import class_cache, class_outputs

    if not todo:
        return None
    compile_cache = class_cache.prepared([s.stage for s, _mark in todo], sandbox_mode)
    version = integrity.version(kit_files)
    stopped = None
    jobs = max(1, jobs or os.cpu_count() or 1)
    run_ahead = has_spare_core(jobs)
    # Spawned, not forked: a fork of a process that has started JAX's threads can deadlock.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        # One stage after another: each process reuses its reference values.
        futures = {pool.submit(grade_one, s, sandbox_mode, compile_cache, timeout, run_ahead):
                   (s, mark)
                   for s, mark in sorted(todo, key=lambda t: (t[0].stage, t[0].student))}
        for future in _progress(as_completed(futures), len(futures), progress):
            submission, mark = futures[future]
            if future.cancelled():
                continue
            try:
                result = dict(future.result(), fingerprint=mark, kit_version=version)
            except Exception as exc:  # noqa: BLE001 - a grader fault: this row says so
                result = {"student": submission.student, "stage": submission.stage,
                          "submission": str(submission.path), "status": "error",
                          "grader_fault": True, "score": 0, "checks": [],
                          "max_score": load_stages()[submission.stage].max_points,
                          "detail": f"the grader failed: {type(exc).__name__}: {exc}"}
            class_outputs.write_result(out, result)
            results[(submission.student, submission.stage)] = result
            if result["status"] == "tampered" and stopped is None:
                stopped = result["detail"]
                pool.shutdown(cancel_futures=True)
    try:
        integrity.verify(kit_files, f"the class in {root}")
    except integrity.KitTampered as exc:
        stopped = stopped or str(exc)
    return stopped


def _progress(iterable, total, enabled):
    if not enabled or not total:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, unit="submission", file=sys.stderr,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]")
