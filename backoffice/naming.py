"""How the back office names the people in a case file and their relations."""

from __future__ import annotations

from flask_babel import gettext as _

from core.model import CasePerson, CaseRelation
from web.casefile.labels import PERSON_ROLE_LABELS, RELATION_SENTENCES


def person_names(people: list[CasePerson]) -> dict[int, str]:
    """How the page names each person: their name, else their role, numbered
    when several people of one role have no name ("Child 2")."""
    unnamed: dict[str, list[int]] = {}
    for person in people:
        if not person.name:
            unnamed.setdefault(person.role, []).append(person.id)
    names = {}
    for person in people:
        if person.name:
            names[person.id] = person.name
            continue
        role = str(PERSON_ROLE_LABELS.get(person.role, person.role))
        same_role = unnamed[person.role]
        if len(same_role) == 1:
            names[person.id] = role
        else:
            names[person.id] = _("%(role)s %(num)d", role=role, num=same_role.index(person.id) + 1)
    return names


def relation_in_words(relation: CaseRelation, names: dict[int, str]) -> str:
    sentence = RELATION_SENTENCES.get(relation.kind, RELATION_SENTENCES["other"])
    return str(sentence) % {
        "person": names.get(relation.person_id, "?"),
        "other": names.get(relation.other_person_id, "?"),
    }
