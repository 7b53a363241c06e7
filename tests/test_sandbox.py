"""Learner code runs in a bubblewrap sandbox: it cannot see the answers or write outside.

Every test here grades or runs a hostile submission and checks what it could
see, what it could change and what it scored, against a submission holding
only its honest content.
"""
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.grading import integrity, sandbox
from autograder.grading.submission import Submission
from autograder.metadata import REPO_ROOT, load_stages

from conftest import grade_source

pytestmark = pytest.mark.skipif(sandbox.unavailable_reason() is not None,
                                reason=f"no sandbox here: {sandbox.unavailable_reason()}")

STAGE1 = load_stages()[1]
HONEST_RELU = "def relu(Z):\n    return Z * (Z > 0)\n"

PEEK = textwrap.dedent("""
    import os, socket, sys
    from pathlib import Path

    def peek(repo_root, port):
        root = Path(repo_root)
        facts = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
                 "kit_modules": sorted(os.listdir(Path(sys.modules["autograder"].__file__).parent))}
        for name in ("solutions", "stages.toml", "course", "autograder/checks", "tests", "exercises"):
            facts["sees " + name] = (root / name).exists()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).sendall(b"peek")
            facts["network"] = "connected"
        except OSError as exc:
            facts["network"] = type(exc).__name__
        facts["cache"] = os.environ.get("JAX_COMPILATION_CACHE_DIR")
        for target in (root / "solutions" / "x.py", root / ".cache" / "jax-worker" / "x",
                       Path(facts["cache"], "x"), Path("/root/x"), Path("/usr/x")):
            try:
                target.write_text("x")
                facts["wrote " + str(target)] = True
            except OSError:
                facts["wrote " + str(target)] = False
        Path("scratch.txt").write_text("private")
        facts["scratch"] = Path("scratch.txt").read_text()
        return facts
""")


def peek_inside(tmp_path):
    """What the worker sees and can do, with a listener open on the host the whole time."""
    (tmp_path / STAGE1.file).write_text(PEEK)
    submission = Submission(tmp_path / STAGE1.file, STAGE1)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    try:
        submission.start()
        assert submission.import_error is None, submission.import_error
        cgroup = submission.worker.sandbox.cgroup
        if cgroup:  # grading as root: the worker and all it starts are in a capped pids cgroup
            assert int((cgroup / "pids.max").read_text()) == sandbox.PIDS_MAX
            assert int((cgroup / "pids.current").read_text()) >= 1
        facts = submission.call("peek", str(REPO_ROOT), listener.getsockname()[1])
        try:
            facts["listener reached"] = listener.accept()[0].recv(4) == b"peek"
        except BlockingIOError:
            facts["listener reached"] = False
        return facts
    finally:
        listener.close()
        submission.close()
        assert not (cgroup and cgroup.exists()), "the pids cgroup outlived its worker"


def test_worker_sees_no_answers_no_checks_no_network(tmp_path):
    facts = peek_inside(tmp_path)
    hidden = ("solutions", "stages.toml", "course", "autograder/checks", "tests", "exercises")
    assert not any(facts["sees " + name] for name in hidden), facts
    assert facts["kit_modules"] == ["__init__.py", "worker"], facts["kit_modules"]
    assert facts["uid"] == sandbox.NOBODY
    assert facts["pid"] < 10, "the worker has its own process namespace"
    assert facts["network"] != "connected" and not facts["listener reached"]
    assert facts["scratch"] == "private" and facts["cwd"] == sandbox.SANDBOX_WORK


def test_worker_writes_nowhere_but_its_own_folder(tmp_path):
    facts = peek_inside(tmp_path)
    assert facts["wrote " + str(REPO_ROOT / "solutions" / "x.py")] is False
    assert facts["wrote /usr/x"] is False
    # Inside, / is a private tmpfs: what lands there (/root/x) vanishes with the sandbox.
    assert not Path("/root/x").exists() and not (REPO_ROOT / "solutions" / "x.py").exists()
    # The shared JAX compile cache is the one kit folder it may write in self-study mode,
    # seen inside at the same path in every kit (JAX's cache keys include it).
    assert facts["cache"] == sandbox.SANDBOX_CACHE
    assert facts["wrote " + str(REPO_ROOT / ".cache" / "jax-worker" / "x")] is False
    assert facts["wrote " + sandbox.SANDBOX_CACHE + "/x"] is True
    cache_file = REPO_ROOT / ".cache" / "jax-worker" / "x"
    assert cache_file.read_text() == "x"
    cache_file.unlink()


