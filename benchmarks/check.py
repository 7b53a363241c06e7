"""How long `make check` takes on a warm kit, against the floor: a fresh `import jax`.

    make bench-check [BENCH_ARGS="--stages 1,3 --runs 3"]

For each stage, in turns so that the machine's load hits them alike: the
floor (a fresh Python process that imports jax, haiku and optax), `python -m
autograder check N` on the reference solution (a finished file) and on one
buggy variant of tests/buggy/ (a single bug: the stage's softmax or loss bug
where it has one). Each file is graded once first, untimed, as a learner's
second save would find the kit: compile cache and kept values warm. Prints
the fastest of the runs of each, and the ratios the targets are stated in.
This machine is shared: the ratios mean more than the seconds.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from autograder.metadata import load_stages  # noqa: E402

from conftest import BUGGY, buggy_submission  # noqa: E402

FLOOR = [sys.executable, "-c", "import jax, haiku, optax"]
PREFERRED_BUGS = ("softmax_no_max_subtraction", "softmax_unstable", "loss_summed", "loss_sum_not_mean")


def single_bug(number):
    """The variant that stands for 'a file with one bug' in stage `number`."""
    variants = sorted((BUGGY / f"stage{number}").glob("*.py"))
    by_name = {v.stem: v for v in variants}
    return next((by_name[name] for name in PREFERRED_BUGS if name in by_name), variants[0])


def seconds(argv):
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def check(number, folder):
    return [sys.executable, "-m", "autograder", "check", str(number), "--impl", str(folder)]


def bench_stage(number, runs):
    """{"floor", "solution", "bug", "variant"}: the fastest of `runs` each, in seconds."""
    with tempfile.TemporaryDirectory() as folder:
        variant = single_bug(number)
        buggy_submission(variant, Path(folder))
        commands = {"floor": FLOOR, "solution": check(number, ROOT / "solutions"),
                    "bug": check(number, folder)}
        for name in ("solution", "bug"):
            seconds(commands[name])  # warm-up
        timings = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                timings[name].append(seconds(argv))
    return {**{name: min(values) for name, values in timings.items()}, "variant": variant.stem}


def row(number, result):
    floor, solution, bug = result["floor"], result["solution"], result["bug"]
    return (f"| {number} | {floor:.2f} | {solution:.2f} | {solution / floor:.1f}x | {bug:.2f} | "
            f"{bug / floor:.1f}x | {bug / solution:.2f} | {result['variant']} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    ready = [n for n, s in load_stages().items() if s.checks]
    parser.add_argument("--stages", default=",".join(map(str, ready)),
                        help="comma-separated stage numbers (default: all)")
    parser.add_argument("--runs", type=int, default=2, help="timed runs of each; the fastest counts")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    print("| stage | floor s | finished s | x floor | one bug s | x floor | bug / finished | "
          "the bug |\n| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
    results = {}
    for number in (int(n) for n in args.stages.split(",")):
        results[number] = bench_stage(number, args.runs)
        print(row(number, results[number]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
