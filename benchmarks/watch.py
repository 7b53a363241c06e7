"""How long after a save `make watch` shows its verdict, per stage.

    make bench-watch [BENCH_ARGS="--stages 1,6 --saves 5 --pause 3"]

For each stage: copy the reference solution (a finished stage file) into a
temporary folder, start `python -m autograder watch N --impl FOLDER` in a
pseudo-terminal, wait for its first verdict (which also warms the compile
cache), then save the file `--saves` times, each time after `--pause`
seconds of "editing" (a comment line changes), and time each save until the
verdict's last line is on the terminal. Prints the median and the worst time
per stage, and the grading time the report itself states. `--json FILE`
also writes every figure.
"""
import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from autograder.metadata import load_stages  # noqa: E402

from support.terminal import Terminal  # noqa: E402

VERDICT = r"Graded \d\d:\d\d:\d\d\..*\n"
GRADING_TIME = re.compile(r"Total: .* in ([0-9.]+) s")


def bench_stage(number, saves, pause):
    stage = load_stages()[number]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / stage.file
        source = (ROOT / "solutions" / stage.file).read_text()
        target.write_text(source)
        terminal = Terminal([sys.executable, "-m", "autograder", "watch", str(number),
                             "--impl", folder], cwd=ROOT)
        try:
            started = time.perf_counter()
            first = terminal.expect(VERDICT, timeout=600)
            startup = time.perf_counter() - started
            full_marks = "Full marks" in first
            after_save, grading = [], []
            for index in range(saves):
                time.sleep(pause)
                target.write_text(source + f"\n# edit {index}\n")
                saved = time.perf_counter()
                shown = terminal.expect(VERDICT, timeout=300)
                after_save.append(time.perf_counter() - saved)
                grading.append(float(GRADING_TIME.search(shown).group(1)))
                full_marks = full_marks and "Full marks" in shown
            terminal.type("q")
            terminal.wait(timeout=30)
        finally:
            terminal.close()
    return {"stage": number, "startup": startup, "after_save": after_save, "grading": grading,
            "full_marks": full_marks}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ready = [n for n, s in load_stages().items() if s.checks and (ROOT / "solutions" / s.file).exists()]
    parser.add_argument("--stages", default=",".join(map(str, ready)))
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between saves")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    results = []
    print("stage  first verdict  after a save: median  worst   (grading alone: median)  full marks")
    for number in [int(n) for n in args.stages.split(",")]:
        r = bench_stage(number, args.saves, args.pause)
        results.append(r)
        print(f"{number:>5}  {r['startup']:>11.1f} s  {statistics.median(r['after_save']):>18.2f} s"
              f"  {max(r['after_save']):>5.2f} s   {statistics.median(r['grading']):>20.2f} s"
              f"  {'yes' if r['full_marks'] else 'NO'}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["full_marks"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