HOSTILE_STAGE1 = textwrap.dedent("""
    import os, sys
    from pathlib import Path

    kit = Path(sys.modules["autograder"].__file__).resolve().parents[1]
    for root in {kit, Path(os.environ.get("AUTOGRADER_REPO_ROOT", "/")).parent, Path(REPO)}:
        answers = root / "solutions" / "stage1_numpy.py"
        if answers.is_file():
            exec(answers.read_text())            # take every reference function
    for target in (Path(REPO) / "solutions" / "pwned.py", Path(REPO) / "course" / "pwned",
                   Path(os.path.expanduser("~")) / "pwned", Path("/tmp/pwned-by-submission")):
        try:
            target.write_text("pwned")
        except OSError:
            pass
""")


def test_exec_of_the_solutions_earns_nothing_and_writes_nothing(tmp_path):
    hostile = f"REPO = {str(REPO_ROOT)!r}\n" + HOSTILE_STAGE1 + "\n" + HONEST_RELU
    honest = grade_source(1, HONEST_RELU, tmp_path)
    cheat = grade_source(1, hostile, tmp_path)
    assert cheat.earned == honest.earned < cheat.possible
    outside = [REPO_ROOT / "solutions" / "pwned.py", REPO_ROOT / "course" / "pwned",
               Path(os.path.expanduser("~")) / "pwned", Path("/tmp/pwned-by-submission")]
    assert not [p for p in outside if p.exists()]


def test_fork_bomb_costs_only_its_own_check(tmp_path, solution_source):
    bomb = textwrap.dedent("""
        def relu(Z):
            import os
            while True:
                os.fork()
    """)
    result = grade_source(1, solution_source(1) + bomb, tmp_path, call_timeout=20)
    failed = {o.check.id for o in result.outcomes if o.status != "pass"}
    assert "relu" in failed
    assert "softmax_reference" not in failed and "one_hot" not in failed, failed


def test_without_bubblewrap_self_study_says_which_walls_graded_it(tmp_path, monkeypatch):
    """The fallback layers themselves are tested in every mode in test_isolation.py."""
    monkeypatch.setenv("AUTOGRADER_BWRAP", str(tmp_path / "no-bwrap"))
    result = grade_source(1, HONEST_RELU, tmp_path, only={"relu"})
    assert result.earned == 1 and result.info["isolation"] != "bubblewrap"
    assert "bubblewrap cannot start here (bubblewrap (bwrap) is not installed)" in \
        result.info["sandbox"]
    from autograder.feedback import report
    text = report.format_text(result)
    lines = [line for line in text.splitlines() if line.startswith("Sandbox: ")]
    assert len(lines) == 1 and lines[0].endswith(".") and "bubblewrap sandbox" not in lines[0]


def test_integrity_check_names_the_submission_and_the_file(tmp_path):
    kit = tmp_path / "kit"
    (kit / "solutions").mkdir(parents=True)
    (kit / "solutions" / "stage1_numpy.py").write_text("def relu(Z): ...\n")
    (kit / "stages.toml").write_text("")
    before = integrity.snapshot(kit)
    integrity.verify(before, "alice", kit)  # unchanged: no complaint
    with open(kit / "solutions" / "stage1_numpy.py", "a") as handle:
        handle.write("# appended by a submission\n")
    with pytest.raises(integrity.KitTampered, match=r"alice.*solutions/stage1_numpy.py"):
        integrity.verify(before, "alice", kit)


