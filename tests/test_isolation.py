"""The kit where instructors grade: bubblewrap, a default Docker container, a JupyterHub pod.

Each mode grades one small stage-1 class with `make grade` (python -m
autograder grade) and `make autograde` (course autograde), in a copy of the
kit, as a new instructor would:

- bubblewrap: as the kit's tests run (root in CI);
- docker: under tests/support/container.py as root with Docker's default
  capabilities and seccomp rules, where bubblewrap cannot start: the worker
  runs as a uid of its own under Landlock and seccomp;
- pod: under it as uid 1000 with no_new_privs (allowPrivilegeEscalation:
  false), the kit owned by that uid: Landlock and seccomp alone.

The class: honest files and notebooks (full marks), hostile ones (they try to
read the answers, write into the kit, the course and the grades, reach a
listener on the host, kill the grader and leave a process behind; they must
score what their honest content earns and change nothing), and one that
checks from inside that the shipped limits hold (4 GiB, 64 MiB a file,
1,024 processes and threads); one whose function loops forever loses that
check after the call limit and keeps the others. `make grade` runs with
`--timeout 20` (the shipped limit is 60 s): the endless loop is met once by
its own check and once by each check that goes through it, and a class of
honest stage-1 files needs no call anywhere near 20 s.
"""
import csv
import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from autograder.grading import sandbox
from autograder.metadata import REPO_ROOT, load_stages

from support import container

STAGE1 = load_stages()[1]
NOTEBOOK = REPO_ROOT / "course" / "source" / STAGE1.slug / f"{STAGE1.slug}.ipynb"
HONEST_RELU = "def relu(Z):\n    return Z * (Z > 0)\n"
KIT_PARTS = ("autograder", "solutions", "stages.toml", "data/mnist_5k.npz", "requirements.lock",
             "course/nbgrader_config.py", "notebooks", "pyproject.toml")
BWRAP_OK = sandbox.unavailable_reason() is None
ROOT = os.geteuid() == 0
MODES = [pytest.param("bubblewrap", marks=[pytest.mark.xdist_group("isolation-bubblewrap"),
                                           pytest.mark.skipif(not BWRAP_OK, reason="no bwrap")]),
         pytest.param("docker", marks=[pytest.mark.xdist_group("isolation-docker"),
                                       pytest.mark.skipif(not ROOT, reason="needs root")]),
         pytest.param("pod", marks=[pytest.mark.xdist_group("isolation-pod"),
                                    pytest.mark.skipif(not ROOT, reason="needs root")])]

# What a hostile submission tries at import. It earns points only if a wall fails:
# it takes the reference's functions when it can read them.
SNOOP = textwrap.dedent("""
    import ctypes, os, signal, socket, time
    _stolen = None
    for _root in ({repo!r}, "/proc/%d/cwd" % os.getppid()):
        try:
            _stolen = open(os.path.join(_root, "solutions", "stage1_numpy.py")).read()
            break
        except OSError:
            pass
    if _stolen:
        exec(_stolen)
    for _target in ({repo!r} + "/solutions/pwned.py", {repo!r} + "/autograder/checks/pwned.py",
                    {repo!r} + "/stages.toml", {course!r} + "/pwned", {out!r} + "/pwned",
                    "/tmp/pwned-{tag}"):
        try:
            open(_target, "a").write("pwned")
        except OSError:
            pass
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"pwned")
    except OSError:
        pass
    try:
        os.kill(os.getppid(), signal.SIGKILL)
    except OSError:
        pass
    if os.fork() == 0:  # a child left behind, trying to leave the process group
        try:
            os.setsid()
        except OSError:
            pass
        ctypes.CDLL(None).prctl(15, b"snoop-{tag}", 0, 0, 0)
        time.sleep(600)
        os._exit(0)
""")

