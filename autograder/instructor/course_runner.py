"""The nbgrader course from the command line: `make release`, `autograde`, `grades`, `feedback`.

`make autograde` runs `nbgrader autograde` for JOBS students at a time, so
that nbgrader's gradebook, feedback and export keep working; the notebooks
themselves are graded by GradeWithEngine (autograder.instructor.nbgrader_plugins),
never run. It is incremental: an assignment whose submitted files, and the
kit, are unchanged since it was last graded is not graded again (`--force`
regrades all). The reference's compiled programs are shared with the
students' workers read-only (autograder.instructor.class_cache).
"""
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from autograder.grading import integrity
from autograder.instructor import class_cache, release
from autograder.instructor.nbgrader_plugins import (
    RUN_AHEAD_ENV,
    STATUS_DIR,
    read_status,
    stage_for_assignment,
    write_status,
)
from autograder.metadata import REPO_ROOT, load_stages

COURSE_DIR = REPO_ROOT / "course"
NOT_GRADED = "failed to grade"  # such an assignment is tried again on the next run


def nbgrader_env(kit_root=None, course=COURSE_DIR):
    """The environment nbgrader needs: the kit importable, nbgrader's tools on PATH."""
    root = str(kit_root or REPO_ROOT)
    env = dict(os.environ, KIT_ROOT=root, KIT_COURSE_DIR=str(Path(course).resolve()))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
    return env


def run_nbgrader(args, course=COURSE_DIR, check=True, **options):
    """Run `nbgrader ARGS` in the course folder, as an instructor would."""
    options.setdefault("env", nbgrader_env(course=course))
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          check=check, **options)


def assignments_to_grade(course, student, version, force=False):
    """{assignment: fingerprint} of the student's submissions that are new or changed."""
    todo = {}
    for folder in sorted((course / "submitted" / student).iterdir()):
        if not folder.is_dir():
            continue
        mark = integrity.fingerprint([p for p in folder.rglob("*") if p.is_file()], version, folder)
        recorded = read_status(student, folder.name, course) or {}
        if force or recorded.get("fingerprint") != mark:
            todo[folder.name] = mark
    return todo


def autograde_each_student(course, sandbox_mode, part_timeout=None, jobs=1, force=False):
    """`nbgrader autograde` per student, `jobs` students at a time, verifying the kit after each.

    The notebooks are not run: GradeWithEngine grades their Part cells with
    `sandbox_mode` ("require" unless the instructor passed --no-sandbox): no
    sandbox, no grading. A submission nbgrader cannot grade is recorded as
    "failed to grade" and the others go on. nbgrader's own log for each
    student goes to grading/<student>/autograde.log; one line per student here.
    """
    from autograder.grading.engine import has_spare_core
    from autograder.grading.isolation import announcement, sandbox_decision

    isolation, _ = sandbox_decision(sandbox_mode)  # raises SandboxUnavailable, with the reason
    print(announcement(isolation))
    submitted = course / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []
    before = integrity.snapshot()
    version = integrity.version(before)
    todo = {student: assignments_to_grade(course, student, version, force) for student in students}
    todo = {student: marks for student, marks in todo.items() if marks}
    if not students:
        print(f"nothing to grade: {submitted} holds no student folders")
    elif not todo:
        print(f"nothing to grade: the {len(students)} students' submissions are unchanged "
              "since they were graded (--force regrades)")
    if not todo:
        return 0
    env = dict(nbgrader_env(course=course), AUTOGRADER_SANDBOX=sandbox_mode)
    env[RUN_AHEAD_ENV] = "1" if has_spare_core(jobs) else "0"
    if part_timeout:
        env["AUTOGRADER_PART_TIMEOUT"] = str(part_timeout)
    cache = class_cache.prepared(
        [s.number for marks in todo.values() for s in map(stage_for_assignment, marks) if s],
        sandbox_mode)
    if cache:
        env["AUTOGRADER_COMPILE_CACHE"] = str(cache.folder)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = pool.map(lambda student: _autograde_student(course, student, todo[student], env),
                        todo)
        for student, summary in zip(todo, runs):
            try:
                integrity.verify(before, f"the notebooks of student {student!r}"
                                 + (" (or of one graded alongside)" if jobs > 1 else ""))
            except integrity.KitTampered as exc:
                for assignment in todo[student]:
                    write_status(student, assignment, "tampered", str(exc), course=course)
                pool.shutdown(cancel_futures=True)
                raise
            print(f"{student}: {summary}")
    return 0


