"""Benchmark `make grade` on a synthetic class, and check its scores against `make check`.

    make bench-grading [BENCH_ARGS="--students 50 --stages 1,3 --jobs 2"]

The class: each student hands in, for each stage, one of the stage's
solution, buggy variants (tests/buggy/), alternative implementations
(tests/alt/), a hostile file (it tries to read the solutions, write into the
kit, and exits at import), the course notebook (solutions) or the released
notebook (untouched stubs); the .py and .ipynb files alternate. The
benchmark grades the class twice (the second run must grade nothing), then
grades each distinct source once on its own, as `make check` would, and
reports any score that differs. It prints submissions per minute and the
seconds per submission of each stage.
"""
import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.grading import engine, notebook_grading  # noqa: E402
from autograder.instructor import classgrade  # noqa: E402
from autograder.metadata import load_stages  # noqa: E402

HOSTILE = """
import os
try:
    exec(open({solution!r}).read())
    open({solution!r}, "a").write("# was here")
except OSError:
    pass
os._exit(0)
"""


def sources(stage):
    """(name, suffix, text) of every kind of submission the class draws from for `stage`."""
    solution = (ROOT / "solutions" / stage.file).read_text()
    pool = [("solution", ".py", solution)]
    pool += [(f"buggy-{p.stem}", ".py", solution + "\n\n" + p.read_text())
             for p in sorted((ROOT / "tests" / "buggy" / f"stage{stage.number}").glob("*.py"))]
    pool += [(f"alt-{p.stem}", ".py", p.read_text())
             for p in sorted((ROOT / "tests" / "alt").glob(f"stage{stage.number}_*.py"))]
    pool.append(("hostile", ".py", HOSTILE.format(solution=str(ROOT / "solutions" / stage.file))))
    notebook = ROOT / "course" / "source" / stage.slug / f"{stage.slug}.ipynb"
    if notebook.is_file():
        pool.append(("notebook-solution", ".ipynb", notebook.read_text()))
        pool.append(("notebook-stubs", ".ipynb", _stubbed(notebook)))
    return pool


def _stubbed(notebook):
    """The notebook with each solution cell reduced to its header line (an unfinished notebook)."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            header = notebook_grading.cell_source(cell).splitlines()[0]
            cell["source"] = header + "\n"
    return json.dumps(nb)


def build_class(folder, students, stages):
    """Write the class; returns {(student, stage): source name}."""
    drawn = {}
    for i in range(students):
        student = f"student{i:04d}"
        for stage in stages:
            pool = sources(stage)
            name, suffix, text = pool[(i * 7 + stage.number) % len(pool)]
            target = folder / student / (stage.file if suffix == ".py" else f"{stage.slug}.ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            drawn[(student, stage.number)] = name
    return drawn


def make_check_scores(stages, used):
    """{(stage, source name): score} graded one by one, as `make check` grades a file."""
    scores = {}
    for stage in stages:
        for name, suffix, text in sources(stage):
            if (stage.number, name) not in used:
                continue
            if suffix == ".ipynb":
                parts = notebook_grading.notebook_parts(json.loads(text), stage.file)
                text = notebook_grading.assemble(parts)
            with tempfile.TemporaryDirectory() as folder:
                (Path(folder) / stage.file).write_text(text)
                scores[(stage.number, name)] = engine.grade(stage.number, folder).earned
    return scores


def differing_scores(rows, drawn, stages):
    """(student, stage, class score, make check score) wherever the two differ."""
    expected = make_check_scores(stages, {(s, n) for (_, s), n in drawn.items()})
    wrong = []
    for row in rows:
        stage = int(row["stage"])
        score = expected[(stage, drawn[(row["student"], stage)])]
        if float(row["score"]) != score:
            wrong.append((row["student"], stage, row["score"], score))
    return wrong


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--stages", default="1,3", help="comma-separated stage numbers")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", help="keep the class and its grades in this folder")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip grading each distinct source again as make check does")
    args = parser.parse_args(argv)
    stages = [load_stages()[int(n)] for n in args.stages.split(",")]
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-grading-"))
    shutil.rmtree(work, ignore_errors=True)
    drawn = build_class(work / "class", args.students, stages)
    started = time.perf_counter()
    status = classgrade.grade_class(work / "class", work / "grades", args.jobs, force=True)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    classgrade.grade_class(work / "class", work / "grades", args.jobs, progress=False)
    second = time.perf_counter() - again
    rows = list(csv.DictReader((work / "grades" / "grades.csv").open()))
    jobs = args.jobs or os.cpu_count() or 1
    print(f"\n{len(rows)} submissions ({args.students} students x stages {args.stages}) in "
          f"{seconds:.0f} s with {jobs} jobs: {len(rows) / seconds * 60:.1f} submissions per "
          f"minute, {seconds * jobs / len(rows):.1f} s of machine time per submission "
          f"(exit status {status}); a second run took {second:.1f} s")
    for stage in stages:
        times = [float(r["seconds"]) for r in rows if int(r["stage"]) == stage.number]
        print(f"  stage {stage.number}: {sum(times) / len(times):.2f} s per submission "
              f"(process time, {len(times)} submissions)")
    wrong = [] if args.no_verify else differing_scores(rows, drawn, stages)
    if not args.no_verify:
        print(f"scores equal to make check's: {len(rows) - len(wrong)}/{len(rows)}"
              + "".join(f"\n  DIFFERS {w}" for w in wrong))
    print(f"class and grades in {work}" if args.keep else "")
    return 1 if wrong or status else 0


if __name__ == "__main__":
    sys.exit(main())