# The shipped limits, checked from inside: relu is right only where all of them hold.
LIMITS = textwrap.dedent("""
    _LIMITS_HOLD = None

    def _limits_hold():
        import threading
        import numpy as np
        hold = True
        try:
            np.empty(3 * 2**30, np.uint8)           # under 4 GiB of address space: allowed
        except MemoryError:
            hold = False
        try:
            np.empty(int(4.5 * 2**30), np.uint8)    # over it: refused
            hold = False
        except MemoryError:
            pass
        with open("big", "wb") as handle:
            handle.write(b"0" * (63 * 2**20))         # under 64 MiB a file: allowed
            try:
                handle.write(b"0" * (2 * 2**20))
                handle.flush()
                hold = False
            except OSError:
                pass
        threading.stack_size(64 * 1024)
        stop, started = threading.Event(), []
        try:
            for _ in range(3000):
                thread = threading.Thread(target=stop.wait)
                thread.start()
                started.append(thread)
        except RuntimeError:
            pass
        stop.set()
        for thread in started:
            thread.join()
        return hold and 100 < len(started) <= 1024 + 64

    def relu(Z):
        global _LIMITS_HOLD
        if _LIMITS_HOLD is None:
            _LIMITS_HOLD = _limits_hold()
        return Z * (Z > 0) if _LIMITS_HOLD else Z
""")

# An endless loop that sleeps: the limit is wall-clock time, so it is stopped as a busy one
# is, without taking a core from the rest of the suite for each check that meets it.
LOOPS = "\n\nimport time\n\ndef relu(Z):\n    while True:\n        time.sleep(1)\n"
CALL_LIMIT_S = 20  # make grade --timeout: each check that meets LOOPS waits this long


def kit_copy(folder, owner):
    """The kit's grading files in `folder`, owned by `owner` (uid) and readable by all."""
    for part in KIT_PARTS:
        source, target = REPO_ROOT / part, folder / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    shutil.copytree(REPO_ROOT / "course" / "source" / STAGE1.slug,
                    folder / "course" / "source" / STAGE1.slug)
    _break_guard(folder / "autograder" / "worker" / "confine.py",
                 os.environ.get("KIT_BREAK_GUARD"))
    _own(folder, owner)
    return folder


def _break_guard(confine_py, layer):
    """KIT_BREAK_GUARD=landlock|seccomp|rlimits: the copy's worker claims that layer, applies
    nothing, so that a maintainer can see these tests fail without it."""
    if layer:
        text = confine_py.read_text()
        header = f"def _{layer}(plan):\n"
        assert header in text, layer
        confine_py.write_text(text.replace(header, header + "    return 7\n"))


def _own(folder, uid):
    for path in [folder, *folder.rglob("*")]:
        os.lchown(path, uid, uid)
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))


def notebook_with(extra):
    nb = json.loads(NOTEBOOK.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                        "outputs": [], "source": f"# Part 99 of {STAGE1.file}\n{extra}"})
    return json.dumps(nb)


def make_class(kit, folder, course, out, port, tag):
    solution = (kit / "solutions" / STAGE1.file).read_text()
    snoop = SNOOP.format(repo=str(kit), course=str(course), out=str(out), port=port, tag=tag)
    files = {"ann": (STAGE1.file, solution), "hon": (STAGE1.file, HONEST_RELU),
             "mal": (STAGE1.file, snoop + "\n" + HONEST_RELU),
             "lim": (STAGE1.file, solution + "\n" + LIMITS),
             "slo": (STAGE1.file, solution + LOOPS),
             "dan": (f"{STAGE1.slug}.ipynb", NOTEBOOK.read_text()),
             "vic": (f"{STAGE1.slug}.ipynb", notebook_with(snoop))}
    for student, (name, text) in files.items():
        (folder / student).mkdir(parents=True)
        (folder / student / name).write_text(text)
        if name.endswith(".ipynb") or student in ("ann", "hon", "mal"):  # the course's too
            target = course / "submitted" / student / STAGE1.slug / f"{STAGE1.slug}.ipynb"
            target.parent.mkdir(parents=True)
            target.write_text(text if name.endswith(".ipynb") else _as_notebook(text))


def _as_notebook(source):
    """The course notebook with `source` as its last solution cell and the others emptied."""
    nb = json.loads(NOTEBOOK.read_text())
    answers = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    header = "".join(answers[-1]["source"]).splitlines()[0]
    for cell in answers:
        cell["source"] = ""
    answers[-1]["source"] = f"{header}\n{source}"
    return json.dumps(nb)


def launched(mode, argv, python, kit, home):
    if mode == "bubblewrap":
        return [python, *argv]
    return container.command(mode, [python, *argv], python=python)


