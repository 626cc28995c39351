"""The proposals of an access request's copy (GDPR art. 15(4)), rule by
rule: what others said, their contact details and whereabouts, safety
plans, risk answers from others and notes about others are withheld; what
is about a case file as a whole goes only to its victim, decided file by
file; a person causing harm gets only what is about him, without the staff
notes on his records; a child's copy keeps the child's whereabouts, words
and notes back."""

import pytest

from core.governance.rights import gather as g
from core.governance.rights.redaction import propose

FILE_ID = 1
OTHER_FILE_ID = 2
ROLES = ("victim", "person_causing_harm", "child", "other_adult")
NOT_THE_VICTIM = ("person_causing_harm", "child", "other_adult", None)


def _piece(kind: str, about: str, *, said_by_subject: bool = False, case_id=FILE_ID) -> g.Found:
    return g.Found(
        "any", 1, "field", g.Mark("category", "staff", about, kind), "value", g.Where(case_id),
        said_by_subject,
    )  # fmt: skip


def _asker(role: str | None, *, child: bool | None = None) -> g.Subject:
    """Someone with `role` in file 1 (None: in no file we know of)."""
    roles = {FILE_ID: role} if role else {}
    return g.Subject(
        person_ids=frozenset({1}),
        intake_ids=frozenset(),
        case_ids=frozenset(roles),
        causes_harm=role == "person_causing_harm",
        roles=roles,
        child=role == "child" if child is None else child,
    )


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (g.CONTACT, "third_party_contact"),
        (g.WORDS, "said_by_others"),
        (g.NOTES, "notes_about_others"),
        (g.IDENTITY, "other_person"),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_what_is_about_someone_else_is_withheld_from_anyone(kind, reason, role):
    assert propose(_piece(kind, g.OTHER), _asker(role)) == ("withhold", reason)


def test_a_victim_gets_her_own_safety_plan_and_never_anothers():
    victim = _asker("victim")
    assert propose(_piece(g.SAFETY_PLAN, g.SUBJECT), victim) == ("release", None)
    withheld = ("withhold", "safety_plan")
    assert propose(_piece(g.SAFETY_PLAN, g.OTHER), victim) == withheld
    # Not even "his own" plan goes to a person causing harm, nor a child's to
    # whoever asks for the child.
    assert propose(_piece(g.SAFETY_PLAN, g.SUBJECT), _asker("person_causing_harm")) == withheld
    assert propose(_piece(g.SAFETY_PLAN, g.SUBJECT), _asker("child")) == withheld


def test_only_her_own_risk_answers_and_her_files_risk_level_go_to_a_victim():
    own = _piece(g.RISK_ANSWER, g.FILE, said_by_subject=True)
    others = _piece(g.RISK_ANSWER, g.FILE)
    victim = _asker("victim")
    assert propose(own, victim) == ("release", None)
    assert propose(others, victim) == ("withhold", "risk_from_others")
    assert propose(own, _asker("person_causing_harm")) == ("withhold", "risk_from_others")
    result = _piece(g.RISK_RESULT, g.FILE)
    assert propose(result, victim) == ("release", None)
    for role in NOT_THE_VICTIM:
        assert propose(result, _asker(role)) == ("withhold", "risk_from_others"), role


@pytest.mark.parametrize("role", NOT_THE_VICTIM)
def test_the_file_as_a_whole_is_withheld_from_anyone_but_its_victim(role):
    asker = _asker(role)
    for kind in (g.WORDS, g.RECORD, g.NOTES, g.CONTACT, g.RECIPIENT, g.RELATION):
        assert propose(_piece(kind, g.FILE), asker)[0] == "withhold", kind
    assert propose(_piece(g.WORDS, g.FILE), asker) == ("withhold", "about_the_file")
    assert propose(_piece(g.RELATION, g.FILE), asker) == ("withhold", "other_person")
    assert propose(_piece(g.RECIPIENT, g.FILE), asker) == ("withhold", "partner_name")


def test_the_victim_gets_her_files_actions_and_partners_not_the_notes():
    victim = _asker("victim")
    assert propose(_piece(g.WORDS, g.FILE), victim) == ("release", None)
    assert propose(_piece(g.RECIPIENT, g.FILE), victim) == ("release", None)
    notes = ("withhold", "notes_about_others")
    assert propose(_piece(g.NOTES, g.FILE), victim) == notes
    contact = ("withhold", "third_party_contact")
    assert propose(_piece(g.CONTACT, g.FILE), victim) == contact


def test_it_is_decided_file_by_file():
    # The victim of file 1 is someone else in file 2: file 2 is not hers.
    victim = _asker("victim")
    for kind in (g.WORDS, g.RECIPIENT, g.RISK_RESULT):
        assert propose(_piece(kind, g.FILE, case_id=OTHER_FILE_ID), victim)[0] == "withhold"


@pytest.mark.parametrize("role", ["victim", "other_adult"])
def test_what_is_about_the_person_asking_is_theirs(role):
    for kind in (g.IDENTITY, g.CONTACT, g.WORDS, g.NOTES, g.RECORD, g.AUDIT):
        assert propose(_piece(kind, g.SUBJECT), _asker(role)) == ("release", None)


def test_a_person_causing_harm_gets_what_is_about_him_but_not_the_staff_notes():
    harm = _asker("person_causing_harm")
    for kind in (g.IDENTITY, g.CONTACT, g.WORDS, g.RECORD, g.AUDIT):
        assert propose(_piece(kind, g.SUBJECT), harm) == ("release", None)
    # Written down from what the victim and partners said about him.
    assert propose(_piece(g.NOTES, g.SUBJECT), harm) == ("withhold", "staff_notes")


@pytest.mark.parametrize("role", ["child", None])
def test_a_childs_copy_keeps_her_whereabouts_words_and_notes_back(role):
    # A child in a file, or a young person's request outside any file.
    child = _asker(role, child=True)
    for kind in (g.CONTACT, g.WORDS, g.NOTES):
        assert propose(_piece(kind, g.SUBJECT), child) == ("withhold", "for_a_child")
    for kind in (g.IDENTITY, g.RECORD, g.AUDIT):
        assert propose(_piece(kind, g.SUBJECT), child) == ("release", None)
