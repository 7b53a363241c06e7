"""Shared helpers for the kit's own tests."""
import functools
import os
from pathlib import Path

import pytest

from autograder.grading import engine
from autograder.metadata import REPO_ROOT, load_stages
from support.parity import declared  # noqa: F401 - the tests import it from here

TESTS = Path(__file__).resolve().parent
BUGGY = TESTS / "buggy"
ALTERNATIVES = TESTS / "alt"
# `make check` runs in tests must not write the learner's progress file.
os.environ["AUTOGRADER_NO_PROGRESS"] = "1"


def graded_stages():
    """Stage numbers that have checks and a solution file."""
    return [n for n, s in load_stages().items()
            if s.checks and (REPO_ROOT / "solutions" / s.file).exists()]


def expected_failures(variant_path):
    """The EXPECT_FAIL list a buggy variant declares: the checks that name its bug."""
    return list(declared(variant_path, "EXPECT_FAIL"))


def buggy_submission(variant_path, folder):
    """Write the solution with the variant's definitions appended (they override)."""
    stage = load_stages()[int(Path(variant_path).parent.name.removeprefix("stage"))]
    source = (REPO_ROOT / "solutions" / stage.file).read_text()
    source += f"\n\n# ---- buggy variant: {Path(variant_path).name} ----\n"
    source += Path(variant_path).read_text()
    (folder / stage.file).write_text(source)
    return stage


def same_as_baseline(name, report):
    """Where this report's verdict differs from the one `make parity` recorded for `name`.

    The tests that grade the solutions, exercises, alternatives and buggy
    variants compare each report with tests/parity/baseline.json as they go:
    the whole parity set is held on this Python at no extra grading, and the
    baseline other Pythons and devices are compared with stays current.
    """
    from autograder.feedback.report import to_json
    from support import parity

    found = parity.differences(parity.verdict(to_json(report)), _baseline_verdicts().get(name))
    if found:
        found.append("if this change of verdict is meant, re-record: make parity RECORD=1")
    return found


@functools.lru_cache(maxsize=1)
def _baseline_verdicts():
    """tests/parity/baseline.json's verdicts, read once per test process."""
    from support import parity

    return parity.load_baseline()["verdicts"]


def grade_source(stage_number, source, folder, **options):
    """Grade `source` written as the stage file in `folder`."""
    stage = load_stages()[stage_number]
    (folder / stage.file).write_text(source)
    return engine.grade(stage_number, folder, **options)


@pytest.fixture
def solution_source():
    def read(stage_number):
        return (REPO_ROOT / "solutions" / load_stages()[stage_number].file).read_text()
    return read


# The groups pinned to one xdist worker, longest first (seconds on a 2-core machine, 3
# workers, 2026-12-07, busy afternoon to busier evening: the round trip 510-690 with its wait
# for the shared release, the release and its replays 170-230, the notebooks 200-265, each
# isolation mode 120-170).
# A long group started late runs alone at the end while the other workers wait.
LONGEST_GROUPS_FIRST = ("nbgrader_round_trip", "nbgrader_release", "notebooks", "isolation-")


def pytest_collection_modifyitems(config, items):
    """Run the groups pinned to one xdist worker first, the longest first; then the single
    tests, which fill in around them; the other Pythons' parity runs last, when JAX's compile
    cache holds the stages' programs (in CI: 155-167 s each then, 290-387 s at the start)."""
    items.sort(key=_start_order)
    if config.getoption("loadgroup", default=False):
        _name_groups(items)


def _start_order(item):
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return len(LONGEST_GROUPS_FIRST) + 1
    group = mark.args[0]
    if group.startswith("python3"):
        return len(LONGEST_GROUPS_FIRST) + 2
    known = [i for i, name in enumerate(LONGEST_GROUPS_FIRST) if group.startswith(name)]
    return known[0] if known else len(LONGEST_GROUPS_FIRST)


def _name_groups(items):
    """Suffix each grouped test's node id with @group, which `--dist loadgroup` schedules by.

    pytest-xdist 3.8 does it by setting `item._nodeid`, which pytest 9.2 no
    longer reads (it keeps the id in `item._id`): without this, the tests of
    a group were spread over both workers, and each built the group's
    fixtures (the nbgrader course, its round trip) again.
    """
    from _pytest.nodeid import coerce_node_id

    for item in items:
        mark = item.get_closest_marker("xdist_group")
        if mark and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{mark.args[0]}")
