"""Does this Python (and this device) grade as the recorded baseline does? `make parity`.

Grades a set of submissions and compares each verdict (every check's status
and points, and the report's focus: the functions to fix, in order) with
tests/parity/baseline.json, recorded with Python 3.11 on CPU. The full set is
every stage's solution and exercise, every correct alternative in tests/alt/
and every buggy variant in tests/buggy/; `--sample` keeps each stage's
solution and exercise and one buggy variant per stage (the cheapest to grade,
as the baseline tells). Prints a row per submission and exits 1 on a
difference. `--record` writes the verdicts graded here into the baseline
instead (the others in it are kept). Nothing here depends on the device: run
on a GPU, it compares the GPU's verdicts with the CPU's (tests/support/device_kit.py
runs it on a machine that can fetch nothing). `--budget S` starts no submission
after S seconds and lists those left out; the sample is graded first.

    python tests/support/parity.py [--sample] [--record] [--jobs N] [--stages 1,3] [--budget S]
"""
import argparse
import ast
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.engine import has_spare_core
from autograder.instructor import classgrade
from autograder.metadata import REPO_ROOT, load_stages

TESTS = REPO_ROOT / "tests"
BASELINE = TESTS / "parity" / "baseline.json"
_REQUIRED = object()


def declared(variant_path, name, default=_REQUIRED):
    """The value a buggy variant assigns to `name` at top level (EXPECT_FAIL, FOCUS,
    CALL_TIMEOUT_S), else `default` (required when none is given)."""
    tree = ast.parse(Path(variant_path).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            return ast.literal_eval(node.value)
    if default is _REQUIRED:
        raise AssertionError(f"{variant_path} declares no {name}")
    return default


@dataclass(frozen=True)
class Submission:
    name: str  # "stage3/solution", "stage3/alt/module_level_vmap", "stage3/buggy/<variant>"
    stage: int
    source: Path  # the stage file, or a buggy variant to append to the solution

    def call_timeout(self):
        """A slow buggy variant's CALL_TIMEOUT_S (tests/test_buggy.py), else None: the shipped."""
        return declared(self.source, "CALL_TIMEOUT_S", None) if "/buggy/" in self.name else None

    def text(self):
        """The stage file to grade; a buggy variant is appended to the solution, as tests/conftest.py does."""
        if "/buggy/" not in self.name:
            return self.source.read_text()
        solution = (REPO_ROOT / "solutions" / load_stages()[self.stage].file).read_text()
        return (solution + f"\n\n# ---- buggy variant: {self.source.name} ----\n"
                + self.source.read_text())


def stage_submissions(stage):
    """Every submission of `stage`: solution, exercise, alternatives, buggy variants."""
    tag = f"stage{stage.number}"
    found = [Submission(f"{tag}/{kind}", stage.number, REPO_ROOT / folder / stage.file)
             for kind, folder in (("solution", "solutions"), ("exercise", "exercises"))]
    for path in sorted((TESTS / "alt").glob(f"{tag}_*.py")):
        found.append(Submission(f"{tag}/alt/{path.stem[len(tag) + 1:]}", stage.number, path))
    for path in sorted((TESTS / "buggy" / tag).glob("*.py")):
        found.append(Submission(f"{tag}/buggy/{path.stem}", stage.number, path))
    return found


def checks_run(verdict):
    """How many checks a recorded verdict ran (passed or failed): a measure of its grading time."""
    return sum(status.split()[0] in ("pass", "fail") for status in verdict["checks"].values())


def cheapest(buggy, baseline):
    """The buggy variant whose recorded verdict ran the fewest checks, by name on a tie.

    Each variant fails at least one check (tests/test_buggy.py), so the one
    chosen still goes through a failing check, its shrinking and its focus.
    """
    def cost(submission):
        recorded = baseline.get(submission.name)
        return (checks_run(recorded) if recorded else float("inf"), submission.name)
    return min(buggy, key=cost)


def submissions(sample=False, stages=None, baseline=None):
    """The full set, or the sample: solution, exercise and the cheapest buggy variant per stage."""
    baseline = load_baseline()["verdicts"] if baseline is None else baseline
    chosen = []
    for number, stage in load_stages().items():
        if not stage.checks or (stages and number not in stages):
            continue
        found = stage_submissions(stage)
        if sample:
            buggy = [s for s in found if "/buggy/" in s.name]
            found = found[:2] + [cheapest(buggy, baseline)]
        chosen.extend(found)
    return chosen


def verdict(result):
    """What must not change between Pythons or devices: each check's status and points, the focus."""
    return {
        "score": result.get("score"),
        "max_score": result.get("max_score"),
        "checks": {c["id"]: f"{c['status']} {c['points']}" for c in result.get("checks", [])},
        "focus": [entry["function"] for entry in result.get("focus", [])],
    }


def grade(submission, run_ahead=True):
    """(verdict, seconds) of one submission, graded as `make grade` grades a student's file
    (`run_ahead`: False where the grading jobs fill the cores, as there)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="parity-") as folder:
        path = Path(folder) / load_stages()[submission.stage].file
        path.write_text(submission.text())
        student = classgrade.Submission(submission.name, submission.stage, path)
        result = classgrade.grade_one(student, "auto", timeout=submission.call_timeout(),
                                      run_ahead=run_ahead)
    return verdict(result), time.perf_counter() - started


def grade_all(chosen, jobs=1, budget=None):
    """name -> (verdict, seconds), in the order of `chosen`; each process keeps a stage's
    reference values for the next. With a `budget` (seconds), no submission starts after
    it has passed: those are missing from the result."""
    deadline = None if budget is None else time.monotonic() + budget

    def late():
        return deadline is not None and time.monotonic() > deadline

    queue, here = list(chosen), {}
    if jobs <= 1:
        while queue and not late():
            submission = queue.pop(0)
            here[submission.name] = grade(submission)
        return here
    run_ahead = has_spare_core(jobs)
    # Spawned, not forked: a fork of a process that has started JAX's threads can deadlock.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        running = {}
        while queue or running:
            while queue and len(running) < jobs and not late():
                submission = queue.pop(0)
                running[pool.submit(grade, submission, run_ahead)] = submission.name
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                here[running.pop(future)] = future.result()
    return here


def sample_first(chosen, baseline):
    """`chosen` with the sample's submissions first (what a budget keeps before the rest)."""
    sample = {s.name for s in submissions(True, {s.stage for s in chosen}, baseline)}
    return sorted(chosen, key=lambda s: s.name not in sample)


def summary(verdict):
    """'25/29, focus backward_prop' for a row of the table."""
    if verdict is None:
        return "(not recorded)"
    focus = f", focus {verdict['focus'][0]}" if verdict["focus"] else ""
    return f"{verdict['score']}/{verdict['max_score']}{focus}"


def differences(here, baseline):
    """Why `here` differs from `baseline` (one verdict each), or [] where they agree."""
    if baseline is None:
        return ["not in the baseline (record it with --record)"]
    found = [f"{check}: {status} here, {baseline['checks'].get(check)} in the baseline"
             for check, status in here["checks"].items() if baseline["checks"].get(check) != status]
    found += [f"{check}: not graded here" for check in baseline["checks"]
              if check not in here["checks"]]
    if here["focus"] != baseline["focus"]:
        found.append(f"focus {here['focus']} here, {baseline['focus']} in the baseline")
    return found


def environment():
    """Python, JAX and the devices that graded here."""
    import jax

    def named(device):  # "cuda:0 (NVIDIA H100 80GB HBM3)"; "cpu:0" as recorded
        kind = device.device_kind
        return str(device) if kind.lower() == device.platform else f"{device} ({kind})"

    return {"python": platform.python_version(), "jax": jax.__version__,
            "devices": ", ".join(named(d) for d in jax.devices())}


def load_baseline(path=BASELINE):
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return {"recorded_with": {}, "verdicts": {}}


def record(here, path=BASELINE):
    """Write these verdicts into the baseline, keeping the other submissions' verdicts."""
    baseline = load_baseline(path)
    baseline["recorded_with"] = environment()
    baseline["verdicts"] = dict(sorted({**baseline["verdicts"], **here}.items(),
                                       key=lambda item: name_order(item[0])))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(baseline, indent=1) + "\n")


