"""The package keeps the shape docs/architecture.md draws: the import contracts in pyproject.toml.

`lint-imports` (import-linter) reads them; each contract is also broken on
purpose in a copy of the package, to show that it can fail.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.metadata import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root):
    """(exit status, output) of lint-imports on the package and contracts under `root`."""
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                            text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def test_the_import_contracts_hold():
    status, output = lint_imports(REPO_ROOT)
    assert status == 0, output
    assert "0 broken" in output, output


# (module, import added at its end, the contract that must break)
VIOLATIONS = {
    "worker_imports_the_kit": ("worker/transport.py", "from autograder import metadata",
                               "imports nothing else of the kit"),
    "install_imports_the_kit": ("install.py", "from autograder import metadata",
                                "set-up runs before the packages are installed"),
    "feedback_imports_a_tool": ("feedback/report.py", "from autograder.learner import progress",
                                "Layers"),
    "instructor_imports_learner": ("instructor/classgrade.py",
                                   "from autograder.learner import stage_file",
                                   "never import each other"),
    "circle_inside_grading": ("grading/sandbox.py", "from autograder.grading import engine",
                              "No circle"),
}


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_each_contract_breaks_when_its_rule_is_broken(violation, tmp_path):
    module, line, contract = VIOLATIONS[violation]
    shutil.copytree(REPO_ROOT / "autograder", tmp_path / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "autograder" / module, "a") as source:
        source.write(f"\n{line}  # noqa\n")
    status, output = lint_imports(tmp_path)
    assert status != 0, output
    broken = output.split("Broken contracts")[-1]
    assert contract in broken, output
