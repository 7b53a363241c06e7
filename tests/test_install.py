"""autograder/install.py: which Python builds .venv, the refusal of the others, the ready mark.

The interpreters here are fakes, shell scripts in tmp_path that print a
version or fail as a pyenv shim does; no venv is built.
"""
import ast
import subprocess
import tomllib

import pytest

from autograder import install
from autograder.metadata import REPO_ROOT

SHIM = 'echo "pyenv: $(basename "$0"): command not found" >&2; exit 127'


def fake_python(folder, name, version=None):
    """An executable `name` in `folder` that answers `version` ("3.12"), or fails like a shim."""
    path = folder / name
    path.write_text("#!/bin/sh\n" + (f"echo {version}\n" if version else SHIM + "\n"))
    path.chmod(0o755)
    return path


def find(folder, **options):
    return install.find_python(search_path=str(folder), **options)


def test_python3_first_when_supported(tmp_path):
    python3 = fake_python(tmp_path, "python3", "3.12")
    fake_python(tmp_path, "python3.13", "3.13")
    assert find(tmp_path) == (str(python3), (3, 12))


def test_newest_working_python3x_when_python3_is_too_old(tmp_path):
    fake_python(tmp_path, "python3", "3.10")
    fake_python(tmp_path, "python3.14")  # a shim that exits 127
    fake_python(tmp_path, "python3.13")
    python312 = fake_python(tmp_path, "python3.12", "3.12")
    fake_python(tmp_path, "python3.11", "3.11")
    assert find(tmp_path) == (str(python312), (3, 12))


def test_the_running_interpreter_first_when_supported(tmp_path):
    running = fake_python(tmp_path, "python", "3.13")
    fake_python(tmp_path, "python3", "3.11")
    assert find(tmp_path, running=str(running)) == (str(running), (3, 13))


def test_given_python_is_used_even_when_python3_is_supported(tmp_path):
    fake_python(tmp_path, "python3", "3.11")
    given = fake_python(tmp_path, "python3.14", "3.14")
    assert find(tmp_path, given="python3.14") == (str(given), (3, 14))


@pytest.mark.parametrize("version, why", [
    ("3.10", "python3.10 is Python 3.10"),
    (None, "python3.10 does not run"),
])
def test_given_python_unsupported_or_broken_is_refused(tmp_path, version, why):
    fake_python(tmp_path, "python3", "3.12")  # never taken instead of the one asked for
    fake_python(tmp_path, "python3.10", version)
    with pytest.raises(install.Unsupported) as refused:
        find(tmp_path, given="python3.10")
    assert why in str(refused.value)


def test_given_python_not_found_is_refused(tmp_path):
    with pytest.raises(install.Unsupported, match="python3.99 is not found"):
        find(tmp_path, given="python3.99")


def test_no_supported_python_says_what_it_found(tmp_path):
    fake_python(tmp_path, "python3", "3.10")
    fake_python(tmp_path, "python3.12")
    with pytest.raises(install.Unsupported, match="; python3 is 3.10."):
        find(tmp_path)


def test_refusal_is_short_and_shows_a_way_on_each_platform():
    message = install.refusal("python3 is 3.10")
    lines = message.splitlines()
    assert lines[0] == "The kit needs Python 3.11 to 3.14; python3 is 3.10."
    assert len(lines) <= 8
    for way in ("Linux:", "apt install", "deadsnakes", "uv python install", "macOS:",
                "brew install", "python.org", "Windows:", "winget install", "PYTHON="):
        assert way in message, way


def test_make_refuses_an_unsupported_python_before_building(tmp_path):
    old = fake_python(tmp_path, "python3.10", "3.10")
    done = subprocess.run(["make", "-s", "stages", f"PYTHON={old}", f"VENV={tmp_path}/venv"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode != 0
    assert f"Python 3.11 to 3.14; {old} is Python 3.10." in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_half_built_venv_is_not_ready(tmp_path, monkeypatch):
    def run(command):
        if "-r" in command:
            raise install.SetupFailed("the index is down")
    monkeypatch.setattr(install, "run", run)
    monkeypatch.setattr(install, "install_uv", lambda python: None)
    venv = tmp_path / "venv"
    with pytest.raises(install.SetupFailed):
        install.build(venv, "python3.12", (3, 12), log=lambda line: None)
    assert install.ready_version(venv) is None


def test_ready_mark_names_the_python_and_goes_stale_with_the_lock(tmp_path, monkeypatch):
    venv = tmp_path / "venv"
    monkeypatch.setattr(install, "run", lambda command: venv.mkdir(exist_ok=True))
    monkeypatch.setattr(install, "install_uv", lambda python: None)
    assert install.build(venv, "python3.12", (3, 12), log=lambda line: None)
    assert install.ready_version(venv) == "3.12"
    assert not install.build(venv, "python3.12", (3, 12), log=lambda line: None)
    monkeypatch.setattr(install, "lock_hash", lambda: "another lock")
    assert install.ready_version(venv) is None


def test_a_folder_that_is_not_a_venv_is_never_deleted(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(install.SetupFailed, match="not a virtual environment"):
        install.remove_venv(tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_install_script_parses_as_python_3_6():
    """It must run on an old Python to tell its user what to do about it."""
    ast.parse((REPO_ROOT / "autograder" / "install.py").read_text(), feature_version=(3, 6))


def test_requires_python_matches_the_supported_versions():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    low, high = install.SUPPORTED[0], install.SUPPORTED[-1]
    assert project["requires-python"] == f">={low[0]}.{low[1]},<{high[0]}.{high[1] + 1}"


@pytest.mark.parametrize("uv", [None, "/venv/bin/uv"], ids=["pip", "uv"])
def test_lock_then_kit_installed_without_deps_and_compiled(monkeypatch, uv):
    commands = []
    monkeypatch.setattr(install, "run", lambda command: commands.append([str(c) for c in command]))
    install.install_packages("/venv/bin/python", uv)
    lock, kit = commands
    assert lock[-2:] == ["-r", str(install.LOCK)] and "--no-deps" in lock
    assert {"--compile", "--compile-bytecode"} & set(lock)
    assert kit[-2:] == ["-e", str(REPO_ROOT)] and {"--no-deps", "--no-build-isolation"} <= set(kit)
    if uv:
        assert {"--no-python-downloads", "--python"} <= set(lock)