def test_unsandboxed_tampering_stops_grading_in_a_copy_of_the_kit(tmp_path):
    """--no-sandbox lets a submission write into the kit; the integrity check catches it."""
    kit = tmp_path / "kit"
    shutil.copytree(REPO_ROOT, kit, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".cache", "__pycache__", "tests", "data", "course", "notebooks"))
    target = kit / "autograder" / "checks" / "stage1.py"
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / STAGE1.file).write_text(
        f"open({str(target)!r}, 'a').write('# tampered\\n')\n" + HONEST_RELU)
    run = [sys.executable, "-m", "autograder", "check", "1", "--impl", str(submission),
           "--only", "relu"]
    for flags, expected_code in (([], 1), (["--no-sandbox"], 3)):
        done = subprocess.run(run + flags, cwd=kit, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, PYTHONPATH=str(kit)))
        assert done.returncode == expected_code, done.stdout + done.stderr
    assert "STOPPED" in done.stderr and "autograder/checks/stage1.py" in done.stderr
    assert target.read_text().count("# tampered") == 1  # only the unsandboxed run wrote


def test_fallback_workers_run_under_uids_of_their_own(monkeypatch):
    """RLIMIT_NPROC counts every process of a uid: the fallback's default account gives each
    grading process's workers a uid of their own, and a run started ahead another one again,
    so that one worker forking up to the cap cannot starve another running at the same time;
    a named account stays as named, and its workers start no run ahead."""
    from autograder.grading import isolation

    nobody = isolation.Isolation("uid+rlimits", "", sandbox.NOBODY, sandbox.NOBODY)
    monkeypatch.delenv(isolation.WORKER_USER_ENV, raising=False)
    here = isolation.worker_uid(nobody)
    other = subprocess.run(
        [sys.executable, "-c", "import sys; from autograder.grading import isolation as i; "
         f"print(i.worker_uid(i.Isolation('uid', '', {sandbox.NOBODY}, {sandbox.NOBODY}))[0])"],
        capture_output=True, text=True, check=True, env=dict(os.environ)).stdout
    beside = isolation.worker_uid(nobody, lane=1)
    assert len({here[0], int(other), beside[0]}) == 3
    assert min(here[0], beside[0]) >= isolation.OWN_UID_BASE and max(here[0], beside[0]) < 2**31
    assert here[1] == beside[1] == sandbox.NOBODY
    assert isolation.own_process_caps(nobody)
    monkeypatch.setenv(isolation.WORKER_USER_ENV, "student")
    assert isolation.worker_uid(nobody, lane=1) == (sandbox.NOBODY, sandbox.NOBODY)
    assert not isolation.own_process_caps(nobody)


SYSTEM_PYTHON = "/usr/bin/python3"  # one every uid can run, for a script that needs no kit


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists(SYSTEM_PYTHON),
                    reason="switching uids needs root, and a Python every uid can run")
def test_a_lent_folder_is_written_by_the_workers_lent_it_and_no_other():
    """Workers lent a cache folder write there under different uids (the main worker and a
    run started ahead); a worker it is not lent to cannot, though it runs under the same
    account; the folder is handed over once, not at every worker."""
    import tempfile

    from autograder.grading import isolation

    nobody = isolation.Isolation("uid+rlimits", "", sandbox.NOBODY, sandbox.NOBODY)
    base = Path(tempfile.mkdtemp(prefix="lent-"))
    try:
        base.chmod(0o755)
        folder = base / "cache"
        folder.mkdir()
        (folder / "old").write_text("old")

        def write(name, lane, lent):
            confined = isolation.Confined(base / "none.py", nobody,
                                          writable_dirs=[folder] if lent else [], lane=lane)
            try:
                script = (f"open({str(folder / name)!r}, 'w').write('x'); "
                          f"print(open({str(folder / 'old')!r}).read())")
                return subprocess.run([SYSTEM_PYTHON, "-I", "-c", script], cwd=confined.work,
                                      capture_output=True, text=True, **confined.popen_options())
            finally:
                confined.close()

        main, ahead = write("main", 0, lent=True), write("ahead", 1, lent=True)
        assert main.stdout == ahead.stdout == "old\n", main.stderr + ahead.stderr
        assert (folder / "main").stat().st_uid != (folder / "ahead").stat().st_uid
        assert write("stranger", 0, lent=False).returncode != 0
        assert not (folder / "stranger").exists()
        (folder / "old").chmod(0o644)  # a second lending walks nothing: the top is already lent
        write("again", 0, lent=True)
        assert (folder / "old").stat().st_mode & 0o777 == 0o644
    finally:
        shutil.rmtree(base)