def name_order(name):
    """Stage by number, then solution, exercise, alternatives, buggy variants."""
    stage, rest = name.split("/", 1)
    kinds = ["solution", "exercise", "alt", "buggy"]
    return int(stage.removeprefix("stage")), kinds.index(rest.split("/")[0]), rest


def table(chosen, here, baseline):
    """One row per submission: stage, name, verdict here and in the baseline, parity, seconds."""
    rows = [f"{'stage':>5}  {'submission':<42} {'here':<30} {'baseline':<30} {'parity':<9} seconds"]
    for submission in chosen:
        if submission.name not in here:
            continue
        now, seconds = here[submission.name]
        then = baseline.get(submission.name)
        why = differences(now, then)
        rows.append(f"{submission.stage:>5}  {submission.name.split('/', 1)[1]:<42} "
                    f"{summary(now):<30} {summary(then):<30} "
                    f"{'different' if why else 'same':<9} {seconds:7.1f}")
        rows.extend(f"{'':>7}- {line}" for line in why)
    return "\n".join(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", action="store_true",
                        help="each stage's solution, exercise and one buggy variant only")
    parser.add_argument("--record", action="store_true", help="write the baseline instead")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="grading processes (default: one per core)")
    parser.add_argument("--stages", help="only these stages, e.g. 1,3")
    parser.add_argument("--budget", type=float,
                        help="seconds after which no submission is started (the sample goes first)")
    parser.add_argument("--baseline", default=str(BASELINE), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    stages = {int(n) for n in args.stages.split(",")} if args.stages else None
    baseline = load_baseline(args.baseline)
    chosen = submissions(args.sample, stages, baseline["verdicts"])
    started = time.perf_counter()
    order = sample_first(chosen, baseline["verdicts"]) if args.budget is not None else chosen
    here = grade_all(order, args.jobs, args.budget)
    left_out = [s.name for s in chosen if s.name not in here]
    info, then = environment(), baseline["recorded_with"]
    print(f"Graded here: Python {info['python']}, jax {info['jax']}, devices {info['devices']}; "
          f"{len(here)} submissions in {time.perf_counter() - started:.0f} s, "
          f"{args.jobs} at a time" + (f", budget {args.budget:.0f} s" if args.budget else ""))
    print(f"Baseline: {args.baseline}, recorded with Python {then.get('python')}, "
          f"jax {then.get('jax')}, devices {then.get('devices')}")
    print(table(chosen, here, baseline["verdicts"]))
    if args.record:
        record({name: now for name, (now, _seconds) in here.items()}, args.baseline)
        print(f"Recorded these {len(here)} verdicts in {args.baseline}")
        return 0
    different = [name for name, (now, _seconds) in here.items()
                 if differences(now, baseline["verdicts"].get(name))]
    if left_out:
        print(f"Left out for the budget ({len(left_out)}): {', '.join(left_out)}")
    print(f"{len(here) - len(different)} same, {len(different)} different"
          + (f", {len(left_out)} left out" if left_out else ""))
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
