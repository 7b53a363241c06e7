"""Generate the learner notebooks and the nbgrader course from the committed sources.

Sources: `notebooks/stageN_slug.py` (the story and the demo cells, jupytext
percent format), `solutions/stageN_slug.py` (the code) and `stages.toml`
(checks and points). Outputs, never edited by hand:

- `exercises/stageN_slug.ipynb`: the learner's notebook. It imports the
  learner's `exercises/stageN_slug.py`, trains it, shows digits and the loss,
  runs the checks inline and times the stage against the previous one.
- `course/source/stageN_slug/stageN_slug.ipynb`: the nbgrader assignment. The
  stage file is split into cells (solution regions marked for nbgrader), then
  one autograded test cell per check, points from stages.toml.

A stage is built when it has checks in stages.toml, a solution file and a
story in notebooks/.
"""
import ast
import copy
import json
import shutil
import time

import jupytext
import nbformat

from autograder.grading.notebook_grading import part_header
from autograder.instructor.nbgrader_plugins import test_cell_source
from autograder.metadata import REPO_ROOT, hidden_checks, load_stages, visible_checks

SOURCES = REPO_ROOT / "notebooks"
SOLUTIONS = REPO_ROOT / "solutions"
EXERCISES = REPO_ROOT / "exercises"
COURSE_SOURCE = REPO_ROOT / "course" / "source"
BACKUPS = EXERCISES / ".backup"  # ignored by git, as for make exercises
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "version": "3.11"}

# ---------------------------------------------------------------- which stages

def buildable_stages():
    """Stages with checks, a solution file and a story: what gets notebooks."""
    return [s for s in load_stages().values()
            if s.checks and (SOLUTIONS / s.file).exists() and (SOURCES / s.file).exists()]


# ---------------------------------------------------------------- cells

def _code(source, **metadata):
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
    cell.metadata.update(metadata)
    return cell


def _markdown(source, **metadata):
    cell = nbformat.v4.new_markdown_cell(source.rstrip("\n"))
    cell.metadata.update(metadata)
    return cell


def _finish(cells, title):
    """A notebook with stable cell ids and no execution state, so regeneration is byte-stable."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO, "title": title}
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:02d}"
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells = cells
    return nb


def _story_cells(stage):
    """The story's cells as written in notebooks/stageN_slug.py."""
    nb = jupytext.reads((SOURCES / stage.file).read_text(), fmt="py:percent")
    return [copy.deepcopy(cell) for cell in nb.cells]


def _tags(cell):
    return set(cell.metadata.get("tags", []))


# ---------------------------------------------------------------- learner notebooks

def learner_notebook(stage):
    """exercises/stageN_slug.ipynb: the story, the demo, the checks and the timing."""
    story = _story_cells(stage)
    # A story cell tagged `timing` replaces the default text above the timing cell.
    own_timing_text = [c for c in story if "timing" in _tags(c)]
    story = [c for c in story if "timing" not in _tags(c)]
    setup = _code(
        "# Run this cell first. The kit is installed in .venv (make sets it up): use its Python as the kernel.\n"
        "import numpy as np\nfrom autograder.learner import notebook as kit\n\n"
        f"kit.describe({stage.number})")
    checks = [
        _markdown("## Your score\n\nThe same checks, points and hints as "
                  f"`make check STAGE={stage.number}`, run on the stage file named above."),
        _code(f"report = kit.run_checks({stage.number})"),
    ]
    timing = own_timing_text or [
        _markdown(
            "## How fast is it?\n\n"
            + (f"Stage {stage.number} against stage {stage.number - 1} on the same work: "
               if stage.number > 1 else "Stage 1 on its own; later stages are timed against it: ")
            + "the same number of full-batch training steps on the training set, then one large "
            "inference batch. These are the numbers of *your* machine, measured now: on a "
            "laptop CPU a small network gains little from compilation, and the first step "
            "(which includes JAX's compilation) can be slower than NumPy. Unfinished stage "
            "files are replaced by the reference, and the table says so."),
    ]
    timing.append(_code(f"timings = kit.compare_timing({stage.number})"))
    cells = story[:1] + [setup] + story[1:] + checks + timing
    return _finish(cells, f"Stage {stage.number}: {stage.title}")


# ---------------------------------------------------------------- the stage file as cells

def _segments(source):
    """The solution file cut into top-level pieces: [(kind, text, name)].

    kind is "header" (docstring and imports), "solution" (a definition with a
    solution region) or "given" (other module-level code learners receive).
    A comment just above a statement belongs to that statement's piece.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    starts = [_leading_comment_start(lines, node) for node in tree.body] + [len(lines) + 1]
    pieces = []
    for index, node in enumerate(tree.body):
        text = "\n".join(lines[starts[index] - 1:starts[index + 1] - 1])
        is_definition = isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        if is_definition and BEGIN in text:
            kind, name = "solution", node.name
        elif isinstance(node, (ast.Import, ast.ImportFrom)) or (index == 0 and _is_docstring(node)):
            kind, name = "header", "header"
        else:
            kind, name = "given", _defined_name(node)
        if pieces and kind != "solution" and pieces[-1][0] == kind:
            pieces[-1] = (kind, pieces[-1][1] + "\n" + text, pieces[-1][2])
        else:
            pieces.append((kind, text, name))
    return [(kind, text.strip("\n"), name) for kind, text, name in pieces]


def _defined_name(node):
    """What a module-level statement defines, for the cell's grade id."""
    targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
    return getattr(node, "name", None) or getattr(targets[0], "id", None) or "given"