def _autograde_student(course, student, marks, env):
    """Grade the assignments `marks` names; a one-line summary of their statuses."""
    folder = course / STATUS_DIR / student
    folder.mkdir(parents=True, exist_ok=True)
    for assignment in marks:
        status_file = folder / f"{assignment}.json"
        status_file.unlink(missing_ok=True)
    _record_unreadable(course, student, marks)
    log = []
    # One nbgrader run for all of the student's assignments when all changed.
    batches = ["*"] if len(marks) == len(_submitted(course, student)) else list(marks)
    for assignment in batches:
        run = run_nbgrader(["autograde", assignment, "--force", f"--student={student}"], course,
                           env=env, check=False, capture_output=True, text=True)
        log.append(run.stdout + run.stderr)
    (folder / "autograde.log").write_text("\n".join(log))
    statuses = []
    for assignment, mark in marks.items():
        recorded = read_status(student, assignment, course)
        if recorded is None:
            recorded = {"status": NOT_GRADED, "detail": "nbgrader stopped on it: see "
                        f"{STATUS_DIR}/{student}/autograde.log"}
        if recorded["status"] != NOT_GRADED:
            recorded["fingerprint"] = mark
        write_status(student, assignment, course=course, **recorded)
        score = f" {recorded['score']}/{recorded['max_score']}" if "score" in recorded else ""
        statuses.append(f"{assignment}{score} {recorded['status']}")
    return "; ".join(statuses)


def _submitted(course, student):
    return [p for p in (course / "submitted" / student).iterdir() if p.is_dir()]


def _record_unreadable(course, student, assignments):
    """A "failed to grade" status, with the reason, for each notebook nbgrader will fail to read."""
    import nbformat

    for name in assignments:
        notebook = course / "submitted" / student / name / f"{name}.ipynb"
        if stage_for_assignment(name) is None:
            continue
        if not notebook.is_file():
            write_status(student, name, NOT_GRADED, f"no {notebook.name} in the submission",
                         course=course)
            continue
        try:
            nbformat.read(notebook, as_version=4)
        except Exception as exc:  # noqa: BLE001 - whatever nbformat rejects, nbgrader rejects
            write_status(student, name, NOT_GRADED,
                         f"{notebook.name} is not a readable notebook ({type(exc).__name__})",
                         course=course)


def release_course(course):
    """nbgrader's release, then beside each released notebook the kit without answers."""
    run_nbgrader(["generate_assignment", "*", "--force"], course)
    kit = ", ".join(release.KIT_ENTRIES)
    folders = [(folder, stage) for folder in sorted((course / "release").iterdir())
               if (stage := stage_for_assignment(folder.name)) is not None]
    # Each stage records its expected values by grading the solution twice: the stages
    # run side by side, one process a core (spawned: JAX's threads must not be forked).
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(len(folders), os.cpu_count() or 1)),
                             mp_context=spawn) as pool:
        summaries = pool.map(_write_kit, [(stage.number, folder) for folder, stage in folders])
        for (folder, _stage), summary in zip(folders, summaries):
            print(f"{folder.relative_to(course)}: notebook and the kit beside it ({kit}; {summary})",
                  flush=True)
    print(f"released to {course / 'release'}: hand out each release/<stage>/ folder as it is")


def _write_kit(job):
    """release.write_kit for (stage number, folder), in a process of the release's pool."""
    number, folder = job
    return release.write_kit(load_stages()[number], folder)


def course_command(action, course=COURSE_DIR, timeout=None, sandbox_mode="require", jobs=1,
                   force=False):
    """release, autograde, grades or feedback, for every assignment of the course."""
    from autograder.grading.sandbox import SandboxUnavailable

    course = Path(course)
    if action == "release":
        release_course(course)
    elif action == "autograde":
        try:
            return autograde_each_student(course, sandbox_mode, timeout, jobs, force)
        except (SandboxUnavailable, integrity.KitTampered) as exc:
            print(f"STOPPED: {exc}", file=sys.stderr)
            return 3
    elif action == "grades":
        run_nbgrader(["export", "--to", "grades.csv"], course)
        print((course / "grades.csv").read_text(), end="")
    elif action == "feedback":
        run_nbgrader(["generate_feedback", "*", "--force"], course)
        print(f"feedback in {course / 'feedback'}")
    else:
        raise ValueError(action)
    return 0
