"""A child's own voice in the case file: what the child says and wishes, in
the child's words, when they were heard and by whom. Each time a child is
heard adds a row, so the file shows how their wishes changed; nothing is
edited or removed by hand (retention erases the rows with the file).

A child with no voice yet is "not heard": the case page says so, because the
adults' story alone is not the child's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.casework.actions import parse_day
from core.casework.cases import record
from core.casework.people import SHORT_MAX, TEXT_MAX, clean
from core.infra import clock
from core.model import Case, CasePerson, CaseStatus, ChildVoice, Staff
from core.rules import RuleError

CHILD = "child"
HEARD_BY_MAX = SHORT_MAX
SAID_MAX = TEXT_MAX


def _heard_on(
    value: date | str | None, today: date, person: CasePerson
) -> tuple[date | None, str | None]:
    """(day, None) or (None, reason code)."""
    try:
        day = parse_day(value)
    except ValueError:
        return None, "invalid"
    if day is None:
        return None, "missing"
    if day > today:
        return None, "future"
    # A year typed wrong ("0202") would put the talk before the child was born.
    if person.birth_year is not None and day.year < person.birth_year:
        return None, "before_birth"
    return day, None


def _text(value: str | None, limit: int) -> tuple[str | None, str | None]:
    text = clean(value)
    if text is None:
        return None, "missing"
    if len(text) > limit:
        return None, "too_long"
    return text, None


def record_voice(
    session: Session,
    case: Case,
    person: CasePerson,
    staff: Staff,
    *,
    heard_on: date | str | None,
    heard_by: str | None,
    said: str | None,
    today: date,
) -> ChildVoice:
    """Add what a child of this open file said and wishes. A RuleError names
    every field at fault at once ({"heard_on": "future", "said": "missing"}),
    so staff correct them all in one go."""
    if case.status != CaseStatus.OPEN:
        raise RuleError("case", "closed")
    if person.case_id != case.id:
        raise RuleError("person", "missing")
    if person.role != CHILD:
        raise RuleError("person", "not_a_child")
    problems: dict[str, str] = {}
    day, problem = _heard_on(heard_on, today, person)
    if problem:
        problems["heard_on"] = problem
    who, problem = _text(heard_by, HEARD_BY_MAX)
    if problem:
        problems["heard_by"] = problem
    words, problem = _text(said, SAID_MAX)
    if problem:
        problems["said"] = problem
    if problems or day is None or who is None or words is None:
        raise RuleError(problems)
    voice = ChildVoice(
        case_id=case.id,
        person_id=person.id,
        heard_on=day,
        heard_by=who,
        said=words,
        staff_id=staff.id,
        created_at=clock.now(),
    )
    session.add(voice)
    session.flush()
    # The timeline says a child was heard, never what the child said: the
    # words stay in the encrypted row, for those who may open the file.
    record(
        session,
        case,
        staff,
        "case.child_heard",
        CHILD,
        audit_detail=f"person {person.id} voice {voice.id}",
    )
    return voice


def voices_of(session: Session, case: Case) -> dict[int, list[ChildVoice]]:
    """{person id: their voices, newest first}, for the whole file in one query."""
    rows = session.scalars(
        select(ChildVoice)
        .where(ChildVoice.case_id == case.id)
        .order_by(ChildVoice.heard_on.desc(), ChildVoice.created_at.desc(), ChildVoice.id.desc())
    )
    voices: dict[int, list[ChildVoice]] = {}
    for voice in rows:
        voices.setdefault(voice.person_id, []).append(voice)
    return voices


def children_not_heard(
    people: Iterable[CasePerson], voices: dict[int, list[ChildVoice]]
) -> list[CasePerson]:
    """The children among `people` with no voice in `voices` (from voices_of)."""
    return [p for p in people if p.role == CHILD and not voices.get(p.id)]


def not_heard(session: Session, case: Case) -> list[CasePerson]:
    """The file's children with no voice recorded yet, in the file's order."""
    heard = set(session.scalars(select(ChildVoice.person_id).where(ChildVoice.case_id == case.id)))
    return [p for p in case.people if p.role == CHILD and p.id not in heard]
