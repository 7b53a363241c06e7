"""The device that graded or timed is named: the report's device line, the timing tables.

The name expected is the one JAX gives in a fresh process, so these tests hold on
any machine; the kit's CI runs them on CPU only (no GPU has run them yet).
"""
import subprocess
import sys

import pytest

from autograder.feedback import report
from autograder.grading import engine
from autograder.learner import timing, timing_common
from autograder.metadata import REPO_ROOT

# The platform, and the device's kind where it says more: "cpu", "gpu (NVIDIA H100 80GB HBM3)".
JAX_DEVICE = ("import jax; backend, kind = jax.default_backend(), jax.devices()[0].device_kind; "
              "print(backend if kind.lower() == backend else f'{backend} ({kind})')")


@pytest.fixture(scope="module")
def jax_device():
    found = subprocess.run([sys.executable, "-c", JAX_DEVICE], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found
    return found


def test_report_names_the_device_jax_graded_on(jax_device):
    graded = engine.grade(2, REPO_ROOT / "solutions", only=["relu"])
    assert f"\nDevice: {jax_device}; " in report.format_text(graded)
    assert report.to_json(graded)["device"] == jax_device


def timing_header(monkeypatch):
    """The first line of stage 2's timing table, which times stage 1 (NumPy) against stage 2
    (JAX). The numbers are not the point here (the notebook tests measure for real)."""
    monkeypatch.setattr(timing, "_measure_first_available", lambda number, folder, steps: (
        timing.Timing(number, "the reference", 0.5, 0.01, 0.02, steps)))
    lines = []
    timing.compare(2, REPO_ROOT / "solutions", steps=1, log=lines.append)
    return lines[0]


def test_timing_table_names_the_device_it_measured_on(jax_device, monkeypatch):
    where = jax_device if jax_device == "cpu" else f"{jax_device} for JAX, the CPU for NumPy"
    assert timing_header(monkeypatch).startswith(f"Measured just now on {where} (")


def test_timing_table_says_numpy_ran_on_the_cpu_when_jax_had_a_gpu(monkeypatch):
    monkeypatch.setattr(timing_common, "device_name", lambda: "gpu (NVIDIA H100 80GB HBM3)")
    assert timing_header(monkeypatch).startswith(
        "Measured just now on gpu (NVIDIA H100 80GB HBM3) for JAX, the CPU for NumPy (")
