"""What `make grade` writes: per-submission reports, grades.csv, Gradescope results, summary.md.

OUT/
  grades.csv                       student, stage, score, max_score, status, seconds, isolation
  <student>/<stage>.json           the full report, with the student id
  <student>/<stage>.results.json   Gradescope's results format
  summary.md, *.png                the class at a glance: scores, and the checks that fail most
"""
import csv
import json
from collections import Counter
from pathlib import Path

from autograder.metadata import HIDDEN_PREFIX, load_stages


def write_result(out, result):
    stage = load_stages()[result["stage"]]
    folder = Path(out) / result["student"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stage.slug}.json").write_text(json.dumps(result, indent=1))
    (folder / f"{stage.slug}.results.json").write_text(json.dumps(gradescope(result), indent=1))


def gradescope(result):
    """The result in Gradescope's autograder format (results.json)."""
    tests = []
    for number, check in enumerate(result.get("checks", []), start=1):
        lines = [check["message"]] if check["message"] else []
        if check.get("smallest_failing_input"):
            lines.append(f"smallest failing input: {check['smallest_failing_input']}")
        if check.get("idea") and check["status"] == "fail":
            lines.append(f"idea: {check['idea']}")
        tests.append({"name": check["title"], "number": str(number), "score": check["points"],
                      "max_score": check["max_points"],
                      "status": "passed" if check["status"] == "pass" else "failed",
                      "output": "\n".join(lines),
                      # hidden checks are shown once the grades are published
                      "visibility": "after_published" if check["id"].startswith(HIDDEN_PREFIX)
                      else "visible"})
    output = f"Stage {result['stage']}: {result['score']}/{result['max_score']} ({result['status']})"
    if result.get("detail"):
        output += f"\n{result['detail']}"
    if result.get("sandbox"):
        output += f"\nSandbox: {result['sandbox']}"
    return {"score": result["score"], "execution_time": result.get("seconds", 0),
            "output": output, "tests": tests,
            "extra_data": {"isolation": result.get("isolation", "")}}


def rows(results, submissions):
    """One row per student and stage of the class (a stage counts once anyone handed it in)."""
    stages = load_stages()
    students = sorted({s.student for s in submissions})
    numbers = sorted({s.stage for s in submissions})
    for student in students:
        for number in numbers:
            result = results.get((student, number))
            if result is None:
                yield [student, number, 0, stages[number].max_points, "not_submitted", 0, ""]
            else:
                yield [student, number, result["score"], result["max_score"], result["status"],
                       result.get("seconds", 0), result.get("isolation", "")]


def write_class(out, results, submissions):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    handed_in = {(s.student, s.stage) for s in submissions}
    results = {k: r for k, r in results.items() if k in handed_in}  # a file since removed
    table = list(rows(results, submissions))
    with open(out / "grades.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "stage", "score", "max_score", "status", "seconds",
                         "isolation"])
        writer.writerows(table)
    write_summary(out, table, results)


def write_summary(out, table, results):
    """summary.md with a score histogram and the failure rate of each check, per stage."""
    stages = load_stages()
    lines = ["# Class summary", "",
             f"{len({r[0] for r in table})} students, {len(results)} graded submissions.", ""]
    statuses = Counter(r[4] for r in table)
    lines += ["| status | rows |", "| --- | --- |"]
    lines += [f"| {status} | {count} |" for status, count in sorted(statuses.items())]
    for number in sorted({r[1] for r in table}):
        graded = [r for r in results.values() if r["stage"] == number and r.get("checks")]
        if not graded:
            continue
        stage = stages[number]
        scores = sorted(r["score"] for r in graded)
        lines += ["", f"## Stage {number}: {stage.title}", "",
                  f"{len(graded)} graded; median {scores[len(scores) // 2]}/{stage.max_points}, "
                  f"full marks {sum(s == stage.max_points for s in scores)}.", "",
                  f"![scores of stage {number}](stage{number}_scores.png)", "",
                  "| check | failed by |", "| --- | --- |"]
        failures = _failure_rates(graded)
        lines += [f"| {title} | {rate:.0%} |" for title, rate in failures]
        _plot(out / f"stage{number}_scores.png", scores, stage, failures)
    (out / "summary.md").write_text("\n".join(lines) + "\n")


def _failure_rates(graded):
    """(check title, fraction of submissions that failed it), most failed first."""
    failed, titles = Counter(), {}
    for result in graded:
        for check in result["checks"]:
            titles[check["id"]] = check["title"]
            failed[check["id"]] += check["status"] != "pass"
    rates = [(titles[i], failed[i] / len(graded)) for i in titles]
    return sorted(rates, key=lambda item: -item[1])


def _plot(path, scores, stage, failures):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6))
    left.hist(scores, bins=range(0, stage.max_points + 2), align="left", color="#4c72b0")
    left.set_xlabel("score")
    left.set_ylabel("submissions")
    left.set_title(f"stage {stage.number}: scores out of {stage.max_points}")
    shown = failures[:10][::-1]
    right.barh([title[:40] for title, _ in shown], [rate for _, rate in shown], color="#c44e52")
    right.set_xlim(0, 1)
    right.set_xlabel("fraction of submissions failing")
    right.set_title("checks failed most")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