def run_in(mode, argv, python, kit, home, timeout=900, cwd=None):
    env = {"PATH": f"{Path(python).parent}:{os.environ['PATH']}", "HOME": str(home),
           "PYTHONPATH": str(kit),
           "AUTOGRADER_NO_PROGRESS": "1", "LANG": "C.UTF-8", "JAX_PLATFORMS": "cpu"}
    return subprocess.run(launched(mode, argv, python, kit, home), cwd=cwd or kit, env=env,
                          capture_output=True, text=True, timeout=timeout)


def open_folder():
    """A new folder every user can enter (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="kit-isolation-"))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def python():
    folder = open_folder()
    found = container.shared_python(folder / "venv")
    if found is None:
        pytest.skip("no Python 3.11 with the kit's packages that every user can run "
                    "(is the kit in a folder only its owner can enter?)")
    yield found
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def open_tmp():
    folder = open_folder()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=MODES)
def graded(request, python):
    """One mode's class graded by `make grade` and `make autograde`, and what it left behind."""
    mode = request.param
    owner = container.POD_UID if mode == "pod" else 0
    base = open_folder()
    kit = kit_copy(base / "kit", owner)
    home, out = base / "home", base / "grades"
    course = kit / "course"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    tag = mode[:3]
    make_class(kit, base / "class", course, out, listener.getsockname()[1], tag)
    for folder in (home, out, base / "class"):
        folder.mkdir(exist_ok=True)
    _own(base / "class", owner)
    _own(course, owner)
    for folder in (home, out):
        os.chown(folder, owner, owner)
    before = {p: p.read_bytes() for p in kit.rglob("*") if p.is_file()}
    grade = run_in(mode, ["-m", "autograder", "grade", str(base / "class"), "--out", str(out),
                          "--jobs", "2", "--timeout", str(CALL_LIMIT_S)], python, kit, home)
    steps = [run_in(mode, ["-m", "nbgrader", "generate_assignment", STAGE1.slug, "--force"],
                    python, kit, home, cwd=course),
             run_in(mode, ["-m", "autograder", "course", "autograde", "--course", str(course),
                           "--jobs", "2"], python, kit, home),
             run_in(mode, ["-m", "autograder", "course", "grades", "--course", str(course)],
                    python, kit, home)]
    try:
        reached = listener.accept()[0].recv(16)
    except BlockingIOError:
        reached = b""
    listener.close()
    after = {p: p.read_bytes() for p in kit.rglob("*") if p.is_file()}
    changed = sorted(str(p.relative_to(kit)) for p in set(before) | set(after)
                     if before.get(p) != after.get(p) and p.suffix in (".py", ".toml")
                     and "pwned" not in p.name)
    planted = sorted(str(p) for p in [*kit.rglob("pwned*"), *course.rglob("pwned"),
                                      *out.rglob("pwned"), Path(f"/tmp/pwned-{tag}")]
                     if p.exists())
    left = [p for p in Path("/proc").glob("[0-9]*") if _comm(p) == f"snoop-{tag}"]
    kept_tables = REPO_ROOT / ".cache" / "isolation-tables"  # for the maintainer to read
    kept_tables.mkdir(parents=True, exist_ok=True)
    for name, table in (("make grade", out / "grades.csv"), ("make autograde", course /
                                                                "grades.csv")):
        text = table.read_text() if table.is_file() else "(none)\n"
        print(f"\n{mode}: {name}\n" + text)
        (kept_tables / f"{mode}-{name.split()[1]}.csv").write_text(text)
    yield {"mode": mode, "grade": grade, "steps": steps, "out": out, "course": course,
           "rows": _rows(out / "grades.csv"), "course_rows": _rows(course / "grades.csv"),
           "reached": reached, "changed": changed, "planted": planted, "left": left}
    Path(f"/tmp/pwned-{tag}").unlink(missing_ok=True)
    shutil.rmtree(base, ignore_errors=True)


def _comm(proc):
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def _rows(path):
    if not path.is_file():
        return {}
    return {r["student"]: r for r in csv.DictReader(path.open())}


EXPECTED_ISOLATION = {"bubblewrap": "bubblewrap", "docker": "uid+landlock+seccomp+rlimits",
                      "pod": "landlock+seccomp+rlimits"}


def _report(graded, student):
    return json.loads((graded["out"] / student / f"{STAGE1.slug}.json").read_text())


