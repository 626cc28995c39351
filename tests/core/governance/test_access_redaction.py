"""The proposals of an access request's copy (GDPR art. 15(4)), rule by
rule: what others said, their contact details and whereabouts, safety
plans, risk answers from others and notes about others are withheld; a
person causing harm gets only what is about him."""

import pytest

from core.governance.rights import gather as g
from core.governance.rights.redaction import propose


def _piece(kind: str, about: str, *, said_by_subject: bool = False) -> g.Found:
    return g.Found(
        "any", 1, "field", g.Mark("category", "staff", about, kind), "value", g.Where(1),
        said_by_subject,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (g.CONTACT, "third_party_contact"),
        (g.WORDS, "said_by_others"),
        (g.NOTES, "notes_about_others"),
        (g.IDENTITY, "other_person"),
    ],
)
@pytest.mark.parametrize("causes_harm", [True, False])
def test_what_is_about_someone_else_is_withheld_from_anyone(kind, reason, causes_harm):
    assert propose(_piece(kind, g.OTHER), causes_harm=causes_harm) == ("withhold", reason)


def test_a_victim_gets_her_own_safety_plan_and_never_anothers():
    assert propose(_piece(g.SAFETY_PLAN, g.SUBJECT), causes_harm=False) == ("release", None)
    withheld = ("withhold", "safety_plan")
    assert propose(_piece(g.SAFETY_PLAN, g.OTHER), causes_harm=False) == withheld
    # Not even "his own" plan goes to a person causing harm.
    assert propose(_piece(g.SAFETY_PLAN, g.SUBJECT), causes_harm=True) == withheld


def test_only_her_own_risk_answers_go_to_a_victim():
    own = _piece(g.RISK_ANSWER, g.FILE, said_by_subject=True)
    others = _piece(g.RISK_ANSWER, g.FILE)
    assert propose(own, causes_harm=False) == ("release", None)
    assert propose(others, causes_harm=False) == ("withhold", "risk_from_others")
    assert propose(own, causes_harm=True) == ("withhold", "risk_from_others")
    result = _piece(g.RISK_RESULT, g.FILE)
    assert propose(result, causes_harm=True) == ("withhold", "risk_from_others")
    assert propose(result, causes_harm=False) == ("release", None)


def test_the_file_as_a_whole_is_withheld_from_a_person_causing_harm():
    for kind in (g.WORDS, g.RECORD, g.NOTES, g.CONTACT):
        assert propose(_piece(kind, g.FILE), causes_harm=True)[0] == "withhold"
    assert propose(_piece(g.RELATION, g.FILE), causes_harm=True) == ("withhold", "other_person")
    # For a victim: her file's actions and decisions, not the professionals'
    # notes or the names of those who took part.
    assert propose(_piece(g.WORDS, g.FILE), causes_harm=False) == ("release", None)
    notes = ("withhold", "notes_about_others")
    assert propose(_piece(g.NOTES, g.FILE), causes_harm=False) == notes
    contact = ("withhold", "third_party_contact")
    assert propose(_piece(g.CONTACT, g.FILE), causes_harm=False) == contact


@pytest.mark.parametrize("causes_harm", [True, False])
def test_what_is_about_the_person_asking_is_theirs(causes_harm):
    for kind in (g.IDENTITY, g.CONTACT, g.WORDS, g.NOTES, g.RECORD, g.AUDIT):
        assert propose(_piece(kind, g.SUBJECT), causes_harm=causes_harm) == ("release", None)