def _leading_comment_start(lines, node):
    """The first line of `node`, its decorators and the column-0 comments right above it."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    while start > 1 and lines[start - 2].startswith("#") and not lines[start - 2].startswith("###"):
        start -= 1
    return start


def _is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant) \
        and isinstance(node.value.value, str)


def todo_above_region(text):
    """Move the region's leading `# TODO:` lines above `### BEGIN SOLUTION`, so they survive release."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            todos, j = [], i + 1
            while j < len(lines) and lines[j].strip().startswith("# TODO:" if not todos else "#"):
                todos.append(lines[j])  # the TODO line and its comment continuation
                j += 1
            out += todos + [line]
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _stage_file_cells(stage):
    source = (SOLUTIONS / stage.file).read_text()
    cells = []
    for number, (kind, text, name) in enumerate(_segments(source), start=1):
        body = part_header(number, stage.file) + "\n" + text
        grade_id = f"part{number:02d}_{name}"
        if kind == "solution":
            cells.append(_code(todo_above_region(body), **_nbgrader(grade_id, solution=True)))
        else:
            cells.append(_code(body, **_nbgrader(grade_id, locked=True)))
    return cells


# ---------------------------------------------------------------- nbgrader source notebooks

def _intro(stage):
    """The story cells tagged `intro` (or the first one), shared with the learner notebook."""
    story = [c for c in _story_cells(stage) if c.cell_type == "markdown"]
    tagged = [c for c in story if "intro" in _tags(c)]
    return tagged or story[:1]


def _how_graded(stage):
    hidden = hidden_checks(stage)
    rows = "\n".join(f"| {c.title} | {c.points} |" for c in visible_checks(stage))
    hidden_rows = "\n".join(f"| {c.title} (hidden) | {c.points} |" for c in hidden)
    return (
        "## How this assignment works\n\n"
        f"Run the first cell, then fill in every cell that says `YOUR CODE HERE`: together the "
        f"cells form `{stage.file}`. Keep the first line of each such cell (`# Part N of ...`): "
        "it tells the grader where the cell belongs. A cell counts once it has run without "
        "error; add helper functions inside these cells if you like.\n\n"
        "The test cells at the end grade your code with the same checks as "
        f"`make check STAGE={stage.number}`; each is worth the points below ({stage.max_points} "
        "in all). Hidden checks run only when your instructor grades the notebook.\n\n"
        "| check | points |\n| --- | --- |\n" + rows + ("\n" + hidden_rows if hidden_rows else "")
    )


def assignment_notebook(stage):
    """course/source/stageN_slug/stageN_slug.ipynb: solution cells plus one test cell per check."""
    # Two lines: the kernel starts in the notebook's folder, where `make release` puts the
    # kit (autograder/ beside the notebook); in the course's source, .venv has the kit.
    setup = _code("from autograder.learner import course_notebook as kit\n"
                  f"kit.start({stage.number})", **_nbgrader("setup", locked=True))
    cells = _intro(stage) + [_markdown(_how_graded(stage)), setup]
    cells += [_markdown(f"## Your stage file: `{stage.file}`")] + _stage_file_cells(stage)
    cells.append(_markdown("## Checks\n\nEach cell below is one check of `make check`, "
                           "with the same points. The first one grades your whole file "
                           "(about a minute at most); the others look the result up."))
    for check in visible_checks(stage) + hidden_checks(stage):
        cells.append(_code(test_cell_source(stage, check),
                           **_nbgrader(f"check_{check.id}", grade=True, locked=True,
                                       points=check.points)))
    cells.append(_markdown("## Where you stand"))
    cells.append(_code(f"kit.summary({stage.number})", **_nbgrader("summary", locked=True)))
    return _finish(cells, f"Stage {stage.number}: {stage.title}")


# ---------------------------------------------------------------- writing

def _text(nb):
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files():
    """{path: text} of every generated notebook."""
    files = {}
    for stage in buildable_stages():
        files[EXERCISES / f"{stage.slug}.ipynb"] = _text(learner_notebook(stage))
        files[COURSE_SOURCE / stage.slug / f"{stage.slug}.ipynb"] = _text(assignment_notebook(stage))
    return files


def stale_files():
    return [path for path, text in expected_files().items()
            if not path.exists() or path.read_text() != text]


def _was_run(path):
    """True when a learner ran and saved this notebook (generated ones hold no outputs)."""
    try:
        cells = json.loads(path.read_text())["cells"]
    except (ValueError, KeyError):
        return True
    return any(c.get("outputs") or c.get("execution_count") for c in cells)


def write_all(log=print):
    """Write every generated notebook that changed, backing up a learner's own copy first."""
    for path, text in expected_files().items():
        if path.exists() and path.read_text() == text:
            continue
        if path.exists() and path.parent == EXERCISES and _was_run(path):
            BACKUPS.mkdir(parents=True, exist_ok=True)
            backup = BACKUPS / f"{path.stem}.{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
            shutil.copy2(path, backup)
            log(f"backed up {path.relative_to(REPO_ROOT)} to {backup.relative_to(REPO_ROOT)}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        log(f"wrote {path.relative_to(REPO_ROOT)}")