def test_make_grade_gives_each_student_what_they_deserve(graded):
    assert graded["grade"].returncode == 0, graded["grade"].stderr[-3000:]
    rows = graded["rows"]
    full = str(STAGE1.max_points)
    assert {s: rows[s]["score"] for s in ("ann", "dan", "lim", "vic")} == dict.fromkeys(
        ("ann", "dan", "lim", "vic"), full), rows
    assert rows["mal"]["score"] == rows["hon"]["score"] and int(rows["hon"]["score"]) < int(full)
    statuses = {s: r["status"] for s, r in rows.items()}
    assert statuses.pop("slo") == "timeout" and set(statuses.values()) == {"graded"}, rows
    isolation = EXPECTED_ISOLATION[graded["mode"]]
    assert {r["isolation"] for r in rows.values()} == {isolation}
    assert f"Isolation of the students' code: {isolation}" in graded["grade"].stdout


def test_a_function_that_loops_forever_loses_its_check_after_the_call_limit(graded):
    checks = {c["id"]: c for c in _report(graded, "slo")["checks"]}
    assert checks["relu"]["status"] == "fail"
    assert f"did not finish within {CALL_LIMIT_S} s" in checks["relu"]["message"]
    assert checks["softmax_reference"]["status"] == "pass"


def test_hostile_code_changes_nothing_reaches_nothing_and_leaves_nothing(graded):
    assert graded["changed"] == [] and graded["planted"] == []
    assert graded["reached"] == b"", "the worker reached a listener on the host"
    assert graded["left"] == [], "a process of the submission outlived its worker"


def test_make_autograde_gives_each_notebook_what_it_deserves(graded):
    for step in graded["steps"]:
        assert step.returncode == 0, step.stdout[-2000:] + step.stderr[-3000:]
    rows = graded["course_rows"]
    full = f"{STAGE1.max_points:g}"
    assert {s: rows[s]["score"] for s in ("ann", "dan", "vic")} == dict.fromkeys(
        ("ann", "dan", "vic"), full), rows
    assert float(rows["mal"]["score"]) == float(rows["hon"]["score"]) < STAGE1.max_points
    assert {r["status"] for r in rows.values()} == {"graded"}
    assert {r["isolation"] for r in rows.values()} == {EXPECTED_ISOLATION[graded["mode"]]}


@pytest.mark.skipif(not ROOT, reason="needs root")
@pytest.mark.parametrize("kind", ["docker", "pod"])
def test_bubblewrap_cannot_start_under_the_launcher(kind, python):
    done = subprocess.run(container.command(kind, [shutil.which("bwrap") or "bwrap", "--ro-bind",
                                                   "/", "/", "--unshare-all", "true"],
                                            python=python), capture_output=True, text=True)
    assert done.returncode != 0 and "namespace" in done.stderr


@pytest.mark.skipif(not ROOT, reason="needs root")
@pytest.mark.parametrize("kind", ["docker", "pod"])
def test_without_landlock_instructor_grading_refuses_and_says_what_would_do(kind, python,
                                                                          open_tmp):
    """As a kernel before 5.13: the pod has nothing left; as root the kit is readable by all."""
    tmp_path = open_tmp
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / STAGE1.file).write_text(HONEST_RELU)
    _own(tmp_path, container.POD_UID if kind == "pod" else 0)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AUTOGRADER_NO_PROGRESS": "1"}
    done = subprocess.run(container.command(kind, [python, "-m", "autograder", "grade",
                                                   str(tmp_path / "class"), "--out",
                                                   str(tmp_path / "out")],
                                            no_landlock=True, python=python),
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stdout + done.stderr
    message = done.stderr
    assert "STOPPED: instructor grading needs" in message and "--no-sandbox" in message
    assert "Install bubblewrap" not in message and "the kernel offers no Landlock" in message
    if kind == "pod":
        assert "running the grader as root" in message
    else:
        assert "uid 65534 can read" in message and "chmod -R o=" in message
    assert not (tmp_path / "out" / "grades.csv").exists()


@pytest.mark.skipif(not ROOT, reason="needs root")
@pytest.mark.xdist_group("isolation-docker")
def test_a_gradescope_run_in_a_default_docker_container(python, open_tmp):
    """The zip laid out as Gradescope does, harden.sh applied, run_autograder as root in Docker."""
    from autograder.instructor import gradescope

    root = open_tmp / "autograder"
    (archive,) = gradescope.build([1], open_tmp / "zips")
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    env = {"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root), "KIT_PYTHON": python,
           "KIT_WORKER_USER": "nobody", "HOME": str(open_tmp)}
    subprocess.run(["bash", str(root / "source" / "harden.sh")], env=env, check=True)
    assert not os.stat(root / "source" / "solutions").st_mode & 0o007

    def run(source):
        shutil.rmtree(root / "submission", ignore_errors=True)
        (root / "submission").mkdir()
        (root / "submission" / STAGE1.file).write_text(source)
        done = subprocess.run(container.command("docker", ["bash", str(root / "source" /
                                                                   "run_autograder")],
                                                python=python),
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads((root / "results" / "results.json").read_text())

    forged = f"open({str(root / 'results' / 'results.json')!r}, 'w').write('{{\"score\": 99}}')\n"
    snoop = SNOOP.format(repo=str(root / "source"), course=str(root), out=str(root / "results"),
                         port=1, tag="gsc")
    honest, hostile = run(HONEST_RELU), run(snoop + "\ntry:\n    " + forged.strip() +
                                             "\nexcept OSError:\n    pass\n" + HONEST_RELU)
    assert hostile["score"] == honest["score"] < STAGE1.max_points
    assert hostile["extra_data"] == {"isolation": "uid+landlock+seccomp+rlimits"}
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]
    assert not list((root / "source").rglob("pwned*")) and not Path("/tmp/pwned-gsc").exists()


# Keeps a worker busy while the test changes the kit: the change lands within a second of
# the worker's start (the test polls every 0.2 s), and grading ends only after the sleep.
SLOW_IMPORT = "import time\ntime.sleep(10)\n" + HONEST_RELU


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for listing in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in listing.read_text().split()]
            except (OSError, ValueError):
                continue
    return found


