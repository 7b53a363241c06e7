"""The one command line, `python -m autograder VERB ...`: parses it, hands each verb on."""
import argparse
import os
import sys
from pathlib import Path

from autograder.metadata import REPO_ROOT, load_stages


def _stage_number(text):
    stages = load_stages()
    try:
        number = int(text)
    except ValueError:
        number = None
    if number not in stages or not stages[number].checks:
        ready = ", ".join(str(n) for n, s in stages.items() if s.checks)
        raise argparse.ArgumentTypeError(f"STAGE must be one of {ready} (got {text!r})")
    return number


def _check(args):
    from autograder.feedback import report
    from autograder.grading import engine
    from autograder.grading.context import GRADING, thorough

    impl = Path(args.impl) if args.impl else REPO_ROOT / "exercises"
    if not impl.is_dir():
        print(f"IMPL={args.impl}: no such folder", file=sys.stderr)
        return 2
    profile = GRADING if args.profile == "grading" else thorough(args.seed)
    only = _only(args.stage, args.only)
    if only == set():
        return 2
    from autograder.grading.integrity import KitTampered

    try:
        result = engine.grade(args.stage, impl, profile, only=only, memory_mb=args.memory_mb,
                              call_timeout=args.timeout,
                              sandbox_mode="off" if args.no_sandbox else "auto")
    except KitTampered as exc:
        print(f"STOPPED: {exc}", file=sys.stderr)
        return 3
    print(report.format_text(result, hints=args.hints))
    if not args.impl and not os.environ.get("AUTOGRADER_NO_PROGRESS"):  # the kit's own tests
        from autograder.learner import progress

        progress.record(result)
        if result.full_marks:
            print(f"Compare with the reference: make solution STAGE={args.stage}")
    if args.report:
        report.write_json(result, args.report)
        print(f"JSON report written to {args.report}")
    return 0 if result.full_marks else 1


def _only(stage_number, text):
    """The check ids of --only, None for all, or an empty set (and a message) for unknown ids."""
    if not text:
        return None
    stage = load_stages()[stage_number]
    asked = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(asked - {c.id for c in stage.checks})
    if unknown or not asked:
        print(f"--only: stage {stage_number} has no check {', '.join(unknown) or '(none given)'}. "
              f"Its checks are:", file=sys.stderr)
        for check in stage.checks:
            print(f"  {check.id:<32} {check.title}", file=sys.stderr)
        return set()
    return asked


def _hint(args):
    from autograder.feedback import report

    text = report.format_hints(load_stages()[args.stage], args.function)
    if text is None:
        functions = ", ".join(load_stages()[args.stage].functions)
        print(f"stage {args.stage} has no function {args.function!r}; its functions: {functions}",
              file=sys.stderr)
        return 2
    print(text)
    return 0


def _watch(args):
    from autograder.learner import watch

    impl = Path(args.impl) if args.impl else REPO_ROOT / "exercises"
    if not impl.is_dir():
        print(f"IMPL={args.impl}: no such folder", file=sys.stderr)
        return 2
    record = not args.impl and not os.environ.get("AUTOGRADER_NO_PROGRESS")
    return watch.watch(args.stage, impl, sandbox_mode="off" if args.no_sandbox else "auto",
                       record_progress=record)


def _progress(_args):
    from autograder.learner import progress

    print(progress.table())
    return 0


def _reset(args):
    from autograder.learner import progress

    stage = load_stages()[args.stage]
    backup = progress.reset(stage)
    print(f"exercises/{stage.file} is back as shipped.")
    if backup:
        shown = backup.relative_to(REPO_ROOT)
        print(f"Your version is in {shown}; to undo: cp {shown} exercises/{stage.file}")
    return 0


def _solution(args):
    from autograder.learner import progress

    stage = load_stages()[args.stage]
    text = progress.solution(stage, force=args.force)
    if text is None:
        print(f"The reference of stage {stage.number} is shown once your file has full marks "
              f"(make check STAGE={stage.number}), or with FORCE=1.", file=sys.stderr)
        return 1
    print(text)
    return 0


def _exercises(args):
    from autograder import generate

    if args.check:
        stale = generate.stale_exercises()
        for path in stale:
            print(f"stale: {path.relative_to(REPO_ROOT)} (run `make exercises`)")
        return 1 if stale else 0
    generate.write_exercises()
    return 0


def _data(argv):
    from autograder import download

    return download.main(argv)


def _stages(_args):
    for stage in load_stages().values():
        status = f"{stage.max_points} points" if stage.checks else "coming soon"
        print(f"{stage.number:>2}  {stage.file:<32} {stage.title} ({status})")
    return 0


