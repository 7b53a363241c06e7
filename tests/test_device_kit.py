"""`make parity` on a GPU machine that can fetch nothing (tests/support/device_kit.py):
what can be held without the device.

The payload is the lock's pins and nothing else, the JAX family is left to the
device, the run refuses clearly without a payload or a JAX, its throwaway
environment puts the device's packages before the payload's, and parity's
budget leaves out what it says it leaves out. What LEFT_OUT leaves out was
checked by `device_kit.py run --audit` (it lists the payload's packages no
file of which was read while grading) and then by a parity run without them.
"""
import importlib.metadata
import json
import subprocess
import sys

from packaging.requirements import Requirement

from autograder.metadata import REPO_ROOT
from support import device_kit, parity

SCRIPT = REPO_ROOT / "tests" / "support" / "device_kit.py"


def test_the_payload_pins_are_the_locks():
    lock = device_kit.lock_pins()
    pins = dict(line.split("==") for line in device_kit.payload_pins())
    assert pins and all(lock[name] == version for name, version in pins.items())
    assert set(device_kit.ROOTS) <= set(pins)
    assert not set(pins) & device_kit.JAX_FAMILY
    assert not set(pins) & set(device_kit.LEFT_OUT)


def test_what_is_left_to_the_device_is_jax_and_its_own_requirements():
    family = {"jax"}
    for name in ("jax", "jaxlib"):
        for text in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate(device_kit.MARKER_ENV):
                family.add(device_kit.canonical(requirement.name))
    assert family <= device_kit.JAX_FAMILY
    assert {n for n in device_kit.JAX_FAMILY if not n.startswith("jax-cuda")} == family


def test_what_is_left_out_is_in_the_closure_and_not_a_root():
    closure = device_kit.closure()
    assert set(device_kit.LEFT_OUT) <= closure
    assert not set(device_kit.LEFT_OUT) & set(device_kit.ROOTS)


def test_the_run_refuses_clearly_without_a_payload(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), "run", "--kit", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "make device-kit" in done.stderr and "carry .cache/device-kit" in done.stderr


def test_the_run_refuses_another_python(tmp_path):
    (tmp_path / device_kit.PAYLOAD).write_bytes(b"")
    (tmp_path / device_kit.MANIFEST).write_text(json.dumps({"python": "2.7", "pins": []}))
    done = subprocess.run([sys.executable, str(SCRIPT), "run", "--kit", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "payload is for Python 2.7" in done.stderr


def test_the_run_refuses_a_payload_of_another_lock(tmp_path):
    (tmp_path / device_kit.PAYLOAD).write_bytes(b"")
    (tmp_path / device_kit.MANIFEST).write_text(json.dumps(
        {"python": f"{sys.version_info.major}.{sys.version_info.minor}", "lock_sha256": "0"}))
    done = subprocess.run([sys.executable, str(SCRIPT), "run", "--kit", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "another requirements.lock" in done.stderr


def test_the_environment_puts_the_devices_packages_before_the_payloads(tmp_path):
    payload = tmp_path / "payload" / "site-packages"
    payload.mkdir(parents=True)
    python = device_kit.make_environment(tmp_path / "env", payload)
    done = subprocess.run([str(python), "-c", "import sys, importlib.util as u; print(repr((sys.path, u.find_spec('jax').origin)))"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    path, jax_file = eval(done.stdout)
    own = [p for p in device_kit.device_paths() if p in path]
    assert own and path.index(str(payload)) > max(path.index(p) for p in own)
    assert jax_file.startswith(tuple(own))


def test_the_budget_leaves_out_what_it_says(monkeypatch):
    chosen = parity.submissions(sample=True, stages={1, 2})
    monkeypatch.setattr(parity, "grade", lambda s: ({}, 0.0))
    assert parity.grade_all(chosen, jobs=1, budget=-1) == {}
    assert list(parity.grade_all(chosen, jobs=1, budget=60)) == [s.name for s in chosen]
    everything = parity.submissions(stages={1, 2})
    first = parity.sample_first(everything, parity.load_baseline()["verdicts"])
    assert [s.name for s in first[:len(chosen)]] == [s.name for s in chosen]
