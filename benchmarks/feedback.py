"""How long a learner waits for a failing report, against a passing one.

    make bench-feedback [BENCH_ARGS="--stages 1,3 --repeat 2"]

For each stage: grade the reference solution (a passing run) and every
buggy variant in tests/buggy/ (a failing run, each with one bug), all checks
and the grading profile, as `make check` does, after one warm-up run that
fills the compile cache. Prints, per stage, the passing time, the median and
the worst failing time, their ratios to the passing time, and how many
checks a single bug shows failing on their own (status "fail"; blocked
checks are not counted). `--json FILE` also writes every figure.
"""
import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from autograder.grading import engine  # noqa: E402
from autograder.metadata import load_stages  # noqa: E402

from conftest import BUGGY, buggy_submission  # noqa: E402


def timed_grade(stage_number, folder):
    started = time.perf_counter()
    report = engine.grade(stage_number, folder)
    return time.perf_counter() - started, report


def bench_stage(number, repeat):
    """{"passing": s, "failing": {variant: s}, "shown": {variant: checks failing}}."""
    solutions = ROOT / "solutions"
    timed_grade(number, solutions)  # warm-up: fills the compile cache
    passing = min(timed_grade(number, solutions)[0] for _ in range(repeat))
    failing, shown = {}, {}
    for variant in sorted((BUGGY / f"stage{number}").glob("*.py")):
        with tempfile.TemporaryDirectory() as folder:
            buggy_submission(variant, Path(folder))
            runs = [timed_grade(number, folder) for _ in range(repeat)]
        failing[variant.stem] = min(seconds for seconds, _ in runs)
        shown[variant.stem] = sum(o.status == "fail" for o in runs[0][1].outcomes)
        print(f"  stage {number} {variant.stem}: {failing[variant.stem]:.1f} s, "
              f"{shown[variant.stem]} checks failing", file=sys.stderr)
    return {"passing": passing, "failing": failing, "shown": shown}


def summary_line(number, result):
    passing, failing = result["passing"], list(result["failing"].values())
    median, worst = statistics.median(failing), max(failing)
    shown = list(result["shown"].values())
    return (f"stage {number}: passing {passing:5.1f} s | failing median {median:5.1f} s "
            f"({median / passing:.2f}x), worst {worst:5.1f} s ({worst / passing:.2f}x) "
            f"over {len(failing)} variants | checks failing per bug: median "
            f"{statistics.median(shown):g}, most {max(shown)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    ready = [n for n, s in load_stages().items() if s.checks]
    parser.add_argument("--stages", default=",".join(map(str, ready)),
                        help="comma-separated stage numbers (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per file; the fastest counts")
    parser.add_argument("--json", help="write every timing to this file")
    args = parser.parse_args(argv)
    results = {}
    for number in (int(n) for n in args.stages.split(",")):
        results[number] = bench_stage(number, args.repeat)
        print(summary_line(number, results[number]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
