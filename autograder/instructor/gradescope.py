"""Gradescope: one autograder zip per stage, graded on Gradescope's machines with this kit's checks.

    make gradescope [STAGE=n] [NO_SANDBOX=1]     ->  gradescope/<stage>.zip

Upload a zip as the assignment's autograder ("Zip file upload"). Gradescope
runs its `setup.sh` once, as root, when it builds the image: it installs
Python 3.11, bubblewrap and the pinned requirements.lock, compiles the
reference's programs into the class compile cache, then (`harden.sh`, as
Gradescope's best practices advise) creates the unprivileged user `student`
that runs students' code and makes the kit unreadable to it. For each
submission it runs `run_autograder`, which calls `python -m autograder gradescope run`:
that finds the stage file (`stage1_numpy.py`) or notebook
(`stage1_numpy.ipynb`) in ROOT/submission/, grades it exactly as
`make grade` does (sandboxed, the same checks and points), and writes
ROOT/results/results.json. ROOT is /autograder, or $AUTOGRADER_ROOT.

The sandbox matters more there than here: on Gradescope the student's code
runs on the machine that holds the solutions. Gradescope's container (Docker's
default seccomp profile) does not let bubblewrap start, so the worker runs as
`student` under Landlock and seccomp (grading.isolation); where no isolation
holds, every submission gets 0 with a message saying so, unless the zip was
built with NO_SANDBOX=1 (then students could read the solutions: only for
code you trust).
"""
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

from autograder.metadata import REPO_ROOT, load_stages

DEFAULT_ROOT = Path("/autograder")
ROOT_ENV = "AUTOGRADER_ROOT"
OUT_DIR = REPO_ROOT / "gradescope"
# What grading needs of the kit: the engine and checks, the reference, the data subset, the pins.
KIT_FILES = ("autograder", "solutions", "data/mnist_5k.npz", "stages.toml", "requirements.lock")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends bubblewrap ca-certificates
if ! command -v python3.11 >/dev/null; then
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
fi
apt-get install -y --no-install-recommends python3.11 python3.11-venv
python3.11 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --no-deps -r /autograder/source/requirements.lock
cd /autograder/source
# Best effort: where the sandbox cannot start at build time, each submission compiles its own.
/autograder/venv/bin/python -m autograder gradescope prepare --stage {stage} || true
bash /autograder/source/harden.sh
"""

# Gradescope's autograder best practices: students' code runs as its own user,
# and cannot read the autograder's source nor write the results.
HARDEN = """#!/usr/bin/env bash
# setup.sh runs this last, as root. KIT_WORKER_USER and AUTOGRADER_ROOT replace
# `student` and /autograder (to try it on your machine).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
USER_NAME="${KIT_WORKER_USER:-student}"
if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
fi
chmod -R o= "$ROOT/source"
chmod o=x "$ROOT/source"                        # to reach the compile cache, not to list
if [ -d "$ROOT/source/.cache/jax-class" ]; then
    chmod o=x "$ROOT/source/.cache"
    chmod -R o=rX "$ROOT/source/.cache/jax-class"  # the reference's programs, read-only
fi
mkdir -p "$ROOT/results"
chmod o= "$ROOT/results"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission. AUTOGRADER_ROOT and KIT_PYTHON
# replace /autograder and its virtual environment (to try it on your machine).
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{KIT_PYTHON:-$ROOT/venv/bin/python}}"
# Students' code runs as the user harden.sh made (where the grader runs as root).
export AUTOGRADER_WORKER_USER="${{KIT_WORKER_USER:-student}}"
id -u "$AUTOGRADER_WORKER_USER" >/dev/null 2>&1 || unset AUTOGRADER_WORKER_USER
cd "$ROOT/source" && exec "$PYTHON" -m autograder gradescope run --stage {stage} --root "$ROOT"{extra}
"""


def build(stage_numbers=None, out=OUT_DIR, sandboxed=True):
    """Write one autograder zip per stage into `out`; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stages = load_stages()
    written = []
    for number in stage_numbers or sorted(stages):
        stage = stages[number]
        path = out / f"{stage.slug}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            _add_script(archive, "setup.sh", SETUP.format(stage=number))
            _add_script(archive, "harden.sh", HARDEN)
            _add_script(archive, "run_autograder",
                        RUN.format(stage=number, extra="" if sandboxed else " --no-sandbox"))
            for name in KIT_FILES:
                for file in _files(REPO_ROOT / name):
                    archive.write(file, str(file.relative_to(REPO_ROOT)))
        written.append(path)
    return written


def _add_script(archive, name, text):
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def _files(path):
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def find_submission(folder, stage):
    """The stage file, else the notebook, anywhere under `folder` (None if neither is there)."""
    for name in (stage.file, f"{stage.slug}.ipynb"):
        found = sorted(Path(folder).rglob(name))
        if found:
            return found[0]
    return None


def student_id(root):
    """The submitter's email from Gradescope's submission_metadata.json, if it is there."""
    try:
        users = json.loads((Path(root) / "submission_metadata.json").read_text())["users"]
        return str(users[0].get("email") or users[0].get("name") or "submission")
    except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError):
        return "submission"


def run(stage_number, root=DEFAULT_ROOT, sandbox_mode="require"):
    """Grade ROOT/submission into ROOT/results/results.json; returns the results written."""
    from autograder.grading.sandbox import SandboxUnavailable
    from autograder.instructor import class_cache, class_outputs, classgrade

    root = Path(root)
    stage = load_stages()[stage_number]
    path = find_submission(root / "submission", stage)
    if path is None:
        results = _results_without_grading(
            stage, f"Your submission has no {stage.file} (or {stage.slug}.ipynb): upload that file "
            "with its name unchanged.")
    else:
        try:
            cache = class_cache.prepared([stage_number], sandbox_mode)  # as setup.sh filled it
            submission = classgrade.Submission(student_id(root), stage_number, path)
            results = class_outputs.gradescope(classgrade.grade_one(submission, sandbox_mode, cache))
            results["output"] += f"\nGraded: {path.relative_to(root / 'submission')}"
        except SandboxUnavailable as exc:
            results = _results_without_grading(
                stage, f"Not graded: {exc} Tell your instructor; this is not your code's fault.")
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=1))
    return results


def _results_without_grading(stage, message):
    return {"score": 0, "output": f"Stage {stage.number}: 0/{stage.max_points}. {message}",
            "tests": []}


def prepare(stage_number):
    """Compile the reference's programs into the class compile cache (setup.sh runs this)."""
    from autograder.instructor import class_cache

    class_cache.fill(stage_number)
    return 0


def main(args):
    if args.action == "build":
        for path in build([args.stage] if args.stage else None, args.out or OUT_DIR,
                          sandboxed=not args.no_sandbox):
            print(f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        if args.no_sandbox:
            print("built WITHOUT the sandbox: students' code could read the solutions", file=sys.stderr)
        return 0
    if not args.stage:
        print(f"gradescope {args.action} needs --stage N", file=sys.stderr)
        return 2
    if args.action == "prepare":
        return prepare(args.stage)
    root = args.root or os.environ.get(ROOT_ENV) or DEFAULT_ROOT
    results = run(args.stage, root, "off" if args.no_sandbox else "require")
    print(results["output"])
    return 0