def _worker_started(pid):
    """True once a worker runs below `pid` (the trial worker, `autograder.worker.confine`,
    runs before the kit is snapshotted: not that one)."""
    for child in _descendants(pid):
        try:
            if b"\x00autograder.worker\x00" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _tamper_while_grading(argv, mode, python, kit, home, cwd):
    """Start `argv`, change stages.toml once a worker runs, and return the finished run."""
    env = {"PATH": f"{Path(python).parent}:{os.environ['PATH']}", "HOME": str(home),
           "PYTHONPATH": str(kit), "AUTOGRADER_NO_PROGRESS": "1", "LANG": "C.UTF-8"}
    run = subprocess.Popen(launched(mode, argv, python, kit, home), cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not _worker_started(run.pid) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    with open(kit / "stages.toml", "a") as handle:
        handle.write("# changed while grading\n")
    out, err = run.communicate(timeout=600)
    return run.returncode, out, err


@pytest.mark.parametrize("mode", MODES)
def test_a_kit_changed_while_grading_stops_both_commands_as_tampered(mode, python, open_tmp):
    """Exit status 3 and the status `tampered`, from make grade and from make autograde."""
    owner = container.POD_UID if mode == "pod" else 0
    kit = kit_copy(open_tmp / "kit", owner)
    home, out, course = open_tmp / "home", open_tmp / "grades", kit / "course"
    (open_tmp / "class" / "tam").mkdir(parents=True)
    (open_tmp / "class" / "tam" / STAGE1.file).write_text(SLOW_IMPORT)
    notebook = course / "submitted" / "tam" / STAGE1.slug / f"{STAGE1.slug}.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text(_as_notebook(SLOW_IMPORT))
    for folder in (home, out):
        folder.mkdir()
    _own(open_tmp, owner)
    code, _, err = _tamper_while_grading(
        ["-m", "autograder", "grade", str(open_tmp / "class"), "--out", str(out)],
        mode, python, kit, home, kit)
    assert code == 3 and "STOPPED" in err and "stages.toml" in err, err[-2000:]
    assert _rows(out / "grades.csv")["tam"]["status"] == "tampered"
    shutil.copy2(REPO_ROOT / "stages.toml", kit / "stages.toml")
    assert run_in(mode, ["-m", "nbgrader", "generate_assignment", STAGE1.slug, "--force"],
                  python, kit, home, cwd=course).returncode == 0
    code, _, err = _tamper_while_grading(
        ["-m", "autograder", "course", "autograde", "--course", str(course)],
        mode, python, kit, home, kit)
    assert code == 3 and "STOPPED" in err and "stages.toml" in err, err[-2000:]
    status = json.loads((course / "grading" / "tam" / f"{STAGE1.slug}.json").read_text())
    assert status["status"] == "tampered"