def parser():
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="grade one stage file")
    check.add_argument("stage", type=_stage_number, help="stage number")
    check.add_argument("--impl", help="folder holding the stage file (default: exercises/)")
    check.add_argument("--report", help="also write a JSON report to this file")
    check.add_argument("--profile", choices=("grading", "thorough"), default="grading")
    check.add_argument("--seed", type=int, help="Hypothesis seed for --profile thorough")
    check.add_argument("--only", help="comma-separated check ids to run")
    check.add_argument("--timeout", type=float, default=60.0, help="seconds per call (default 60)")
    check.add_argument("--memory-mb", type=int, default=4096, help="memory cap of your code")
    check.add_argument("--no-sandbox", action="store_true",
                       help="run your code without the bubblewrap sandbox")
    check.add_argument("--hints", action="store_true",
                       help="show the detailed hint of each failing check (they give much away)")
    check.set_defaults(run=_check)
    watch = sub.add_parser("watch", help="grade one stage file again on every save")
    watch.add_argument("stage", type=_stage_number)
    watch.add_argument("--impl", help="folder holding the stage file (default: exercises/)")
    watch.add_argument("--no-sandbox", action="store_true", help="run learner code unsandboxed")
    watch.set_defaults(run=_watch)
    hint = sub.add_parser("hint", help="the detailed hints of a stage, or of one function")
    hint.add_argument("stage", type=_stage_number, help="stage number")
    hint.add_argument("--function", help="only the checks of this function")
    hint.set_defaults(run=_hint)
    sub.add_parser("progress", help="every stage: not started, in progress or done"
                   ).set_defaults(run=_progress)
    reset = sub.add_parser("reset", help="put one stage's exercise back as shipped (backed up)")
    reset.add_argument("stage", type=_stage_number, help="stage number")
    reset.set_defaults(run=_reset)
    solution = sub.add_parser("solution", help="the reference solution, after full marks")
    solution.add_argument("stage", type=_stage_number, help="stage number")
    solution.add_argument("--force", action="store_true", help="show it before full marks")
    solution.set_defaults(run=_solution)
    ex = sub.add_parser("exercises", help="generate exercises/ from solutions/")
    ex.add_argument("--check", action="store_true", help="only report stale exercise files")
    ex.set_defaults(run=_exercises)
    sub.add_parser("lab", help="JupyterLab on exercises/, without nbgrader's instructor tools "
                   "(other options go to JupyterLab)")
    sub.add_parser("data", help="download full MNIST into data/mnist/ (data --help for options)")
    sub.add_parser("stages", help="list the stages").set_defaults(run=_stages)
    grade = sub.add_parser("grade", help="grade a class: one folder per student")
    grade.add_argument("submissions", help="folder of <student>/<stage file or notebook>")
    grade.add_argument("--out", default="grades", help="where results go (default grades/)")
    grade.add_argument("--jobs", type=int, help="submissions graded at once (default: every core)")
    grade.add_argument("--student", help="grade only this student")
    grade.add_argument("--stage", type=int, help="grade only this stage")
    grade.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    grade.add_argument("--timeout", type=float, help="seconds a call of a submission's code, or "
                       "its import, may take (default: 60 a call, 90 the import)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="grade even where the sandbox cannot start (trusted code only)")
    grade.set_defaults(run=_grade)
    gradescope = sub.add_parser("gradescope", help="Gradescope autograder zips, and grading there")
    gradescope.add_argument("action", choices=("build", "run", "prepare"),
                            help="build: one zip per stage into gradescope/; run: grade "
                            "ROOT/submission (what run_autograder calls); prepare: fill the "
                            "compile cache (what setup.sh calls)")
    gradescope.add_argument("--stage", type=int, help="the stage (build: default all)")
    gradescope.add_argument("--root", help="run: Gradescope's root (default $AUTOGRADER_ROOT "
                            "or /autograder)")
    gradescope.add_argument("--out", help="build: where the zips go (default gradescope/)")
    gradescope.add_argument("--no-sandbox", action="store_true",
                            help="build, run: grade without the sandbox (trusted code only)")
    gradescope.set_defaults(run=_gradescope)
    course = sub.add_parser("course", help="learner notebooks and the nbgrader course")
    course.add_argument("action", choices=("notebooks", "release", "autograde", "grades",
                                           "feedback"))
    course.add_argument("--check", action="store_true",
                        help="notebooks: only report stale generated notebooks")
    course.add_argument("--course", help="the nbgrader course folder (default: course/)")
    course.add_argument("--timeout", type=int,
                        help="autograde: seconds a cell's top-level code, or importing the "
                        "assembled file, may take (default 60)")
    course.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="autograde: students graded at once (default: half the CPU cores)")
    course.add_argument("--no-sandbox", action="store_true",
                        help="autograde: grade even where the sandbox cannot start (trusted code only)")
    course.add_argument("--force", action="store_true",
                        help="autograde: regrade unchanged submissions too")
    course.set_defaults(run=_course)
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["data"]:  # its options belong to autograder.download
        return _data(argv[1:])
    if argv[:1] == ["lab"]:  # its options belong to JupyterLab
        from autograder.learner import lab

        return lab.main(argv[1:])
    args = parser().parse_args(argv)
    return args.run(args)


def _grade(args):
    from autograder.grading.sandbox import SandboxUnavailable
    from autograder.instructor import classgrade

    if not Path(args.submissions).is_dir():
        print(f"SUBMISSIONS={args.submissions}: no such folder", file=sys.stderr)
        return 2
    try:
        return classgrade.grade_class(args.submissions, args.out, args.jobs, args.student,
                                      args.stage, args.force,
                                      sandbox_mode="off" if args.no_sandbox else "require",
                                      timeout=args.timeout)
    except SandboxUnavailable as exc:
        print(f"STOPPED: {exc}", file=sys.stderr)
        return 3


def _gradescope(args):
    from autograder.instructor import gradescope

    return gradescope.main(args)


def _course(args):
    """Generate the notebooks, or run one nbgrader step on the course."""
    from autograder.instructor import course_runner
    from notebooks import build

    if args.action == "notebooks":
        if args.check:
            stale = build.stale_files()
            for path in stale:
                print(f"stale: {path.relative_to(REPO_ROOT)} (run `make notebooks`)")
            return 1 if stale else 0
        build.write_all()
        return 0
    course = Path(args.course) if args.course else course_runner.COURSE_DIR
    return course_runner.course_command(args.action, course, args.timeout,
                                        sandbox_mode="off" if args.no_sandbox else "require",
                                        jobs=args.jobs, force=args.force)
