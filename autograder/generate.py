"""Generate exercises/ from solutions/: each solution region becomes a stub.

In a solution file every function body sits between `### BEGIN SOLUTION` and
`### END SOLUTION` and starts with a `# TODO:` comment, perhaps continued on
more comment lines. The exercise keeps the TODO comment and raises
NotImplementedError in place of the rest. A line outside the regions that
ends with `# SOLUTION-ONLY` (a `@jax.jit` decorator that stage 4 asks learners to add themselves) is left out of the exercise.
"""
import re
import shutil
import time

from autograder.metadata import REPO_ROOT, load_stages

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SOLUTION_ONLY = "# SOLUTION-ONLY"
SOLUTIONS, EXERCISES = REPO_ROOT / "solutions", REPO_ROOT / "exercises"


class MarkerError(ValueError):
    """A solution file whose markers cannot be turned into stubs."""


def stub_source(source, stage_number, file_name="<solution>"):
    """The exercise version of a solution file's source."""
    out, region, function, cls = [], None, None, None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if region is None and (match := re.match(r"(\s*)(def|class) (\w+)", line)):
            indent, kind, name = match.groups()
            if not indent:
                cls = name if kind == "class" else None
            if kind == "def":
                function = f"{cls}.{name}" if indent and cls else name
        if stripped == BEGIN:
            if region is not None or not line.startswith(" "):
                raise MarkerError(f"{file_name}:{number}: {BEGIN} must open a function body")
            region = {"indent": line[: len(line) - len(line.lstrip())], "todo": [], "code": False}
        elif stripped == END:
            if region is None or not region["todo"]:
                raise MarkerError(f"{file_name}:{number}: region without a leading `# TODO:` line")
            out += region["todo"]
            out.append(f'{region["indent"]}raise NotImplementedError("stage {stage_number}: {function}")\n')
            region = None
        elif region is not None:
            if stripped.startswith("#") and not region["code"] and (
                    region["todo"] or stripped.startswith("# TODO:")):
                region["todo"].append(line)  # the TODO line and its comment continuation
            elif stripped:
                region["code"] = True
        elif not stripped.endswith(SOLUTION_ONLY):
            out.append(line)
    if region is not None:
        raise MarkerError(f"{file_name}: {BEGIN} without {END}")
    return "".join(out)


def expected_exercises():
    """{path in exercises/: generated source} for every stage with a solution file."""
    files = {}
    for stage in load_stages().values():
        solution = SOLUTIONS / stage.file
        if solution.exists():
            files[EXERCISES / stage.file] = stub_source(solution.read_text(), stage.number, stage.file)
    return files


def stale_exercises():
    """Exercise files that differ from what generation gives."""
    return [path for path, text in expected_exercises().items()
            if not path.exists() or path.read_text() != text]


def back_up(path):
    """Copy a learner's exercise into the .backup folder beside it, stamped with the time."""
    folder = path.parent / ".backup"
    folder.mkdir(parents=True, exist_ok=True)
    backup = folder / f"{path.stem}.{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    shutil.copy2(path, backup)
    return backup


def write_exercises(log=print):
    """Write exercises/, backing up any file that would lose edits."""
    for path, text in expected_exercises().items():
        if path.exists() and path.read_text() != text:
            backup = back_up(path)
            log(f"backed up {path.relative_to(REPO_ROOT)} to {backup.relative_to(REPO_ROOT)}")
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            log(f"wrote {path.relative_to(REPO_ROOT)}")
