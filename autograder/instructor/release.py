"""The kit that ships with a student release: visible checks, no answers.

`make release` puts the kit beside each released notebook, in the notebook's
own folder: `autograder/` (the grading engine and the visible checks),
`stages.toml`, and `recorded/` (the expected values of those checks, recorded
from the reference solution: see autograder.reference). A notebook's kernel
starts in the notebook's folder, so its first cell imports `autograder` as it
is, without looking for it. The kit holds no solution code, and the hidden
checks are there only as stubs: their functions, and the helpers that train
on MNIST for them, raise at once, and the notebook never calls them.
"""
import ast
import shutil
from pathlib import Path

from autograder.grading import engine
from autograder.grading import reference as references
from autograder.grading.context import RELEASE
from autograder.metadata import REPO_ROOT, hidden_checks, load_stages, visible_checks

KIT_ENTRIES = ("autograder", "stages.toml", "recorded")  # beside each released notebook
STUB_MESSAGE = "a hidden check: it runs only when your work is graded"


def hidden_ids():
    return {c.id for stage in load_stages().values() for c in hidden_checks(stage)}


def visible_ids(stage):
    return [c.id for c in visible_checks(stage)]


class RecordingFailed(Exception):
    """The reference solution did not pass its own visible checks while recording."""


def record(stage, sandbox_mode="auto"):
    """(recording bytes, how many values were left out): the visible checks' expected values.

    First the grading profile runs, collecting every input grading uses; then
    the release profile records, leaving out any value grading would ask for.
    """
    only = visible_ids(stage)
    grading = references.KeyCollector(references.load_reference(stage))
    _expect_full_marks(engine.grade(stage.number, references.SOLUTIONS_DIR, only=only,
                                    reference=grading, sandbox_mode=sandbox_mode), "grading")
    recorder = references.Recorder(references.load_reference(stage), excluded=grading.keys)
    _expect_full_marks(engine.grade(stage.number, references.SOLUTIONS_DIR, profile=RELEASE,
                                    only=only, reference=recorder, sandbox_mode=sandbox_mode),
                       "release")
    return recorder.dump(stage.number), recorder.left_out


def _expect_full_marks(report, profile):
    failed = [o.check.id for o in report.outcomes if o.status != "pass"]
    if failed:
        raise RecordingFailed(f"stage {report.stage.number}: the reference fails {failed} "
                              f"under the {profile} profile")


def stub_hidden_checks(source, hidden=None):
    """`source` with the body of each hidden check, and of each helper that loads MNIST, replaced."""
    hidden = {f"check_{i}" for i in (hidden or hidden_ids())}
    tree = ast.parse(source)
    stub = ast.parse(f"raise NotImplementedError({STUB_MESSAGE!r})").body
    changed = False
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and (
                node.name in hidden or "load_mnist" in ast.unparse(node)):
            node.body = stub
            changed = True
    return ast.unparse(tree) + "\n" if changed else source


def copy_engine(destination):
    """autograder/ into `destination`, hidden checks stubbed, no caches."""
    source = REPO_ROOT / "autograder"
    target = Path(destination) / "autograder"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in (target / "checks").glob("*.py"):
        path.write_text(stub_hidden_checks(path.read_text()))


def write_kit(stage, destination, sandbox_mode="auto"):
    """The release kit of `stage` in the folder `destination`, beside the notebook there (the
    kit's own entries replaced if present, nothing else touched); returns its summary."""
    destination = Path(destination)
    for name in KIT_ENTRIES:
        path = destination / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    destination.mkdir(parents=True, exist_ok=True)
    copy_engine(destination)
    shutil.copy(REPO_ROOT / "stages.toml", destination)
    recording, left_out = record(stage, sandbox_mode)
    path = references.recording_path(stage, destination / "recorded")
    path.parent.mkdir()
    path.write_bytes(recording)
    return f"{len(recording) >> 10} KiB of recorded values, {left_out} left out as grading's own"
