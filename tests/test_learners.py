"""Learner-style files (tests/learners/) get reports that lead to the right function, for the
right reason, with the cause the numbers show.

Each file in tests/learners/stageN/ is a whole stage file written in a
learner's idiom (see tests/learners/README.md). It declares FOCUS (the
function the report must ask to fix first), REASON (a phrase of the lead
failure's reason) and, where the numbers show one, SYMPTOM (a phrase of the
diagnosis, in the reason or its details); IDEA (a phrase of the idea shown
with the failure) and NOT_SAID (phrases the lead section must not contain)
are optional. It is graded as `make check` grades it.
"""
import pytest

from autograder.feedback import blame, report
from autograder.metadata import load_stages

from conftest import TESTS, declared, grade_source

LEARNERS = sorted((TESTS / "learners").glob("stage*/*.py"))


def flat(text):
    return " ".join(text.split())


def optional(path, name, default):
    try:
        return declared(path, name)
    except AssertionError:
        return default


def lead_section(text):
    """The report's lead: from 'Fix first' to the first blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Fix first"))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return flat("\n".join(lines[start:end]))


@pytest.mark.parametrize("path", LEARNERS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_learner_file_report_leads_with_its_bug(path, tmp_path):
    number = int(path.parent.name.removeprefix("stage"))
    graded = grade_source(number, path.read_text(), tmp_path, call_timeout=20)
    assert not [o.reason for o in graded.outcomes if o.status == "error"]
    focus = graded.focus[0]["function"]
    assert focus == declared(path, "FOCUS"), graded.focus
    lead = blame.lead(graded.outcomes, focus)
    assert declared(path, "REASON") in lead.reason, lead.reason
    symptom = optional(path, "SYMPTOM", "")
    assert symptom in lead.reason + " " + flat(lead.detail), (lead.reason, lead.detail)
    section = lead_section(report.format_text(graded))
    assert optional(path, "IDEA", "") in section, section
    for phrase in optional(path, "NOT_SAID", []):
        assert phrase not in section, section


def test_every_learner_file_declares_what_its_report_leads_with():
    assert len(LEARNERS) >= 12
    for path in LEARNERS:
        number = int(path.parent.name.removeprefix("stage"))
        assert declared(path, "FOCUS") in load_stages()[number].functions, path
        assert declared(path, "REASON"), path
