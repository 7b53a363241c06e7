"""Grade a submitted notebook without running it.

The stage file is made of the notebook's code cells that open with a line
such as `# Part 3 of stage1_numpy.py`. The grader reads those cells from the
.ipynb, writes them as one stage file and grades it with the same sandboxed
engine as `make check`. Nothing else in the notebook runs, so no cell can
change how it is graded: an `os._exit(0)` at the end, a patched helper or a
query on the gradebook is simply never executed.

A kernel skips a cell that fails or hits its time limit and runs the next.
When the assembled file does not import, `runnable_parts` does the same, one
cell at a time in a sandboxed worker, and the file is graded again without
the cells that failed: a stuck loop costs the checks of what it holds, not
the whole notebook.
"""
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading import engine
from autograder.grading.isolation import sandbox_decision
from autograder.grading.submission import CALL_TIMEOUT_S
from autograder.grading.worker_handle import Worker, WorkerGone
from autograder.metadata import load_stages

PART_LINE = re.compile(r"#\s*Part (\d+) of (\w+\.py)")
PART_TIMEOUT_S = 60.0  # top-level code of one cell, and importing the assembled file


def cell_source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_parts(nb, file_name):
    """{part number: source} of the notebook's cells for `file_name`; the last copy of a part wins."""
    parts = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        match = PART_LINE.match(source.lstrip())
        if match and match.group(2) == file_name:
            parts[int(match.group(1))] = source
    return parts


def assemble(parts):
    """The stage file made of `parts`, in part order; IPython magics and shell lines commented out."""
    lines = []
    for number in sorted(parts):
        for line in parts[number].splitlines():
            lines.append(f"# {line}" if line.lstrip().startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines) + "\n"


@dataclass
class NotebookGrade:
    report: object                               # feedback.report.Report of the graded parts
    dropped: dict = field(default_factory=dict)  # part number -> why it is not in the file
    timed_out: bool = False                      # some of its code hit a time limit

    def note(self):
        """One line for the feedback: the cells that were left out, and why."""
        return left_out_note(self.dropped, "they did not run to the end on their own")


def left_out_note(dropped, because):
    """'Not in your graded file, because ...: part 2 (NameError), ...'; '' if none was dropped."""
    if not dropped:
        return ""
    parts = ", ".join(f"part {n} ({why})" for n, why in sorted(dropped.items()))
    return f"Not in your graded file, because {because}: {parts}."


def grade_notebook(stage_number, nb, sandbox_mode="require", part_timeout=PART_TIMEOUT_S,
                   call_timeout=CALL_TIMEOUT_S, reference=None, compile_cache=None,
                   run_ahead=True):
    """Grade the Part cells of notebook `nb` (a dict, as read from the .ipynb).

    `reference`, `compile_cache` and `run_ahead` are passed on to engine.grade.
    """
    stage = load_stages()[stage_number]
    parts = notebook_parts(nb, stage.file)
    options = dict(sandbox_mode=sandbox_mode, import_timeout=part_timeout,
                   call_timeout=call_timeout, reference=reference, compile_cache=compile_cache,
                   run_ahead=run_ahead)
    report = _grade_source(stage, assemble(parts), options)
    result = NotebookGrade(report, timed_out=timed_out(report))
    if report.import_error and parts:
        kept, result.dropped = runnable_parts(stage, parts, sandbox_mode, part_timeout)
        if result.dropped:
            result.report = _grade_source(stage, assemble(kept), options)
            result.timed_out = timed_out(result.report) or any(
                "did not finish" in why for why in result.dropped.values())
    return result


def timed_out(report):
    """True if some of the submission's code hit a time limit while it was graded."""
    texts = [report.import_error] + [o.reason for o in report.outcomes]
    return any("did not finish within" in text for text in texts)


def _grade_source(stage, source, options):
    with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
        (Path(folder) / stage.file).write_text(source)
        return engine.grade(stage.number, folder, **options)


def runnable_parts(stage, parts, sandbox_mode, part_timeout=PART_TIMEOUT_S):
    """(kept, dropped): the parts that run in order as a kernel would run them, and why not the others.

    Each part runs at the top level of one module in a sandboxed worker; a part
    that raises, exits or hangs is dropped and the worker restarted with the
    parts kept so far.
    """
    sandboxed, _note = sandbox_decision(sandbox_mode)
    kept, dropped = {}, {}
    with tempfile.TemporaryDirectory(prefix="notebook-parts-") as folder:
        empty = Path(folder) / stage.file
        empty.write_text("")
        worker = None
        try:
            for number in sorted(parts):
                if worker is None:
                    worker = _fresh_worker(empty, stage, sandboxed, part_timeout, kept)
                why, alive = _run_part(worker, number, parts[number], part_timeout)
                if why is None:
                    kept[number] = parts[number]
                else:
                    dropped[number] = why
                if not alive:
                    worker.close()
                    worker = None
        finally:
            if worker is not None:
                worker.close()
    return kept, dropped


def _fresh_worker(empty_file, stage, sandboxed, timeout, kept):
    worker = Worker(empty_file, stage.slug, stage.number, stage.framework, sandboxed=sandboxed,
                    compile_cache=None)
    worker.spawn()
    worker.wait_for_import(timeout)
    for number in sorted(kept):  # they ran before: rebuild the namespace the next part sees
        _run_part(worker, number, kept[number], timeout)
    return worker


def _run_part(worker, number, source, timeout):
    """(why, alive): why part `number` did not run to the end (None if it did), and
    whether the worker survived it."""
    try:
        reply = worker.ask({"probe": "run_part", "kwargs": {"source": source,
                                                             "filename": f"<part {number}>"}},
                           timeout, f"running part {number}")
    except WorkerGone as exc:
        if "did not finish" in str(exc):
            return f"did not finish within {timeout:g} s", False
        return "ended the process", False
    if reply["status"] == "ok":
        return None, True
    return f"raised {reply['error']['type']}", True


def part_header(number, file_name):
    """The first line of each cell that belongs to the stage file."""
    return f"# Part {number} of {file_name} (keep this line: it places the cell in your file)"
