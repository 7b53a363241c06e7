"""What the fallback sandbox costs against bubblewrap: `make check` on each stage's solution.

    python benchmarks/isolation.py [--stages 1,3,8] [--runs 2]

For each stage, in turns so that the machine's load hits them alike: the
floor (a fresh process that imports jax, haiku and optax), `python -m
autograder check N --impl solutions` as the kit's tests run it (bubblewrap),
and the same command under tests/support/container.py's Docker launcher
(Docker's default seccomp rules and capabilities, as root), where bubblewrap
cannot start and the worker runs behind the fallback's walls (its own uid,
Landlock, seccomp, limits). Each is run once first, untimed (warm caches).
Prints the fastest run of each and the isolation each report names.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from autograder.metadata import load_stages  # noqa: E402

from support import container  # noqa: E402

def check(python, number, report):
    return [python, "-m", "autograder", "check", str(number),
            "--impl", str(ROOT / "solutions"), "--report", str(report)]


def timed(argv):
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench_stage(python, number, runs):
    with tempfile.TemporaryDirectory() as folder:
        reports = {mode: Path(folder) / f"{mode}.json" for mode in ("bubblewrap", "fallback")}
        commands = {"floor": [python, "-c", "import jax, haiku, optax"],
                    "bubblewrap": check(python, number, reports["bubblewrap"]),
                    "fallback": container.command("docker", check(python, number,
                                                                  reports["fallback"]))}
        for name in ("bubblewrap", "fallback"):
            timed(commands[name])
        times = {name: min(timed(argv) for _ in range(runs)) for name, argv in commands.items()}
        graded = {mode: json.loads(path.read_text()) for mode, path in reports.items()}
    return times, {mode: (g["score"], g["max_score"], g["isolation"]) for mode, g in graded.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", default="1,3,5,8,9,11")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    shared = Path(tempfile.mkdtemp(prefix="bench-isolation-"))
    shared.chmod(0o755)
    # The worker's own uid runs the grader's interpreter: one every uid can run (as in
    # tests/test_isolation.py), for both modes alike.
    python = container.shared_python(shared / "venv")
    if python is None:
        sys.exit("no Python 3.11 here that every uid can run")
    print("| stage | floor s | bubblewrap s | fallback s | fallback / bubblewrap | "
          "scores | fallback's isolation |\n| --- | --- | --- | --- | --- | --- | --- |")
    try:
        for number in (int(n) for n in args.stages.split(",")):
            times, graded = bench_stage(python, number, args.runs)
            scores = " / ".join(f"{s}/{m}" for s, m, _ in graded.values())
            print(f"| {number} | {times['floor']:.2f} | {times['bubblewrap']:.2f} | "
                  f"{times['fallback']:.2f} | {times['fallback'] / times['bubblewrap']:.2f} | "
                  f"{scores} | {graded['fallback'][2]} |", flush=True)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
